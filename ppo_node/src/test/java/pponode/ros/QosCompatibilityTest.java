package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eprosima.xmlschemas.fastrtps_profiles.DurabilityQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.ReliabilityQosKindPolicyType;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import us.ihmc.pubsub.common.Guid;
import us.ihmc.pubsub.common.MatchingInfo;

/** Which remote endpoints count as refused by QoS, from the match events alone (the DDS side is RosGraphTest's). */
class QosCompatibilityTest {
    private static final ReliabilityQosKindPolicyType RELIABLE = ReliabilityQosKindPolicyType.RELIABLE, BEST_EFFORT = ReliabilityQosKindPolicyType.BEST_EFFORT;
    private static final DurabilityQosKindPolicyType VOLATILE = DurabilityQosKindPolicyType.VOLATILE,
            TRANSIENT_LOCAL = DurabilityQosKindPolicyType.TRANSIENT_LOCAL;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final QosCompatibility qos = new QosCompatibility(now::get);
    private final Object reader = new Object(), probe = new Object();

    QosCompatibilityTest() {
        qos.participant(guid(1, 0x1c1));
        qos.endpoint(reader, "/ppo_node/target", true, false, RELIABLE, VOLATILE);
        qos.endpoint(probe, "/ppo_node/target", true, true, BEST_EFFORT, VOLATILE);
    }

    @Test
    void aPeerBothMatchIsCompatibleAndOneOnlyTheProbeMatchesIsRefusedOnceTheGraceIsOver() {
        event(reader, guid(2, 0x103), true);
        event(probe, guid(2, 0x103), true);
        event(probe, guid(3, 0x103), true); // best effort: the reliable reader never matches it
        now.addAndGet(QosCompatibility.GRACE_MS - 1);
        assertEquals(List.of(), qos.incompatible(), "within the grace: the real match may be on its way");
        now.addAndGet(1);
        List<QosCompatibility.Mismatch> refused = qos.incompatible();
        assertEquals(1, refused.size(), refused.toString());
        assertEquals("incompatible QoS on /ppo_node/target: a publisher (gid 000000000000000000000003" + "00000103"
                + ") is best effort; the node's reader requires reliable, volatile: nothing it publishes reaches the node", refused.get(0).toString());
        qos.close();
    }

    @Test
    void aPeerThatLeavesIsNotRefusedWhileItsUnmatchesArriveOneEndpointAtATime() {
        event(reader, guid(2, 0x103), true);
        event(probe, guid(2, 0x103), true);
        now.addAndGet(60_000);
        event(reader, guid(2, 0x103), false); // the real reader hears first ...
        now.addAndGet(100);
        assertEquals(List.of(), qos.incompatible(), "a match the real reader has just lost is not a QoS refusal");
        event(probe, guid(2, 0x103), false); // ... the probe a moment later
        now.addAndGet(QosCompatibility.GRACE_MS);
        assertEquals(List.of(), qos.incompatible());
        qos.close();
    }

    @Test
    void theNodesOwnEndpointsAreNeverPeersAndWritersNameWhatTheSubscriberLacks() {
        event(probe, guid(1, 0x203), true); // the node's own writer on the topic
        Object writer = new Object(), writerProbe = new Object();
        qos.endpoint(writer, "/forward_position_controller/commands", false, false, RELIABLE, VOLATILE);
        qos.endpoint(writerProbe, "/forward_position_controller/commands", false, true, RELIABLE, TRANSIENT_LOCAL);
        event(writerProbe, guid(4, 0x104), true);
        now.addAndGet(QosCompatibility.GRACE_MS);
        List<QosCompatibility.Mismatch> refused = qos.incompatible();
        assertEquals(1, refused.size(), refused.toString());
        assertTrue(refused.get(0).toString().endsWith("a subscriber (gid 00000000000000000000000400000104) requires transient local; "
                + "the node's writer offers reliable, volatile: it receives nothing the node publishes"), refused.toString());
        qos.close();
    }

    @Test
    void onlyEndpointsThatCanRefuseAPeerGetAProbe() {
        assertFalse(QosCompatibility.canRefuse(true, BEST_EFFORT, VOLATILE), "a best-effort volatile reader matches every writer");
        assertTrue(QosCompatibility.canRefuse(true, RELIABLE, VOLATILE));
        assertTrue(QosCompatibility.canRefuse(true, BEST_EFFORT, TRANSIENT_LOCAL));
        assertFalse(QosCompatibility.canRefuse(false, RELIABLE, TRANSIENT_LOCAL), "a reliable transient-local writer matches every reader");
        assertTrue(QosCompatibility.canRefuse(false, RELIABLE, VOLATILE));
        assertTrue(QosCompatibility.canRefuse(false, BEST_EFFORT, VOLATILE));
    }

    private void event(Object local, Guid remote, boolean matched) {
        MatchingInfo info = new MatchingInfo();
        info.getGuid().set(remote);
        info.setStatus(matched ? MatchingInfo.MatchingStatus.MATCHED_MATCHING : MatchingInfo.MatchingStatus.REMOVED_MATCHING);
        qos.matching(local, info);
    }

    /** A gid whose prefix ends in {@code participant} and whose entity is {@code entity}. */
    private static Guid guid(int participant, int entity) {
        Guid g = new Guid();
        byte[] prefix = new byte[12];
        prefix[11] = (byte) participant;
        g.getGuidPrefix().setValue(prefix);
        g.getEntity().setValue(new byte[] {0, 0, (byte) (entity >> 8), (byte) entity});
        return g;
    }
}
