package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eprosima.xmlschemas.fastrtps_profiles.DurabilityQosKindPolicyType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestDomains;
import pponode.TestSupport;
import pponode.env.EnvRegistry;
import pponode.onnx.OnnxPolicy;

/**
 * The node as a ROS 2 graph sees it, checked from an independent CycloneDDS participant
 * (graph_peer.c): ros_discovery_info names the node and its endpoints, the endpoints carry the
 * documented QoS, /diagnostics reports its health, an e-stop latched before the node starts holds
 * it, a killed node is dropped within ROS 2's lease, and the discovery range of the environment is
 * honoured.
 */
@Tag("slow") // drives external peers: left out of -Pquick
class RosGraphTest {
    @TempDir
    static Path dir;
    static Path peer, onnx;

    @BeforeAll
    static void build() throws Exception {
        peer = CycloneDdsPeer.build(dir, "graph_peer");
        onnx = TestSupport.exportedPolicy("reacher_2dof", dir.resolve("policy.onnx"), "num_envs=2", "rollout_steps=128", "minibatch_size=128",
                "n_epochs=2", "total_timesteps=512", "seed=4");
    }

    /** The peer's output lines as they arrive. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Peer(int domain, int seconds, Map<String, String> env, String... more) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(peer.toString(), String.valueOf(domain), String.valueOf(seconds)));
            cmd.addAll(List.of(more));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            process = pb.start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) lines.add(l);
                } catch (IOException e) {
                    lines.add("READ-ERROR " + e);
                }
            });
            reader.start();
        }

        /** The first line matching {@code p}, waiting up to {@code ms}. */
        String await(Predicate<String> p, long ms, String what) throws InterruptedException {
            long end = System.currentTimeMillis() + ms;
            while (true) {
                Optional<String> hit = lines.stream().filter(p).findFirst();
                if (hit.isPresent()) return hit.get();
                if (System.currentTimeMillis() > end) throw new AssertionError("timed out after " + ms + " ms waiting for " + what + "; the peer printed:\n" + String.join("\n", lines));
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join();
        }
    }

    static RosParams params(int domain) {
        RosParams p = new RosParams();
        p.domainId = domain;
        p.task = "reacher_2dof";
        return p;
    }

    @Test
    void nodeEndpointsQosDiagnosticsLatchedEstopAndLease() throws Exception {
        int domain = TestDomains.claim();
        RosParams p = params(domain);
        try (Peer graph = new Peer(domain, 120, Map.of(), "/ppo_node/estop", "/ppo_node/target"); RosNodeTest.FakeRobot robot = new RosNodeTest.FakeRobot(p)) {
            graph.await(l -> l.startsWith("ESTOP"), 10_000, "the e-stop latched before the node starts");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process deploy = new ProcessBuilder(java, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main", "deploy",
                    "--policy", onnx.toString(), "--param", "domain_id=" + domain, "--param", "diagnostics_period_ms=200")
                    .redirectOutput(dir.resolve("deploy.out").toFile()).redirectError(dir.resolve("deploy.log").toFile()).start();
            AtomicBoolean run = new AtomicBoolean(true);
            Thread joints = new Thread(() -> {
                while (run.get()) {
                    robot.state(new String[] {"joint1", "joint2"}, new double[] {0.2, 0.5});
                    LockSupport.parkNanos(10_000_000);
                }
            });
            joints.start();
            try {
                // ros2 node list: the node, by name and namespace, with its readers and writers
                String node = graph.await(l -> l.startsWith("NODE ") && l.contains(" / ppo_node ") && !l.endsWith(" 0 0"), 60_000, "the node in ros_discovery_info");
                String participant = node.split(" ")[1];
                graph.await(l -> l.startsWith("DIAG "), 30_000, "diagnostics");
                // ros2 topic info -v: every endpoint of the node's participant, with its QoS
                awaitEndpoint(graph, participant, "R", "rt/joint_states", "sensor_msgs::msg::dds_::JointState_", "best_effort volatile");
                awaitEndpoint(graph, participant, "R", "rt/ppo_node/estop", "std_msgs::msg::dds_::Bool_", "reliable transient_local");
                awaitEndpoint(graph, participant, "R", "rt/ppo_node/target", "geometry_msgs::msg::dds_::PointStamped_", "reliable volatile");
                awaitEndpoint(graph, participant, "W", "rt/forward_position_controller/commands", "std_msgs::msg::dds_::Float64MultiArray_", "reliable volatile");
                awaitEndpoint(graph, participant, "W", "rt/diagnostics", "diagnostic_msgs::msg::dds_::DiagnosticArray_", "reliable volatile");
                awaitEndpoint(graph, participant, "W", "ros_discovery_info", "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_", "reliable transient_local");
                List<String> endpoints = graph.lines.stream().filter(l -> l.startsWith("EP ") && l.split(" ")[3].equals(participant)).toList();
                System.out.println(String.join("\n", endpoints));
                // the node's GIDs in ros_discovery_info are those endpoints: the graph can say who owns which topic
                List<String> owned = graph.lines.stream().filter(l -> (l.startsWith("NODE_R ") || l.startsWith("NODE_W ")) && l.split(" ")[1].equals(participant))
                        .map(l -> l.split(" ")[2]).distinct().toList();
                List<String> guids = endpoints.stream().map(l -> l.split(" ")[2]).toList();
                assertTrue(owned.size() >= 5 && guids.containsAll(owned), "node GIDs " + owned + " are the participant's endpoints " + guids);
                assertFalse(owned.contains(endpoints.stream().filter(l -> l.contains(" ros_discovery_info ")).map(l -> l.split(" ")[2]).findFirst().orElse("-")),
                        "the graph writer is the participant's, not the node's");

                // the e-stop latched before the node started holds it: the health report says so
                String estop = graph.await(l -> l.startsWith("DIAG ") && l.contains("state=estop;"), 30_000, "diagnostics reporting the latched e-stop");
                assertTrue(estop.contains(" 2 /ppo_node: control|reacher_2dof|estop: e-stop engaged (/ppo_node/estop)|"), estop);
                robot.estop(false);
                String passive = graph.await(l -> l.startsWith("DIAG ") && l.contains("state=passive;"), 30_000, "diagnostics reporting passive after the release");
                // standby counts only after the release: the node may have auto-engaged before the latched e-stop reached it
                int released = graph.lines.indexOf(passive);
                long end = System.currentTimeMillis() + 30_000;
                while (graph.lines.stream().noneMatch(l -> l.startsWith("DIAG ") && l.contains("state=policy;")) && System.currentTimeMillis() < end) {
                    boolean standby = graph.lines.stream().skip(released).anyMatch(l -> l.startsWith("DIAG ") && l.contains("state=standby;"));
                    robot.mode(standby ? "policy" : "standby");
                    Thread.sleep(100);
                }
                String control = graph.await(l -> l.startsWith("DIAG ") && l.contains("state=policy;"), 30_000, "diagnostics with the policy in control");
                assertTrue(control.contains(" 0 /ppo_node: control|reacher_2dof|policy in control|"), control);
                for (String key : List.of("command_rate_hz=", "target_rate_hz=50.0;", "missed_deadlines=", "stale_inputs=false;", "dropped_messages=0;",
                        "policy=policy.onnx;", "policy_version=")) {
                    assertTrue(control.contains(key), key + " in " + control);
                }
                long reports = graph.lines.stream().filter(l -> l.startsWith("DIAG ")).count();
                System.out.println("graph: " + reports + " diagnostics reports; " + control);

                // a 512 KiB message is refused inside Fast DDS, which says so on stderr: stdout stays for results
                graph.await(l -> l.startsWith("OVERSIZE"), 30_000, "the oversized target sent");
                long waitLog = System.currentTimeMillis() + 20_000;
                while (!Files.readString(dir.resolve("deploy.log")).contains("RTPS") && System.currentTimeMillis() < waitLog) Thread.sleep(50);
                assertEquals("", Files.readString(dir.resolve("deploy.out")), "nothing on deploy's stdout");
                assertTrue(Files.readString(dir.resolve("deploy.log")).contains("RTPS"), "Fast DDS's refusal on stderr");

                // kill -9: no goodbye; the peer must drop the participant once its lease (20 s) runs out
                long killedAt = System.currentTimeMillis();
                deploy.destroyForcibly().waitFor();
                String gone = graph.await(l -> l.startsWith("PGONE " + participant), 60_000, "the killed node dropped by the peer");
                long after = Long.parseLong(gone.split(" ")[2]) - killedAt;
                System.out.printf("graph: the killed node was dropped %d ms after kill -9 (lease %d s)%n", after, Discovery.LEASE_SECONDS);
                assertTrue(after <= Discovery.LEASE_SECONDS * 1000L + 2_000, "dropped " + after + " ms after the kill: later than the lease");
            } finally {
                run.set(false);
                joints.join();
                deploy.destroyForcibly().waitFor();
                System.out.println(Files.readString(dir.resolve("deploy.log")));
            }
        }
    }

    /**
     * Peers the node's QoS refuses are not silent: a best-effort publisher of targets (the node
     * reads them reliably) and a reliable subscriber of commands (the node publishes them best
     * effort here) are each named in the log and on /diagnostics, and the log says when they are gone.
     */
    @Test
    void peersRefusedByQosAreLoggedAndReportedOnDiagnostics() throws Exception {
        int domain = TestDomains.claim();
        Path log = dir.resolve("refused.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process deploy = new ProcessBuilder(java, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main", "deploy",
                "--policy", onnx.toString(), "--param", "domain_id=" + domain, "--param", "diagnostics_period_ms=200", "--param", "command_qos=best_effort")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
        try {
            try (Peer graph = new Peer(domain, 120, Map.of("BEST_EFFORT_TARGET", "/ppo_node/target", "RELIABLE_COMMANDS", "/forward_position_controller/commands"))) {
                String diag = graph.await(l -> l.startsWith("DIAG ") && l.contains(" /ppo_node: qos|") && l.contains("2 incompatible QoS matches"), 60_000,
                        "both refused peers on /diagnostics");
                System.out.println("graph: " + diag);
                assertTrue(diag.contains(" 1 /ppo_node: qos|reacher_2dof|"), "a warning: " + diag);
                assertTrue(diag.contains("/ppo_node/target ") && diag.contains("=publisher is best effort; the node's reader requires reliable, volatile"), diag);
                assertTrue(diag.contains("/forward_position_controller/commands ")
                        && diag.contains("=subscriber requires reliable or transient local; the node's writer offers best effort, volatile"), diag);
                awaitLog(log, "WARN", "incompatible QoS on /ppo_node/target: a publisher (gid ");
                awaitLog(log, "WARN", "incompatible QoS on /forward_position_controller/commands: a subscriber (gid ");
            }
            // the peer has left: both resolved, and the health report is OK again
            awaitLog(log, "INFO", "resolved: incompatible QoS on /ppo_node/target");
            awaitLog(log, "INFO", "resolved: incompatible QoS on /forward_position_controller/commands");
            String text = Files.readString(log);
            assertEquals(2, text.lines().filter(l -> l.contains("WARN") && l.contains("incompatible QoS")).count(), "each reported once:\n" + text);
        } finally {
            deploy.destroyForcibly().waitFor();
            System.out.println(Files.readString(log));
        }
    }

    private static void awaitLog(Path log, String level, String text) throws Exception {
        long end = System.currentTimeMillis() + 30_000;
        while (Files.readString(log).lines().noneMatch(l -> l.contains(level) && l.contains(text))) {
            if (System.currentTimeMillis() > end) throw new AssertionError(level + " '" + text + "' not in the node's log:\n" + Files.readString(log));
            Thread.sleep(50);
        }
    }

    private static void awaitEndpoint(Peer graph, String participant, String kind, String topic, String type, String qos) throws InterruptedException {
        String want = " " + topic + " " + type + " " + qos;
        graph.await(l -> l.startsWith("EP " + kind + " ") && l.split(" ")[3].equals(participant) && l.endsWith(want), 30_000, kind + want);
    }

    /** A peer bound to the loopback interface finds the node when ROS_LOCALHOST_ONLY=1, as a Humble node on the same machine would. */
    @Test
    void localhostOnlyIsHonoured() throws Exception {
        int domain = TestDomains.claim();
        RosParams p = params(domain);
        p.nodeName = "local_node";
        p.environment = Map.of("ROS_LOCALHOST_ONLY", "1");
        String loopback = "<CycloneDDS><Domain><General><Interfaces><NetworkInterface address=\"127.0.0.1\" multicast=\"true\"/></Interfaces></General></Domain></CycloneDDS>";
        try (Peer graph = new Peer(domain, 60, Map.of("CYCLONEDDS_URI", loopback)); OnnxPolicy op = OnnxPolicy.load(onnx);
                DeployNode node = new DeployNode(p, op, EnvRegistry.task("reacher_2dof")).start()) {
            graph.await(l -> l.startsWith("NODE ") && l.contains(" / local_node "), 30_000, "the node, seen from a loopback-only peer");
        }
    }

    /** With multicast discovery off on both sides, ROS_STATIC_PEERS is how the node and a peer find each other. */
    @Test
    void staticPeersAreContacted() throws Exception {
        int domain = TestDomains.claim();
        RosParams p = params(domain);
        p.nodeName = "static_node";
        p.environment = Map.of("ROS_AUTOMATIC_DISCOVERY_RANGE", "OFF", "ROS_STATIC_PEERS", "127.0.0.1");
        String unicastOnly = "<CycloneDDS><Domain><General><Interfaces><NetworkInterface address=\"127.0.0.1\"/></Interfaces><AllowMulticast>false</AllowMulticast></General>"
                + "<Discovery><Peers><Peer address=\"127.0.0.1\"/></Peers><ParticipantIndex>auto</ParticipantIndex></Discovery></Domain></CycloneDDS>";
        try (Peer graph = new Peer(domain, 60, Map.of("CYCLONEDDS_URI", unicastOnly)); OnnxPolicy op = OnnxPolicy.load(onnx);
                DeployNode node = new DeployNode(p, op, EnvRegistry.task("reacher_2dof")).start()) {
            graph.await(l -> l.startsWith("NODE ") && l.contains(" / static_node "), 30_000, "the node, seen from a unicast-only peer");
        }
    }

    /** The history depths, which DDS discovery does not carry: the profiles the node's endpoints are made with. */
    @Test
    void qosProfilesAsRclcppDefinesThem() {
        assertEquals(5, Ros2.qos("sensor_data").getHistoryDepth());
        assertEquals(10, Ros2.qos("reliable").getHistoryDepth());
        assertEquals(10, Ros2.qos("best_effort").getHistoryDepth());
        assertEquals(1, Ros2.latched().getHistoryDepth());
        assertEquals(DurabilityQosKindPolicyType.TRANSIENT_LOCAL, Ros2.latched().getDurabilityKind());
    }

    @Test
    void discoverySettingsFromTheEnvironment() {
        assertEquals(Discovery.Range.SUBNET, Discovery.fromEnvironment(Map.of()).range());
        assertEquals(Discovery.Range.LOCALHOST, Discovery.fromEnvironment(Map.of("ROS_LOCALHOST_ONLY", "1")).range());
        assertEquals(Discovery.Range.SUBNET, Discovery.fromEnvironment(Map.of("ROS_LOCALHOST_ONLY", "1", "ROS_AUTOMATIC_DISCOVERY_RANGE", "SUBNET")).range());
        assertEquals(Discovery.Range.OFF, Discovery.fromEnvironment(Map.of("ROS_AUTOMATIC_DISCOVERY_RANGE", "off")).range());
        assertEquals(List.of("127.0.0.1", "10.1.2.3"), Discovery.fromEnvironment(Map.of("ROS_STATIC_PEERS", "localhost; 10.1.2.3;")).staticPeers());
        IllegalArgumentException e = Assertions.assertThrows(IllegalArgumentException.class,
                () -> Discovery.fromEnvironment(Map.of("ROS_AUTOMATIC_DISCOVERY_RANGE", "LAN")));
        assertTrue(e.getMessage().startsWith("ROS_AUTOMATIC_DISCOVERY_RANGE must be"), e.getMessage());
    }
}
