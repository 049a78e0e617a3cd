package pponode.ros;

import com.eprosima.xmlschemas.fastrtps_profiles.DurabilityQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.HistoryQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.ReliabilityQosKindPolicyType;
import java.util.ArrayList;
import java.util.List;
import us.ihmc.pubsub.Domain;
import us.ihmc.pubsub.DomainFactory;
import us.ihmc.pubsub.TopicDataType;
import us.ihmc.pubsub.attributes.ParticipantProfile;
import us.ihmc.pubsub.attributes.PublisherAttributes;
import us.ihmc.pubsub.attributes.SubscriberAttributes;
import us.ihmc.pubsub.common.Guid;
import us.ihmc.pubsub.participant.Participant;
import us.ihmc.pubsub.publisher.Publisher;
import us.ihmc.pubsub.subscriber.Subscriber;
import us.ihmc.ros2.NewMessageListener;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2Publisher;
import us.ihmc.ros2.ROS2QosProfile;
import us.ihmc.ros2.ROS2Subscription;

/**
 * A ROS 2 node as the graph sees one: its participant has ROS 2's default lease and the discovery
 * range of the environment ({@link Discovery}), and it publishes {@code ros_discovery_info} with the
 * node's name, namespace, readers and writers whenever they change, as the ROS 2 RMWs do, so
 * {@code ros2 node list} and {@code ros2 topic info -v} show it.
 */
public final class RosNode extends ROS2Node {
    private final ParticipantProfile profile;
    private final ROS2Publisher<ParticipantEntitiesInfo> graph;
    private final Guid graphWriter;
    private boolean destroyed;

    public RosNode(RosParams p, Discovery discovery) {
        this(DomainFactory.getDomain(DomainFactory.PubSubImplementation.FAST_RTPS), p, discovery.profile(p.domain()));
    }

    private RosNode(Domain domain, RosParams p, ParticipantProfile profile) {
        super(domain, p.nodeName, p.namespace, profile);
        this.profile = profile;
        // rmw_dds_common's QoS for the graph topic: reliable, transient local, keep last 1, so a peer
        // that joins later still gets the current state
        ROS2QosProfile latched = new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 1, ReliabilityQosKindPolicyType.RELIABLE,
                DurabilityQosKindPolicyType.TRANSIENT_LOCAL, true);
        ParticipantEntitiesInfo.Type type = new ParticipantEntitiesInfo.Type();
        graph = super.createPublisher(type, createPublisherAttributes(type, ParticipantEntitiesInfo.TOPIC, latched));
        graphWriter = participant().getAllPublishersForStatistics().get(0).getGuid();
        announce();
    }

    @Override
    public <T> ROS2Publisher<T> createPublisher(TopicDataType<T> type, PublisherAttributes attributes) {
        ROS2Publisher<T> publisher = super.createPublisher(type, attributes);
        announce();
        return publisher;
    }

    @Override
    public <T> ROS2Subscription<T> createSubscription(TopicDataType<T> type, NewMessageListener<T> listener, SubscriberAttributes attributes) {
        ROS2Subscription<T> subscription = super.createSubscription(type, listener, attributes);
        announce();
        return subscription;
    }

    /** The node as ros_discovery_info describes it now. */
    ParticipantEntitiesInfo entities() {
        Participant participant = participant();
        ParticipantEntitiesInfo info = new ParticipantEntitiesInfo();
        info.participant = gid(participant.getGuid());
        List<byte[]> readers = new ArrayList<>(), writers = new ArrayList<>();
        for (Subscriber<?> s : participant.getAllSubscribersForStatistics()) readers.add(gid(s.getGuid()));
        for (Publisher w : participant.getAllPublishersForStatistics()) if (!w.getGuid().equals(graphWriter)) writers.add(gid(w.getGuid()));
        info.nodes.add(new ParticipantEntitiesInfo.Node(getNamespace().isEmpty() ? "/" : getNamespace(), getName(), readers, writers));
        return info;
    }

    private synchronized void announce() {
        if (graph == null || destroyed) return; // while the graph publisher itself is being created
        graph.publish(entities());
    }

    private Participant participant() {
        // the IHMC node keeps its participant to itself; the domain lists every participant with the profile it was made from
        for (Participant p : DomainFactory.getDomain(DomainFactory.PubSubImplementation.FAST_RTPS).getAllParticipantsForStatistics()) {
            if (p.getAttributes() == profile) return p;
        }
        throw new IllegalStateException("the participant of node " + getName() + " is not in the domain");
    }

    private static byte[] gid(Guid guid) {
        return ParticipantEntitiesInfo.gid(guid.getGuidPrefix().getValue(), guid.getEntity().getValue());
    }

    /** Tells the graph the node is gone (an empty node list, as rmw does), then removes the participant. */
    @Override
    public synchronized void destroy() {
        if (!destroyed) {
            ParticipantEntitiesInfo gone = new ParticipantEntitiesInfo();
            gone.participant = gid(participant().getGuid());
            graph.publish(gone);
            destroyed = true;
        }
        super.destroy();
    }
}
