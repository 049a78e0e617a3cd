package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import geometry_msgs.msg.dds.Twist;
import geometry_msgs.msg.dds.TwistPubSubType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import nav_msgs.msg.dds.Odometry;
import nav_msgs.msg.dds.OdometryPubSubType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestDomains;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.onnx.OnnxPolicy;
import pponode.runner.OnPolicyRunner;
import pponode.sim.BaseState;
import sensor_msgs.msg.dds.Imu;
import sensor_msgs.msg.dds.ImuPubSubType;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * The quadruped over DDS: the simulator serves joint states, sensor_msgs/Imu and nav_msgs/Odometry;
 * the deploy node runs a policy on them and on geometry_msgs/Twist from cmd_vel. A stale cmd_vel
 * commands standing still (the policy keeps control); a stale IMU takes the policy off (the safe
 * command). The policy here is two rollouts old: this tests the wiring, not walking.
 */
@Tag("slow")
class LeggedRosTest {
    @TempDir
    static Path dir;
    static Path onnx;
    static RobotTask task;

    @BeforeAll
    static void exportAPolicy() throws IOException {
        PPOConfig c = new PPOConfig();
        c.envId = "quadruped_walk";
        Presets.apply(c, "quadruped_walk");
        c.apply(List.of("seed=1", "total_timesteps=2048", "vec_env=sync"));
        onnx = dir.resolve("quadruped.onnx");
        try (OnPolicyRunner r = new OnPolicyRunner(c, s -> EnvRegistry.make("quadruped_walk", s), null)) {
            r.learn(null);
            OnnxExporter.write(r.policy(), Deployment.metadata("quadruped_walk"), onnx);
        }
        task = EnvRegistry.task("quadruped_walk");
    }

    static RosParams params(int domain) {
        RosParams p = new RosParams();
        p.domainId = domain;
        p.task = "quadruped_walk";
        return p;
    }

    static void await(BooleanSupplier cond, long ms, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out after " + ms + " ms waiting for: " + what);
            Thread.sleep(5);
        }
    }

    /** Publishes a Twist on cmd_vel every 50 ms while {@code on}. */
    static final class Teleop implements AutoCloseable {
        final ROS2Node node;
        final ROS2PublisherBasics<Twist> pub;
        volatile boolean on = true, closed;
        final Thread thread;

        Teleop(RosParams p, double vx) {
            RosParams q = params(p.domainId);
            q.nodeName = "teleop";
            node = Ros2.node(q);
            TwistPubSubType t = new TwistPubSubType();
            pub = node.createPublisher(t, node.createPublisherAttributes(t, p.resolve(p.cmdVelTopic), Ros2.qos("reliable")));
            thread = new Thread(() -> {
                Twist m = new Twist();
                m.getLinear().setX(vx);
                while (!closed) {
                    if (on) pub.publish(m);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join();
            node.destroy();
        }
    }

    @Test
    void theSimulatedQuadrupedServesImuAndOdometryAndAStaleCmdVelCommandsStandingStill() throws Exception {
        int domain = TestDomains.claim();
        RosParams simP = params(domain), depP = params(domain);
        try (OnnxPolicy op = OnnxPolicy.load(onnx); SimNode sim = new SimNode(simP, task).start(); DeployNode dep = new DeployNode(depP, op, task).start();
                Teleop teleop = new Teleop(depP, 0.5)) {
            await(() -> dep.published() > 20 && !dep.safe() && dep.commandFresh(), 30_000, "the policy acting on joint states, IMU, odometry and a fresh cmd_vel");
            BaseState s = new BaseState();
            sim.baseState(s);
            System.out.printf("legged ROS 2 loop: %d commands, base at z = %.3f m; policy in control with cmd_vel%n", dep.published(), s.position[2]);
            teleop.on = false;
            await(() -> !dep.commandFresh(), 5_000, "cmd_vel going stale (500 ms) and the command falling to zero");
            long before = dep.published();
            await(() -> dep.published() > before + 10, 5_000, "commands going on");
            assertFalse(dep.safe(), "a stale cmd_vel keeps the policy in control, standing still: " + dep.reason());
        }
    }

    @Test
    void aStaleImuTakesThePolicyOff() throws Exception {
        int domain = TestDomains.claim();
        RosParams p = params(domain);
        RosParams q = params(domain);
        q.nodeName = "fake_quadruped";
        ROS2Node robot = Ros2.node(q);
        try (OnnxPolicy op = OnnxPolicy.load(onnx); DeployNode dep = new DeployNode(p, op, task).start(); Teleop teleop = new Teleop(p, 0.5)) {
            JointStatePubSubType jt = new JointStatePubSubType();
            ROS2PublisherBasics<JointState> joints = robot.createPublisher(jt, robot.createPublisherAttributes(jt, p.resolve("joint_states"), Ros2.qos("sensor_data")));
            ImuPubSubType it = new ImuPubSubType();
            ROS2PublisherBasics<Imu> imu = robot.createPublisher(it, robot.createPublisherAttributes(it, p.resolve(p.imuTopic), Ros2.qos("sensor_data")));
            OdometryPubSubType ot = new OdometryPubSubType();
            ROS2PublisherBasics<Odometry> odom = robot.createPublisher(ot, robot.createPublisherAttributes(ot, p.resolve(p.odomTopic), Ros2.qos("sensor_data")));
            JointState js = new JointState();
            for (int i = 0; i < 12; i++) {
                js.getName().add(task.robot.movableJoints().get(i).name());
                js.getPosition().add(task.defaultJointPos[i]);
                js.getVelocity().add(0.0);
            }
            Imu level = new Imu();
            level.getOrientation().setToZero();
            Odometry still = new Odometry();
            boolean[] imuOn = {true};
            BooleanSupplier publish = () -> {
                joints.publish(js);
                if (imuOn[0]) imu.publish(level);
                odom.publish(still);
                return true;
            };
            long end = System.currentTimeMillis() + 30_000;
            while (!(dep.published() > 20 && !dep.safe())) {
                assertTrue(System.currentTimeMillis() < end, "the policy never took control: " + dep.reason());
                publish.getAsBoolean();
                Thread.sleep(10);
            }
            imuOn[0] = false;
            end = System.currentTimeMillis() + 5_000;
            while (!dep.safe()) {
                assertTrue(System.currentTimeMillis() < end, "a stale IMU must take the policy off");
                publish.getAsBoolean();
                Thread.sleep(10);
            }
            assertTrue(dep.reason().contains("IMU"), dep.reason());
            System.out.println("stale IMU: " + dep.reason());
        } finally {
            robot.destroy();
        }
    }
}
