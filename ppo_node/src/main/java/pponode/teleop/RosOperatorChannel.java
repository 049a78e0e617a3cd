package pponode.teleop;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.ros.NetworkInput;
import pponode.ros.Ros2;
import std_msgs.msg.dds.StringPubSubType;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * The operator channel over ROS 2: the same JSON commands as MQTT in {@code std_msgs/String} on
 * {@code teleop.ros_topic} (reliable), telemetry as JSON on {@code <ros_topic>/../telemetry}.
 * ROS 2 has no authentication of its own here: set {@code teleop.token} (or SROS 2 on the DDS side).
 */
public final class RosOperatorChannel {
    private static final Logger LOG = LoggerFactory.getLogger(RosOperatorChannel.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final ROS2PublisherBasics<std_msgs.msg.dds.String> telemetry;
    private final NetworkInput input = new NetworkInput();

    public RosOperatorChannel(ROS2Node node, TeleopConfig cfg, CommandSink sink) {
        StringPubSubType t = new StringPubSubType();
        input.subscribe(node, t, cfg.rosTopic, Ros2.qos("reliable"), sub -> {
            std_msgs.msg.dds.String m = sub.takeNextData();
            if (m != null) sink.submit(m.getDataAsString().getBytes(StandardCharsets.UTF_8), "ros2 " + cfg.rosTopic);
        });
        String telemetryTopic = telemetryTopic(cfg.rosTopic);
        telemetry = node.createPublisher(t, node.createPublisherAttributes(t, telemetryTopic, Ros2.qos("reliable")));
        LOG.info("teleop ros2: commands on {}, telemetry on {}", cfg.rosTopic, telemetryTopic);
    }

    /** Commands that could not be taken (oversized or malformed) and were dropped. */
    public long dropped() {
        return input.dropped();
    }

    static String telemetryTopic(String commandTopic) {
        int i = commandTopic.lastIndexOf('/');
        String ns = i <= 0 ? "" : commandTopic.substring(0, i);
        if (ns.endsWith("/teleop")) ns = ns.substring(0, ns.length() - "/teleop".length());
        return ns + "/telemetry";
    }

    public void publishTelemetry(Map<String, ?> fields) {
        try {
            std_msgs.msg.dds.String m = new std_msgs.msg.dds.String();
            m.setData(JSON.writeValueAsString(fields));
            telemetry.publish(m);
        } catch (Exception e) {
            LOG.debug("teleop ros2: telemetry not sent: {}", e.toString());
        }
    }
}
