package pponode.sim.gazebo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.sim.gazebo.GazeboWorldProcess.Program;
import pponode.sim.gazebo.msgs.Model;
import pponode.sim.gazebo.msgs.StringMsg;
import pponode.sim.gazebo.msgs.WorldControl;
import pponode.sim.gazebo.msgs.WorldReset;
import pponode.sim.gazebo.msgs.WorldStatistics;

/**
 * The Java node against the real Gazebo Transport library (ign-transport 11 from Debian): the
 * {@code ign topic}/{@code ign service} tools and a C++ program linked against the library. Every
 * test runs in its own partition on 127.0.0.1, so tests never hear each other or a real Gazebo.
 */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class GazeboInteropTest {
    static final Path TOOLS = Path.of("/usr/libexec/ignition/transport11");
    GazeboOptions opts;
    GazeboNode node;

    static void requirePeer(boolean ok, String what) {
        if (ok) return;
        String msg = what + " is not installed (apt-get install ignition-transport-cli libignition-transport-dev libignition-msgs-dev g++)";
        if ("1".equals(System.getenv("PPO_REQUIRE_PEERS"))) Assertions.fail(msg + "; PPO_REQUIRE_PEERS=1 makes this a failure");
        Assumptions.abort(msg + "; skipping");
    }

    static GazeboOptions testOptions() {
        return GazeboOptions.fromEnvironment(Map.of()).withHostIp("127.0.0.1").withPartition("ppo_test_" + Long.toHexString(System.nanoTime()));
    }

    @BeforeEach
    void setUp() {
        opts = testOptions();
        node = new GazeboNode(opts);
    }

    @AfterEach
    void tearDown() {
        node.close();
    }

    Process tool(String name, String... args) throws Exception {
        Path exe = TOOLS.resolve(name);
        requirePeer(Files.isExecutable(exe), exe.toString());
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(GazeboWorldProcess.environment(opts));
        return pb.start();
    }

    static String finish(Process p, long seconds) throws Exception {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void ignTopicPublishIsReceivedByJava() throws Exception {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(16);
        node.subscribe("/ppo_test/chatter", StringMsg.getDefaultInstance(), m -> got.offer(m.getData()));
        String received = null;
        for (int i = 0; i < 10 && received == null; i++) {
            String out = finish(tool("ign-transport-topic", "-t", "/ppo_test/chatter", "-m", "ignition.msgs.StringMsg", "-p", "data: \"hello from ign " + i + "\""), 10);
            received = got.poll(1, TimeUnit.SECONDS);
            if (received == null) System.out.println("ign topic -p (try " + i + "): " + out);
        }
        assertNotNull(received, "the Java node never received what `ign topic -p` published");
        assertTrue(received.startsWith("hello from ign"), received);
    }

    @Test
    void javaPublishIsPrintedByIgnTopicEcho() throws Exception {
        var pub = node.advertise("/ppo_test/java_says", StringMsg.getDefaultInstance());
        Process echo = tool("ign-transport-topic", "-e", "-n", "1", "-t", "/ppo_test/java_says");
        assertTrue(pub.awaitSubscribers(10_000), "ign topic -e never announced NEW_CONNECTION");
        for (int i = 0; i < 50 && echo.isAlive(); i++) {
            pub.publish(StringMsg.newBuilder().setData("hello from java").build());
            Thread.sleep(100);
        }
        String out = finish(echo, 5);
        assertTrue(out.contains("data: \"hello from java\""), "ign topic -e printed: " + out);
    }

    @Test
    void javaServiceAnswersIgnService() throws Exception {
        AtomicReference<WorldControl> seen = new AtomicReference<>();
        node.advertiseService("/world/java_world/control", WorldControl.getDefaultInstance(), pponode.sim.gazebo.msgs.Boolean.getDefaultInstance(), req -> {
            seen.set(req);
            return pponode.sim.gazebo.msgs.Boolean.newBuilder().setData(true).build();
        });
        String out = finish(tool("ign-transport-service", "-s", "/world/java_world/control", "--reqtype", "ignition.msgs.WorldControl", "--reptype",
                "ignition.msgs.Boolean", "--timeout", "5000", "--req", "pause: true, multi_step: 7, reset: {all: true}"), 15);
        assertTrue(out.contains("data: true"), "ign service printed: " + out);
        WorldControl r = seen.get();
        assertNotNull(r, "the Java service was never called");
        assertTrue(r.getPause());
        assertEquals(7, r.getMultiStep());
        assertTrue(r.getReset().getAll());
    }

    @Test
    @SuppressWarnings("try")
    void javaCallsTheCppWorldAndStepsItInLockstep() throws Exception {
        requirePeer(GazeboWorldProcess.unavailableReason(Program.DART) == null, "the Gazebo DART world (" + GazeboWorldProcess.unavailableReason(Program.DART) + ")");
        try (GazeboWorldProcess world = GazeboWorldProcess.start(Program.DART, opts, pendulum("--q0", "hinge=0.3"))) {
            List<Model> states = new CopyOnWriteArrayList<>();
            List<WorldStatistics> stats = new CopyOnWriteArrayList<>();
            node.subscribe("/world/pendulum_world/model/pendulum/joint_state", Model.getDefaultInstance(), states::add);
            node.subscribe("/world/pendulum_world/stats", WorldStatistics.getDefaultInstance(), stats::add);
            var force = node.advertise("/model/pendulum/joint/hinge/cmd_force", pponode.sim.gazebo.msgs.Double.getDefaultInstance());
            assertTrue(force.awaitSubscribers(10_000), "the C++ world never subscribed to the force topic");
            var ok = node.request("/world/pendulum_world/control", WorldControl.newBuilder().setPause(true).setMultiStep(50).build(),
                    pponode.sim.gazebo.msgs.Boolean.getDefaultInstance(), 10_000);
            assertNotNull(ok);
            assertTrue(ok.getData());
            assertTrue(node.hasService("/world/pendulum_world/control", WorldControl.getDefaultInstance(), pponode.sim.gazebo.msgs.Boolean.getDefaultInstance()));
            assertEquals(1, node.publishersOf("/world/pendulum_world/model/pendulum/joint_state").size(), "one world publishes the joint states");
            Model m = await(states, 50_000_000L);
            assertEquals("hinge", m.getJoint(0).getName());
            double q50 = m.getJoint(0).getAxis1().getPosition();
            assertTrue(q50 < 0.3, "gravity pulls the pendulum down from 0.3 rad: " + q50);

            // a held force command: the pendulum rises against gravity
            force.publish(pponode.sim.gazebo.msgs.Double.newBuilder().setData(5.0).build());
            Thread.sleep(50);
            node.request("/world/pendulum_world/control", WorldControl.newBuilder().setPause(true).setMultiStep(200).build(),
                    pponode.sim.gazebo.msgs.Boolean.getDefaultInstance(), 5_000);
            Model pushed = await(states, 250_000_000L);
            long until = System.currentTimeMillis() + 2000;
            while (stats.stream().noneMatch(w -> w.getIterations() >= 250) && System.currentTimeMillis() < until) Thread.sleep(5);
            var st = stats.stream().filter(w -> w.getIterations() >= 250).findFirst().orElseThrow(() -> new AssertionError("no world statistics after 250 iterations: " + stats));
            assertEquals(250, st.getIterations());
            assertTrue(st.getPaused(), "paused after the multi_step");
            assertTrue(pushed.getJoint(0).getAxis1().getPosition() > q50 + 0.05, "5 N·m for 0.2 s must lift it: " + pushed);
            assertEquals(5.0, pushed.getJoint(0).getAxis1().getForce(), 1e-12);

            // reset{all}: time and model state back to the start
            states.clear();
            node.request("/world/pendulum_world/control", WorldControl.newBuilder().setPause(true).setReset(WorldReset.newBuilder().setAll(true)).build(),
                    pponode.sim.gazebo.msgs.Boolean.getDefaultInstance(), 5_000);
            Model reset = awaitExactly(states, 0); // not a re-send of the paused state from before the reset, which can still arrive
            assertEquals(0, reset.getHeader().getStamp().getSec());
            assertEquals(0, reset.getHeader().getStamp().getNsec());
            assertEquals(0.3, reset.getJoint(0).getAxis1().getPosition(), 1e-12);
        }
    }

    @Test
    @SuppressWarnings("try")
    void aLostWorldIsAClearTimeoutAndARestartedOneIsFoundAgain() throws Exception {
        requirePeer(GazeboWorldProcess.unavailableReason(Program.DART) == null, "the Gazebo DART world (" + GazeboWorldProcess.unavailableReason(Program.DART) + ")");
        WorldControl step = WorldControl.newBuilder().setPause(true).setMultiStep(1).build();
        var boolT = pponode.sim.gazebo.msgs.Boolean.getDefaultInstance();
        try (GazeboWorldProcess world = GazeboWorldProcess.start(Program.DART, opts, pendulum())) {
            assertNotNull(node.request("/world/pendulum_world/control", step, boolT, 10_000));
            world.kill();
        }
        long t0 = System.nanoTime();
        GazeboTimeoutException e = assertThrows(GazeboTimeoutException.class,
                () -> { for (int i = 0; i < 100; i++) node.request("/world/pendulum_world/control", step, boolT, 1_000); });
        double waited = (System.nanoTime() - t0) / 1e9;
        System.out.printf("world killed: '%s' after %.2f s%n", e.getMessage(), waited);
        assertTrue(e.getMessage().contains("/world/pendulum_world/control"), e.getMessage());
        assertTrue(waited < 6, "the loss must surface within the silence interval plus one timeout, took " + waited + " s");
        try (GazeboWorldProcess again = GazeboWorldProcess.start(Program.DART, opts, pendulum())) {
            long t1 = System.nanoTime();
            assertNotNull(node.request("/world/pendulum_world/control", step, boolT, 10_000));
            System.out.printf("restarted world answered after %.2f s%n", (System.nanoTime() - t1) / 1e9);
        }
    }

    /** The DART world simulating urdf/pendulum.urdf (a 1 kg point mass 0.5 m below a hinge) as pendulum_world, 1 ms steps. */
    /** --state-rate: the joint states of a multi_step at that rate of sim time (JointStatePublisher's update_rate), and always its last one. */
    @Test
    @SuppressWarnings("try")
    void aStateRatePublishesTheStatesOfAMultiStepAtThatRate() throws Exception {
        requirePeer(GazeboWorldProcess.unavailableReason(Program.DART) == null, "the Gazebo DART world (" + GazeboWorldProcess.unavailableReason(Program.DART) + ")");
        try (GazeboWorldProcess world = GazeboWorldProcess.start(Program.DART, opts, pendulum("--state-rate", "100"))) {
            List<Model> states = new CopyOnWriteArrayList<>();
            node.subscribe("/world/pendulum_world/model/pendulum/joint_state", Model.getDefaultInstance(), states::add);
            var force = node.advertise("/model/pendulum/joint/hinge/cmd_force", pponode.sim.gazebo.msgs.Double.getDefaultInstance());
            assertTrue(force.awaitSubscribers(10_000), "the C++ world never subscribed to the force topic");
            await(states, 0); // subscribed: the paused world's state arrives
            node.request("/world/pendulum_world/control", WorldControl.newBuilder().setPause(true).setMultiStep(55).build(),
                    pponode.sim.gazebo.msgs.Boolean.getDefaultInstance(), 10_000);
            await(states, 55_000_000L);
            Set<Long> stamps = new TreeSet<>();
            for (Model m : states) stamps.add(m.getHeader().getStamp().getSec() * 1_000_000_000L + m.getHeader().getStamp().getNsec());
            assertEquals(new TreeSet<>(List.of(0L, 10_000_000L, 20_000_000L, 30_000_000L, 40_000_000L, 50_000_000L, 55_000_000L)), stamps,
                    "55 steps of 1 ms at 100 Hz: every 10 ms, and the state the multi_step ends in");
        }
    }

    static List<String> pendulum(String... more) {
        List<String> a = new ArrayList<>(List.of("--world", "pendulum_world", "--model", "pendulum", "--urdf", Path.of("../urdf/pendulum.urdf").toAbsolutePath().toString(),
                "--root", "world", "--plugin", GazeboWorldProcess.DART_PLUGIN.toString(), "--dt", "0.001", "--gravity", "9.81"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void badSettingsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> opts.withMsgPrefix("ros.msgs"));
        assertThrows(IllegalArgumentException.class, () -> opts.withPartition("a@b"));
        assertThrows(IllegalArgumentException.class, () -> TopicNames.fullyQualified("p", "/bad topic"));
        assertEquals("@/p@/world/w/control", TopicNames.fullyQualified("p", "/world/w/control"));
        assertEquals("@/p@/x", TopicNames.fullyQualified("/p", "x"));
        assertEquals("gz.msgs.WorldControl", opts.withMsgPrefix(GazeboOptions.GZ).typeName(WorldControl.getDefaultInstance()));
        GazeboOptions env = GazeboOptions.fromEnvironment(Map.of("GZ_PARTITION", "harmonic", "IGN_PARTITION", "fortress", "IGN_IP", "127.0.0.1"));
        assertEquals("harmonic", env.partition(), "GZ_* wins over IGN_*");
        assertEquals(GazeboOptions.GZ, env.msgPrefix());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> GazeboOptions.fromEnvironment(Map.of("IGN_DISCOVERY_MSG_PORT", "x")));
        assertTrue(bad.getMessage().contains("DISCOVERY_MSG_PORT"));
    }

    /** The first joint state stamped at or after {@code stampNs}, waiting at most 5 s. */
    /** The first joint state stamped exactly {@code stampNs}. */
    static Model awaitExactly(List<Model> states, long stampNs) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < end) {
            for (Model m : states) if (m.getHeader().getStamp().getSec() * 1_000_000_000L + m.getHeader().getStamp().getNsec() == stampNs) return m;
            Thread.sleep(2);
        }
        throw new AssertionError("no joint state stamped at " + stampNs + " ns; got " + states.size());
    }

    static Model await(List<Model> states, long stampNs) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < end) {
            for (Model m : states) {
                long ns = m.getHeader().getStamp().getSec() * 1_000_000_000L + m.getHeader().getStamp().getNsec();
                if (ns >= stampNs) return m;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no joint state stamped at or after " + stampNs + " ns; got " + states.size());
    }
}
