package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestDomains;
import pponode.TestSupport;
import pponode.ros.Ros2;
import pponode.ros.RosNode;
import pponode.ros.RosParams;
import geometry_msgs.msg.dds.PointStamped;
import geometry_msgs.msg.dds.PointStampedPubSubType;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * The deploy node's states requested over the teleop channel: the checks every operator message
 * passes, and a deploy node driven through its states by an operator on mosquitto, its telemetry
 * saying where it is.
 */
class DeployStateRequestsTest {
    record Request(String kind, String value, String source) {}

    private final List<Request> heard = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final StateRequests requests = new StateRequests(new TeleopConfig().apply(List.of("token=s3cret")), now::get, new StateRequests.Listener() {
        @Override
        public void mode(String state, String source) {
            heard.add(new Request("mode", state, source));
        }

        @Override
        public void estop(boolean engaged, String channel, String source) {
            assertEquals("mqtt ppo_node/arm1/teleop/cmd", channel);
            heard.add(new Request("estop", String.valueOf(engaged), source));
        }
    });

    private String send(String json) {
        return requests.submit(json.getBytes(StandardCharsets.UTF_8), "mqtt ppo_node/arm1/teleop/cmd");
    }

    @Test
    void stoppingIsObeyedHoweverOldStartingOnlyFreshAndEveryMessageIsChecked() {
        long stale = now.get() - 10_000;
        assertNull(send("{\"operator\": \"alice\", \"seq\": 1, \"stamp_ms\": " + stale + ", \"mode\": \"damping\", \"token\": \"s3cret\"}"), "damping, 10 s old");
        assertNull(send("{\"operator\": \"alice\", \"seq\": 2, \"stamp_ms\": " + stale + ", \"estop\": true, \"token\": \"s3cret\"}"), "an e-stop, 10 s old");
        assertEquals("stale: stamped 10000 ms ago (deadman 250 ms)", send("{\"operator\": \"alice\", \"seq\": 3, \"stamp_ms\": " + stale
                + ", \"estop\": false, \"token\": \"s3cret\"}"), "a release must be fresh");
        assertTrue(send("{\"operator\": \"alice\", \"seq\": 4, \"stamp_ms\": " + stale + ", \"mode\": \"policy\", \"token\": \"s3cret\"}").startsWith("stale"));
        assertNull(send("{\"operator\": \"alice\", \"seq\": 5, \"stamp_ms\": " + now.get() + ", \"mode\": \"standby\", \"token\": \"s3cret\"}"));
        assertTrue(send("{\"operator\": \"alice\", \"seq\": 5, \"stamp_ms\": " + now.get() + ", \"mode\": \"policy\", \"token\": \"s3cret\"}").startsWith("duplicate or out of order"));
        assertTrue(send("{\"operator\": \"mallory\", \"seq\": 9, \"stamp_ms\": " + now.get() + ", \"estop\": false}").startsWith("unauthenticated"));
        assertEquals("'mode' must be passive, standby, policy or damping, got 'walk'",
                send("{\"operator\": \"alice\", \"seq\": 6, \"stamp_ms\": " + now.get() + ", \"mode\": \"walk\", \"token\": \"s3cret\"}"));
        assertEquals("deploy takes state requests ('mode', 'estop'); a takeover is for fine-tuning",
                send("{\"operator\": \"alice\", \"seq\": 7, \"stamp_ms\": " + now.get() + ", \"takeover\": true, \"actions\": {\"joint1\": 0.1}, \"token\": \"s3cret\"}"));
        assertEquals("a state request needs 'mode' (passive, standby, policy, damping) or 'estop' (true, false)",
                send("{\"operator\": \"alice\", \"seq\": 8, \"stamp_ms\": " + now.get() + ", \"token\": \"s3cret\"}"));
        assertEquals(List.of(new Request("mode", "damping", "teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd"),
                new Request("estop", "true", "teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd"), new Request("mode", "standby", "teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd")),
                heard);
        assertEquals(3, requests.accepted());
    }

    /** The latest telemetry record the viewer has seen. */
    private static String latest(List<String> telemetry) {
        return telemetry.isEmpty() ? "" : telemetry.get(telemetry.size() - 1);
    }

    private static void awaitState(List<String> telemetry, String state, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!latest(telemetry).contains("\"state\":\"" + state + "\"")) {
            if (System.currentTimeMillis() > end) throw new AssertionError("the node never reported " + state + "; telemetry: " + telemetry);
            Thread.sleep(20);
        }
    }

    @Test
    @Tag("slow")
    void anOperatorOnMqttMovesTheDeployNodeThroughItsStates(@TempDir Path dir) throws Exception {
        Path onnx = TestSupport.exportedPolicy("reacher_2dof", dir.resolve("policy.onnx"), "num_envs=2", "rollout_steps=128", "minibatch_size=128", "n_epochs=2",
                "total_timesteps=512", "seed=4");
        int domain = TestDomains.claim();
        try (Mosquitto broker = new Mosquitto(dir, TeleopMqttTest.USERS, TeleopMqttTest.ACL)) {
            List<String> telemetry = new CopyOnWriteArrayList<>();
            MqttClient viewer = TeleopMqttTest.viewer(broker, telemetry);
            RosParams rp = new RosParams();
            rp.domainId = domain;
            rp.nodeName = "arm1_driver";
            RosNode robot = Ros2.node(rp);
            JointStatePubSubType js = new JointStatePubSubType();
            ROS2PublisherBasics<JointState> joints = robot.createPublisher(js, robot.createPublisherAttributes(js, "/joint_states", Ros2.qos("sensor_data")));
            PointStampedPubSubType pt = new PointStampedPubSubType();
            ROS2PublisherBasics<PointStamped> targets = robot.createPublisher(pt, robot.createPublisherAttributes(pt, "/ppo_node/target", Ros2.qos("reliable")));
            AtomicBoolean run = new AtomicBoolean(true);
            Thread driver = new Thread(() -> {
                JointState m = new JointState();
                m.getName().add("joint1");
                m.getName().add("joint2");
                m.getPosition().add(0.2);
                m.getPosition().add(0.5);
                m.getVelocity().add(0.0);
                m.getVelocity().add(0.0);
                PointStamped target = new PointStamped(); // the reacher's goal
                target.getPoint().set(0.1, 0.1, 0);
                while (run.get()) {
                    joints.publish(m);
                    targets.publish(target);
                    LockSupport.parkNanos(10_000_000);
                }
            });
            driver.start();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process deploy = new ProcessBuilder(java, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main", "deploy",
                    "--policy", onnx.toString(), "--param", "domain_id=" + domain, "--param", "standby_s=0.5", "--teleop", "broker=" + broker.uri(), "--teleop", "robot=arm1",
                    "--teleop", "username=robot", "--teleop", "password=robot-pw", "--teleop", "telemetry_period_ms=50")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("deploy.log").toFile()).start();
            MqttClient operator = TeleopMqttTest.client(broker, "operator", "op-pw");
            long[] seq = {0};
            Consumer<String> request = field -> {
                try {
                    operator.publish("ppo_node/arm1/teleop/cmd", ("{\"operator\": \"alice\", \"seq\": " + ++seq[0] + ", \"stamp_ms\": " + System.currentTimeMillis() + ", "
                            + field + "}").getBytes(StandardCharsets.UTF_8), 1, false);
                } catch (MqttException e) {
                    throw new AssertionError(e);
                }
            };
            try {
                awaitState(telemetry, "policy", 60_000); // auto-engaged once its inputs were healthy
                request.accept("\"mode\": \"damping\"");
                awaitState(telemetry, "damping", 10_000);
                assertTrue(latest(telemetry).contains("teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd"), latest(telemetry));
                request.accept("\"mode\": \"standby\"");
                awaitState(telemetry, "standby", 10_000);
                long end = System.currentTimeMillis() + 20_000; // policy is refused until standby has reached the default pose
                while (!latest(telemetry).contains("\"state\":\"policy\"") && System.currentTimeMillis() < end) {
                    request.accept("\"mode\": \"policy\"");
                    Thread.sleep(200);
                }
                awaitState(telemetry, "policy", 1_000);
                request.accept("\"estop\": true");
                awaitState(telemetry, "estop", 10_000);
                request.accept("\"estop\": false");
                awaitState(telemetry, "passive", 10_000);
            } finally {
                deploy.destroy();
                deploy.waitFor();
                run.set(false);
                driver.join();
                Ros2.destroy(robot);
                operator.disconnect();
                viewer.disconnect();
                System.out.println(Files.readString(dir.resolve("deploy.log")));
            }
            String log = Files.readString(dir.resolve("deploy.log"));
            assertTrue(log.contains("policy -> damping: operator (requested on teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd)"), log);
            assertTrue(log.contains("policy -> estop: e-stop engaged (teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd)"), log);
        }
    }
}
