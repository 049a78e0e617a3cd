package pponode.ros;

import geometry_msgs.msg.dds.PointStamped;
import geometry_msgs.msg.dds.PointStampedPubSubType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import us.ihmc.pubsub.DomainFactory;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2QosProfile;

/**
 * ROS 2 over DDS from the JVM with ihmc-ros2-library: Fast DDS is bundled in its jar, so no ROS
 * installation is needed, and the wire format (RTPS, "rt/" topic prefix, ROS 2 type names such as
 * sensor_msgs::msg::dds_::JointState_) is what every ROS 2 node speaks. rcljava would need a ROS 2
 * install and colcon, which a plain JDK machine does not have.
 */
public final class Ros2 {
    private Ros2() {}

    public static ROS2Node node(RosParams p) {
        return new ROS2Node(DomainFactory.getDomain(DomainFactory.PubSubImplementation.FAST_RTPS), p.nodeName,
                p.namespace.startsWith("/") ? p.namespace.substring(1) : p.namespace, p.domain());
    }

    /**
     * Feeds every JointState on the configured topics into {@code assembler}; {@code after} gets the
     * receive time (System.nanoTime) of each message once it is merged.
     */
    public static void subscribeJointStates(ROS2Node node, RosParams p, JointStateAssembler assembler, LongConsumer after) {
        JointStatePubSubType js = new JointStatePubSubType();
        for (String topic : p.jointStateTopics) {
            node.createSubscription(js, sub -> {
                JointState m = sub.takeNextData();
                if (m == null) return;
                List<String> names = new ArrayList<>(m.getName().size());
                for (int i = 0; i < m.getName().size(); i++) names.add(m.getName().getString(i));
                long now = System.nanoTime();
                assembler.update(names, m.getPosition().toArray(), m.getVelocity().toArray(), now);
                after.accept(now);
            }, node.createSubscriberAttributes(p.resolve(topic), js, qos(p.jointStateQos)));
        }
    }

    /** Delivers each geometry_msgs/PointStamped on the target topic as {x, y, z}. */
    public static void subscribeTarget(ROS2Node node, RosParams p, Consumer<double[]> target) {
        PointStampedPubSubType pt = new PointStampedPubSubType();
        node.createSubscription(pt, sub -> {
            PointStamped m = sub.takeNextData();
            if (m != null) target.accept(new double[] {m.getPoint().getX(), m.getPoint().getY(), m.getPoint().getZ()});
        }, node.createSubscriberAttributes(p.resolve(p.targetTopic), pt, qos("reliable")));
    }

    /** sensor_data and best_effort: keep-last, best effort (ROS 2's sensor-data profile); reliable otherwise. */
    public static ROS2QosProfile qos(String name) {
        return name.equals("reliable") ? ROS2QosProfile.RELIABLE() : ROS2QosProfile.BEST_EFFORT();
    }
}
