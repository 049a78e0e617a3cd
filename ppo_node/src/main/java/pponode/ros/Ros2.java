package pponode.ros;

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

    /** sensor_data and best_effort: keep-last, best effort (ROS 2's sensor-data profile); reliable otherwise. */
    public static ROS2QosProfile qos(String name) {
        return name.equals("reliable") ? ROS2QosProfile.RELIABLE() : ROS2QosProfile.BEST_EFFORT();
    }
}
