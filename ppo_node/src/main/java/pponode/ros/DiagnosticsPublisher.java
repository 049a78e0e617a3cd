package pponode.ros;

import diagnostic_msgs.msg.dds.DiagnosticArray;
import diagnostic_msgs.msg.dds.DiagnosticArrayPubSubType;
import diagnostic_msgs.msg.dds.DiagnosticStatus;
import diagnostic_msgs.msg.dds.KeyValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * Node health as {@code diagnostic_msgs/DiagnosticArray} on {@code /diagnostics}, every period, as
 * diagnostic_updater publishes it: one status named {@code <node>: <what>}, the hardware id, a
 * level (OK, WARN, ERROR), a message and key/value pairs, and a second, {@code <node>: qos}: WARN
 * with one value per peer the node's endpoints refuse by QoS, OK when there is none.
 * rqt_robot_monitor and the diagnostic_aggregator read it as they read any ROS 2 driver's.
 */
public final class DiagnosticsPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiagnosticsPublisher.class);
    static final String TOPIC = "/diagnostics";
    public static final byte OK = 0, WARN = 1, ERROR = 2;
    /** The generated message types bound every string to 255 characters. */
    private static final int MAX_STRING = 255;

    /** One report. */
    public record Status(byte level, String message, Map<String, String> values) {}

    private final ROS2PublisherBasics<DiagnosticArray> publisher;
    private final ScheduledExecutorService timer;
    private final RosNode node;
    private final String name, hardwareId;
    private final Supplier<Status> status;

    /** Publishes {@code status.get()} every {@code periodMs} (a null status skips that period). */
    public DiagnosticsPublisher(RosNode node, String name, String hardwareId, long periodMs, Supplier<Status> status) {
        this.node = node;
        this.name = name;
        this.hardwareId = hardwareId;
        this.status = status;
        DiagnosticArrayPubSubType type = new DiagnosticArrayPubSubType();
        publisher = node.createPublisher(type, node.createPublisherAttributes(type, TOPIC, Ros2.qos("reliable")));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "diagnostics");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        timer.scheduleAtFixedRate(this::publish, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private void publish() {
        try {
            Status s = status.get();
            if (s == null) return;
            DiagnosticArray array = new DiagnosticArray();
            long now = System.currentTimeMillis();
            array.getHeader().getStamp().setSec((int) (now / 1000));
            array.getHeader().getStamp().setNanosec((int) (now % 1000) * 1_000_000);
            add(array, name, s);
            add(array, node.fullyQualifiedName() + ": qos", qosStatus(node.incompatibleQos()));
            publisher.publish(array);
        } catch (RuntimeException e) { // a report that cannot be made must not end the timer
            LOG.debug("diagnostics not published: {}", e.toString());
        }
    }

    private void add(DiagnosticArray array, String statusName, Status s) {
        DiagnosticStatus d = array.getStatus().add();
        d.setLevel(s.level());
        d.setName(bounded(statusName));
        d.setHardwareId(bounded(hardwareId));
        d.setMessage(bounded(s.message()));
        for (Map.Entry<String, String> e : s.values().entrySet()) {
            KeyValue kv = d.getValues().add();
            kv.setKey(bounded(e.getKey()));
            kv.setValue(bounded(e.getValue()));
        }
    }

    /** WARN naming each refused peer (topic and gid as key, what it lacks as value), or OK. */
    static Status qosStatus(List<QosCompatibility.Mismatch> refused) {
        if (refused.isEmpty()) return new Status(OK, "no peer refused by QoS", Map.of());
        Map<String, String> values = new LinkedHashMap<>();
        for (QosCompatibility.Mismatch m : refused) values.put(m.topic() + " " + m.remoteGid(), (m.remoteIsWriter() ? "publisher " : "subscriber ") + m.cause());
        return new Status(WARN, refused.size() + " incompatible QoS match" + (refused.size() == 1 ? "" : "es") + " on "
                + String.join(", ", refused.stream().map(QosCompatibility.Mismatch::topic).distinct().toList()), values);
    }

    private static String bounded(String s) {
        return s.length() <= MAX_STRING ? s : s.substring(0, MAX_STRING - 3) + "...";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
