package pponode.teleop;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.ros.DiagnosticsPublisher;
import pponode.ros.RosNode;
import pponode.ros.NetworkInput;
import pponode.ros.Ros2;
import std_msgs.msg.dds.StringPubSubType;

/**
 * The operator channel over ROS 2: the same JSON commands as MQTT in {@code std_msgs/String} on
 * {@code teleop.ros_topic} (reliable); fine-tuning telemetry as {@code diagnostic_msgs/DiagnosticArray}
 * on {@code /diagnostics} every {@code teleop.telemetry_period_ms}, where ROS 2 tools look for a
 * node's health. ROS 2 has no authentication of its own here: set {@code teleop.token} (or SROS 2
 * on the DDS side).
 */
public final class RosOperatorChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RosOperatorChannel.class);
    private final NetworkInput input = new NetworkInput();
    private final AtomicReference<Map<String, ?>> latest = new AtomicReference<>();
    private final DiagnosticsPublisher diagnostics;

    public RosOperatorChannel(RosNode node, TeleopConfig cfg, CommandSink sink) {
        StringPubSubType t = new StringPubSubType();
        input.subscribe(node, t, cfg.rosTopic, Ros2.qos("reliable"), sub -> {
            std_msgs.msg.dds.String m = sub.takeNextData();
            if (m != null) sink.submit(m.getDataAsString().getBytes(StandardCharsets.UTF_8), "ros2 " + cfg.rosTopic);
        });
        String name = node.fullyQualifiedName() + ": fine-tuning";
        diagnostics = new DiagnosticsPublisher(node, name, cfg.robot, cfg.telemetryPeriodMs, this::status);
        LOG.info("teleop ros2: commands on {}, telemetry on /diagnostics every {} ms", cfg.rosTopic, cfg.telemetryPeriodMs);
    }

    /** Commands that could not be taken (oversized or malformed) and were dropped. */
    public long dropped() {
        return input.dropped();
    }

    /** The latest telemetry record; it goes out with the next diagnostics period. */
    public void publishTelemetry(Map<String, ?> fields) {
        latest.set(fields);
    }

    private DiagnosticsPublisher.Status status() {
        Map<String, ?> t = latest.get();
        if (t == null) return null;
        Map<String, String> values = new LinkedHashMap<>();
        t.forEach((k, v) -> values.put(k, String.valueOf(v)));
        String mode = String.valueOf(t.get("mode"));
        return new DiagnosticsPublisher.Status(DiagnosticsPublisher.OK, "fine-tuning, update " + t.get("update") + ", " + mode + " acting", values);
    }

    /** Stops taking operator commands (before the node is destroyed: see {@link NetworkInput#close}). */
    @Override
    public void close() {
        diagnostics.close();
        try {
            input.close(Ros2.SHUTDOWN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
