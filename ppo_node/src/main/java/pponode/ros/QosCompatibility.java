package pponode.ros;

import com.eprosima.xmlschemas.fastrtps_profiles.DurabilityQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.ReliabilityQosKindPolicyType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.ihmc.pubsub.common.Guid;
import us.ihmc.pubsub.common.MatchingInfo;

/**
 * Finds the peers a node's endpoint cannot match because of QoS, which DDS itself never reports
 * to the application (Fast DDS through ihmc-pub-sub forwards no incompatible-QoS status): a
 * best-effort publisher on a topic the node reads reliably, a volatile one where it reads
 * transient local, a reliable subscriber to a topic the node publishes best effort.
 *
 * <p>Beside each endpoint whose QoS can refuse a peer, the node keeps a silent probe with the
 * QoS that matches every peer (a reader: best effort, volatile; a writer: reliable, transient
 * local), otherwise equal (topic, type, partitions). A remote endpoint the probe has matched for
 * {@link #GRACE_MS} that no real endpoint of the node on that topic and side has matched is an
 * incompatible match: logged once when found, once when it is gone, and listed in
 * {@link #incompatible()} for /diagnostics. Endpoints that differ in anything else (partitions,
 * type) do not match the probe either, so they are not reported.
 */
public final class QosCompatibility implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QosCompatibility.class);
    /** How long a probe's match may go without a real one before it is a mismatch (both match on the same discovery message). */
    static final long GRACE_MS = 2_000;

    /** One of the node's endpoints. */
    private record Local(String topic, boolean reader, boolean probe, boolean reliable, boolean transientLocal) {}

    /** A remote endpoint (a publisher or a subscriber) that no endpoint of the node on {@code topic} matches, and why. */
    public record Mismatch(String topic, boolean remoteIsWriter, String remoteGid, String cause) {
        @Override
        public String toString() {
            return "incompatible QoS on " + topic + ": " + (remoteIsWriter ? "a publisher" : "a subscriber") + " (gid " + remoteGid + ") " + cause;
        }
    }

    private final LongSupplier clock;
    private volatile String ownPrefix = "-";
    /**
     * The node's endpoints, by identity: Fast DDS matches an endpoint while it is being created,
     * before the library has set its gid, so a match can only be told by the endpoint object.
     */
    private final Map<Object, Local> locals = new IdentityHashMap<>();
    /** For each local endpoint, the remote gids it matches now and since when (ms). */
    private final Map<Object, Map<String, Long>> matched = new IdentityHashMap<>();
    /** When a real endpoint last stopped matching a remote (topic, side, remote gid): the probe's match lingers a moment after it. */
    private final Map<String, Long> realUnmatched = new HashMap<>();
    private Set<Mismatch> reported = Set.of();
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qos-check");
        t.setDaemon(true);
        return t;
    });

    QosCompatibility() {
        this(System::currentTimeMillis);
    }

    /** With {@code clock} in ms (a test's). */
    QosCompatibility(LongSupplier clock) {
        this.clock = clock;
    }

    /** The node's participant: its own endpoints (gid prefix, the first 12 bytes) are never peers. */
    void participant(Guid participant) {
        ownPrefix = gid(participant).substring(0, 24);
    }

    /** Records one of the node's endpoints (a Publisher or Subscriber); {@code probe} for the silent ones this class adds. */
    synchronized void endpoint(Object endpoint, String topic, boolean reader, boolean probe, ReliabilityQosKindPolicyType reliability,
            DurabilityQosKindPolicyType durability) {
        locals.put(endpoint, new Local(topic, reader, probe, reliability == ReliabilityQosKindPolicyType.RELIABLE,
                durability == DurabilityQosKindPolicyType.TRANSIENT_LOCAL));
    }

    /** Whether an endpoint with this QoS can refuse a peer, so needs a probe beside it. */
    static boolean canRefuse(boolean reader, ReliabilityQosKindPolicyType reliability, DurabilityQosKindPolicyType durability) {
        boolean reliable = reliability == ReliabilityQosKindPolicyType.RELIABLE, latched = durability == DurabilityQosKindPolicyType.TRANSIENT_LOCAL;
        return reader ? reliable || latched : !(reliable && latched);
    }

    /** A match or unmatch of a local endpoint (the Publisher or Subscriber), as the DDS listener reports it (on a DDS thread). */
    void matching(Object local, MatchingInfo info) {
        String remote = gid(info.getGuid()); // the info object is reused by the library: copy now
        boolean matchedNow = info.getStatus() == MatchingInfo.MatchingStatus.MATCHED_MATCHING;
        synchronized (this) {
            if (remote.startsWith(ownPrefix)) return;
            Map<String, Long> peers = matched.computeIfAbsent(local, g -> new HashMap<>());
            if (matchedNow) {
                peers.putIfAbsent(remote, clock.getAsLong());
            } else {
                peers.remove(remote);
                Local l = locals.get(local);
                if (l != null && l.probe) realUnmatched.remove(key(l, remote));
                else if (l != null) realUnmatched.put(key(l, remote), clock.getAsLong());
            }
        }
        try { // a remote that leaves is unmatched by each endpoint in turn: judge once all have heard
            checks.schedule(this::check, GRACE_MS + 50, TimeUnit.MILLISECONDS);
        } catch (RuntimeException closed) { // the node is shutting down
        }
    }

    /** The incompatible matches now (each remote endpoint once per topic). */
    public synchronized List<Mismatch> incompatible() {
        long now = clock.getAsLong();
        Map<String, Set<String>> realPeers = new HashMap<>(); // topic + side -> remotes a real endpoint matches
        matched.forEach((g, peers) -> {
            Local l = locals.get(g);
            if (l != null && !l.probe) realPeers.computeIfAbsent(l.topic + (l.reader ? " R" : " W"), k -> new HashSet<>()).addAll(peers.keySet());
        });
        Map<String, Mismatch> found = new LinkedHashMap<>();
        matched.forEach((g, peers) -> {
            Local probe = locals.get(g);
            if (probe == null || !probe.probe) return;
            Set<String> real = realPeers.getOrDefault(probe.topic + (probe.reader ? " R" : " W"), Set.of());
            Local refusing = refusing(probe);
            peers.forEach((remote, since) -> {
                long unmatched = Math.max(since, realUnmatched.getOrDefault(key(probe, remote), 0L));
                if (!real.contains(remote) && now - unmatched >= GRACE_MS) {
                    found.putIfAbsent(probe.topic + remote, new Mismatch(probe.topic, probe.reader, remote, cause(refusing)));
                }
            });
        });
        return new ArrayList<>(found.values());
    }

    /** How many remote endpoints the node's own (not probe) endpoints on {@code topic} match now: subscribers of its writers, or publishers of its readers. */
    synchronized int matchedPeers(String topic, boolean reader) {
        Set<String> peers = new HashSet<>();
        matched.forEach((g, remotes) -> {
            Local l = locals.get(g);
            if (l != null && !l.probe && l.reader == reader && l.topic.equals(topic)) peers.addAll(remotes.keySet());
        });
        return peers.size();
    }

    private static String key(Local l, String remote) {
        return l.topic + (l.reader ? " R " : " W ") + remote;
    }

    /** The real endpoint beside a probe. */
    private Local refusing(Local probe) {
        return locals.values().stream().filter(l -> !l.probe && l.reader == probe.reader && l.topic.equals(probe.topic)).findFirst().orElse(probe);
    }

    /** What the peer must be, given the node's endpoint refused it (as far as reliability and durability tell). */
    private static String cause(Local l) {
        String qos = (l.reliable ? "reliable" : "best effort") + ", " + (l.transientLocal ? "transient local" : "volatile");
        if (l.reader) {
            String peer = l.reliable && l.transientLocal ? "best effort or volatile" : l.reliable ? "best effort" : "volatile";
            return "is " + peer + "; the node's reader requires " + qos + ": nothing it publishes reaches the node";
        }
        String peer = !l.reliable && !l.transientLocal ? "reliable or transient local" : l.reliable ? "transient local" : "reliable";
        return "requires " + peer + "; the node's writer offers " + qos + ": it receives nothing the node publishes";
    }

    private void check() {
        List<Mismatch> now = incompatible();
        Set<Mismatch> current = new HashSet<>(now);
        Set<Mismatch> before;
        synchronized (this) {
            before = reported;
            reported = current;
        }
        for (Mismatch m : now) if (!before.contains(m)) LOG.warn("{}", m);
        for (Mismatch m : before) if (!current.contains(m)) LOG.info("resolved: {}", m);
    }

    static String gid(Guid g) {
        StringBuilder b = new StringBuilder(32);
        for (byte x : g.getGuidPrefix().getValue()) b.append(String.format("%02x", x));
        for (byte x : g.getEntity().getValue()) b.append(String.format("%02x", x));
        return b.toString();
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
