package pponode.ros;

import com.eprosima.xmlschemas.fastrtps_profiles.DurabilityQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.HistoryQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.ReliabilityQosKindPolicyType;
import geometry_msgs.msg.dds.PointStamped;
import geometry_msgs.msg.dds.PointStampedPubSubType;
import geometry_msgs.msg.dds.Twist;
import geometry_msgs.msg.dds.TwistPubSubType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import nav_msgs.msg.dds.Odometry;
import nav_msgs.msg.dds.OdometryPubSubType;
import pponode.env.RobotTask;
import pponode.env.terms.ObservationTerm.Input;
import sensor_msgs.msg.dds.Imu;
import sensor_msgs.msg.dds.ImuPubSubType;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import us.ihmc.idl.IDLSequence;
import us.ihmc.pubsub.common.SampleInfo;
import us.ihmc.pubsub.subscriber.Subscriber;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2QosProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ROS 2 over DDS from the JVM with ihmc-ros2-library: Fast DDS is bundled in its jar, so no ROS
 * installation is needed, and the wire format (RTPS, "rt/" topic prefix, ROS 2 type names such as
 * sensor_msgs::msg::dds_::JointState_) is what every ROS 2 node speaks. rcljava would need a ROS 2
 * install and colcon, which a plain JDK machine does not have.
 */
public final class Ros2 {
    private static final Logger LOG = LoggerFactory.getLogger(Ros2.class);
    private Ros2() {}

    /** The node's participant, in the discovery range of {@code p}'s environment, announced in the ROS 2 graph. */
    public static RosNode node(RosParams p) {
        return new RosNode(p, Discovery.fromEnvironment(p.environment));
    }

    /**
     * Feeds every JointState on the configured topics into {@code assembler}; {@code after} gets the
     * receive time (System.nanoTime) of each message once it is merged.
     */
    public static void subscribeJointStates(ROS2Node node, NetworkInput input, RosParams p, JointStateAssembler assembler, LongConsumer after) {
        for (String topic : p.jointStateTopics) {
            JointStateReader reader = new JointStateReader();
            input.subscribe(node, new JointStatePubSubType(), p.resolve(topic), qos(p.jointStateQos), sub -> {
                long now;
                synchronized (reader) { // the reader's storage is reused by the next message
                    if (!reader.take(sub)) return;
                    now = System.nanoTime();
                    assembler.update(reader.names, reader.position, reader.positions, reader.velocity, reader.velocities, reader.effort, reader.efforts, now);
                    assembler.stampJointState(reader.stampNanos);
                }
                after.accept(now);
            });
        }
    }

    /**
     * Takes JointState messages off one subscription into storage it reuses: at 500 Hz a fresh
     * message, name strings and arrays per sample are tens of MB/s of garbage, and the collections
     * they cause pause the control path for milliseconds. Names are decoded only when they differ
     * from the previous message's (a robot sends the same names every time).
     */
    static final class JointStateReader {
        private final JointState message = new JointState();
        private final SampleInfo info = new SampleInfo();
        final List<String> names = new ArrayList<>();
        double[] position = new double[0], velocity = new double[0], effort = new double[0];
        int positions, velocities, efforts;
        long stampNanos;

        boolean take(Subscriber<JointState> sub) {
            if (!sub.takeNextData(message, info)) return false;
            stampNanos = stampNanos(message.getHeader().getStamp());
            var wireNames = message.getName();
            while (names.size() > wireNames.size()) names.remove(names.size() - 1);
            for (int i = 0; i < wireNames.size(); i++) {
                StringBuilder w = wireNames.get(i);
                if (i == names.size()) names.add(w.toString());
                else if (!names.get(i).contentEquals(w)) names.set(i, w.toString());
            }
            positions = copy(message.getPosition(), position);
            if (positions > position.length) position = message.getPosition().toArray();
            velocities = copy(message.getVelocity(), velocity);
            if (velocities > velocity.length) velocity = message.getVelocity().toArray();
            efforts = copy(message.getEffort(), effort);
            if (efforts > effort.length) effort = message.getEffort().toArray();
            return true;
        }

        /** Copies into {@code into} when it fits; returns the sequence's size either way. */
        private static int copy(IDLSequence.Double from, double[] into) {
            int n = from.size();
            if (n <= into.length) for (int i = 0; i < n; i++) into[i] = from.get(i);
            return n;
        }
    }

    /**
     * Feeds the base state a legged task observes into {@code assembler}: sensor_msgs/Imu (always,
     * for a floating base), nav_msgs/Odometry (when the task observes base_lin_vel) and
     * geometry_msgs/Twist on cmd_vel (when it has velocity commands), each with sensor-data QoS
     * except cmd_vel (reliable, as teleop and navigation publish it).
     */
    public static void subscribeBase(ROS2Node node, NetworkInput input, RosParams p, RobotTask task, JointStateAssembler assembler, Runnable baseArrived) {
        if (task.floatingBase) {
            Imu imu = new Imu();
            SampleInfo info = new SampleInfo();
            input.subscribe(node, new ImuPubSubType(), p.resolve(p.imuTopic), qos("sensor_data"), sub -> {
                synchronized (imu) {
                    if (!sub.takeNextData(imu, info)) return;
                    var o = imu.getOrientation();
                    var w = imu.getAngularVelocity();
                    assembler.updateImu(o.getS(), o.getX(), o.getY(), o.getZ(), w.getX(), w.getY(), w.getZ(), System.nanoTime());
                    assembler.stampImu(stampNanos(imu.getHeader().getStamp()));
                }
                baseArrived.run();
            });
        }
        if (task.floatingBase && task.observationInputs().contains(Input.BASE_LINEAR_VELOCITY)) {
            Odometry odom = new Odometry();
            SampleInfo info = new SampleInfo();
            input.subscribe(node, new OdometryPubSubType(), p.resolve(p.odomTopic), qos("sensor_data"), sub -> {
                synchronized (odom) {
                    if (!sub.takeNextData(odom, info)) return;
                    var v = odom.getTwist().getTwist().getLinear();
                    assembler.updateOdometry(v.getX(), v.getY(), v.getZ(), System.nanoTime());
                    assembler.stampOdometry(stampNanos(odom.getHeader().getStamp()));
                }
                baseArrived.run();
            });
        }
        if (task.commands != null) {
            Twist twist = new Twist();
            SampleInfo info = new SampleInfo();
            input.subscribe(node, new TwistPubSubType(), p.resolve(p.cmdVelTopic), qos("reliable"), sub -> {
                synchronized (twist) {
                    if (!sub.takeNextData(twist, info)) return;
                    assembler.updateCommand(twist.getLinear().getX(), twist.getLinear().getY(), twist.getAngular().getZ(), System.nanoTime());
                }
            });
        }
    }

    /** A header stamp (builtin_interfaces/Time) in nanoseconds; 0 for an unstamped message. */
    static long stampNanos(builtin_interfaces.msg.dds.Time t) {
        return t.getSec() * 1_000_000_000L + t.getNanosec();
    }

    /** Delivers each geometry_msgs/PointStamped on the target topic as {x, y, z}. */
    public static void subscribeTarget(ROS2Node node, NetworkInput input, RosParams p, Consumer<double[]> target) {
        input.subscribe(node, new PointStampedPubSubType(), p.resolve(p.targetTopic), qos("reliable"), sub -> {
            PointStamped m = sub.takeNextData();
            if (m != null) target.accept(new double[] {m.getPoint().getX(), m.getPoint().getY(), m.getPoint().getZ()});
        });
    }

    /**
     * The QoS profiles by the names the parameters use, as rclcpp defines them: sensor_data (best
     * effort, keep last 5), best_effort (keep last 10), reliable (keep last 10), all volatile.
     */
    public static ROS2QosProfile qos(String name) {
        return switch (name) {
            case "sensor_data" -> new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 5, ReliabilityQosKindPolicyType.BEST_EFFORT,
                    DurabilityQosKindPolicyType.VOLATILE, false);
            case "best_effort" -> new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 10, ReliabilityQosKindPolicyType.BEST_EFFORT,
                    DurabilityQosKindPolicyType.VOLATILE, false);
            case "reliable" -> new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 10, ReliabilityQosKindPolicyType.RELIABLE,
                    DurabilityQosKindPolicyType.VOLATILE, false);
            default -> throw new IllegalArgumentException("QoS profile must be sensor_data, best_effort or reliable, got '" + name + "'");
        };
    }

    /**
     * Best effort and volatile: the least a reader can ask, so every publisher matches it, whatever
     * its reliability and durability (e.g. {@code ros2 topic pub}'s reliable volatile default). A
     * topic that must be heard from any publisher (the e-stop) adds this reader beside its latched one.
     */
    public static ROS2QosProfile anyWriter() {
        return new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 10, ReliabilityQosKindPolicyType.BEST_EFFORT, DurabilityQosKindPolicyType.VOLATILE, false);
    }

    /**
     * Latched state (the e-stop): reliable, transient local, keep last 1. A publisher with the same
     * QoS hands the node its last value when the node starts later; a volatile publisher does not
     * match this reader (DDS's durability rule), which is why the e-stop also reads with {@link #anyWriter()}.
     */
    public static ROS2QosProfile latched() {
        return new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 1, ReliabilityQosKindPolicyType.RELIABLE, DurabilityQosKindPolicyType.TRANSIENT_LOCAL, false);
    }

    /** How long a node's shutdown may take before the process goes on without it. */
    public static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    /**
     * Destroys {@code node} after closing the inputs that read from it (so no callback touches a
     * subscriber being deleted), within {@link #SHUTDOWN_TIMEOUT_MS}: a native deletion that does
     * not return by then is left to the process's exit, with a warning, so a robot's node always
     * stops when told. True if the node was destroyed in time.
     */
    public static boolean destroy(ROS2Node node, NetworkInput... inputs) {
        long deadline = System.nanoTime() + SHUTDOWN_TIMEOUT_MS * 1_000_000L;
        try {
            for (NetworkInput in : inputs) {
                if (!in.close(Math.max(0, (deadline - System.nanoTime()) / 1_000_000L))) {
                    LOG.warn("{}: a message handler did not return within {} ms of shutdown", node.getName(), SHUTDOWN_TIMEOUT_MS);
                }
            }
            Thread destroyer = new Thread(node::destroy, "destroy-" + node.getName());
            destroyer.setDaemon(true); // a stuck native call must not keep the process alive
            destroyer.start();
            destroyer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            if (destroyer.isAlive()) {
                LOG.warn("{}: the DDS participant did not shut down within {} ms; going on without it (the process exit ends it)", node.getName(),
                        SHUTDOWN_TIMEOUT_MS);
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
