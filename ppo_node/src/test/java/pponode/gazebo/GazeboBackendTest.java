package pponode.gazebo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.Peers;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.StepResult;
import pponode.runner.EvalResult;
import pponode.runner.OnPolicyRunner;
import pponode.sim.RobotUnavailableException;
import pponode.sim.gazebo.GazeboOptions;
import pponode.sim.gazebo.GazeboWorldProcess;
import pponode.sim.gazebo.GazeboWorldProcess.Program;

/**
 * {@link GazeboBackend} (under the same {@link RobotEnv} as the embedded simulator) against a DART world of the pendulum on the real Gazebo Transport library: the same
 * task YAML trains there as in the embedded simulator, Fortress-style resets are undone by the
 * env, and a world that dies mid-episode fails that step; the next reset waits for it to come back.
 */
@SuppressWarnings("try") // the worlds are resources whose only use is to run while the test does
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class GazeboBackendTest {
    GazeboOptions opts;
    GazeboSettings settings;
    RobotTask task;

    @BeforeEach
    void setUp() {
        Peers.requireDartWorld();
        opts = GazeboOptions.fromEnvironment(Map.of()).withHostIp("127.0.0.1").withPartition("ppo_env_test_" + Long.toHexString(System.nanoTime()));
        settings = new GazeboSettings().apply(Map.of("partition", opts.partition(), "ip", "127.0.0.1", "world", "pendulum_world", "model", "pendulum"));
        task = EnvRegistry.task("pendulum_lift");
    }

    @Test
    void thePendulumTaskTrainsInTheGazeboWorldAsInTheEmbeddedSimulator() throws Exception {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "pendulum_lift");
        c.apply(List.of("total_timesteps=30720", "seed=1"));
        List<Double> gz = new ArrayList<>(), embedded = new ArrayList<>();
        EvalResult ev;
        long t0 = System.nanoTime();
        try (GazeboWorldProcess world = world(task);
                OnPolicyRunner r = new OnPolicyRunner(c, s -> RobotEnv.make(task, new GazeboBackend(task, settings), s), null)) {
            r.learn((u, total, step, stats) -> gz.add(stats.get("charts/mean_reward")));
            ev = r.policy().evaluate(s -> RobotEnv.make(task, new GazeboBackend(task, settings), s), 3, 10_000);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        try (OnPolicyRunner r = new OnPolicyRunner(c, s -> EnvRegistry.make("pendulum_lift", s), null)) {
            r.runUpdates(3, (u, total, step, stats) -> embedded.add(stats.get("charts/mean_reward")));
        }
        System.out.printf("pendulum_lift in Gazebo: mean return %.2f -> %.2f over %d updates in %.1f s; deterministic eval %.2f (final distance %.3f m)%n",
                gz.get(0), gz.get(gz.size() - 1), gz.size(), wall, ev.mean(), ev.metrics().get("final_distance"));
        System.out.printf("first updates, Gazebo %s vs embedded %s%n", gz.subList(0, 3), embedded);
        for (int i = 0; i < 3; i++) {
            assertEquals(embedded.get(i), gz.get(i), 1.0, "the same task, seed and dynamics give the same early returns in both simulators");
        }
        assertTrue(gz.get(gz.size() - 1) > gz.get(0) + 20, "return must improve by more than 20: " + gz);
        assertTrue(ev.mean() > -25, "the trained policy lifts the pendulum in Gazebo: eval " + ev.mean());
    }

    @Test
    void aFortressResetThatRewindsOnlyTimeIsUndoneByTheEnv() throws Exception {
        GazeboBackend fortress = new GazeboBackend(task, settings);
        try (GazeboWorldProcess world = world(task, "--reset-time-only"); Env env = RobotEnv.make(task, fortress, 1)) {
            env.reset(1L);
            StepResult r = null;
            for (int i = 0; i < 30; i++) r = env.step(new float[] {5f});
            assertTrue(r.obs()[1] > 0.5, "30 steps at full torque lift it (sin q = " + r.obs()[1] + ")");
            float[] o = env.reset(2L);
            assertEquals(1, fortress.restores(), "the world kept its state; the backend drove the joint back");
            assertEquals(1.0, o[0], 2e-3, "cos q after reset");
            assertEquals(0.0, o[1], 0.03, "sin q after reset");
            assertEquals(0.0, o[2], 0.1, "velocity after reset");
        }
        GazeboBackend garden = new GazeboBackend(task, settings);
        try (GazeboWorldProcess world = world(task); Env env = RobotEnv.make(task, garden, 1)) {
            env.reset(1L);
            for (int i = 0; i < 30; i++) env.step(new float[] {5f});
            float[] o = env.reset(2L);
            assertEquals(0, garden.restores(), "a full reset (Garden, Harmonic) needs no help");
            assertEquals(1.0, o[0], 1e-9);
        }
    }

    @Test
    void aWorldLostMidEpisodeFailsItsStepAndTheNextResetWaitsForTheWorldToComeBack() throws Exception {
        settings.apply(Map.of("step_timeout_ms", "1000", "reconnect_timeout_ms", "20000"));
        GazeboWorldProcess world = world(task);
        GazeboBackend backend = new GazeboBackend(task, settings);
        try (Env env = RobotEnv.make(task, backend, 1)) {
            env.reset(1L);
            for (int i = 0; i < 10; i++) assertFalse(env.step(new float[] {1f}).done());
            world.kill();
            Thread restart = new Thread(() -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    GazeboWorldProcess again = world(task);
                    synchronized (this) {
                        worldRef[0] = again;
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            restart.start();
            long t0 = System.nanoTime();
            RobotUnavailableException cut = assertThrows(RobotUnavailableException.class, () -> env.step(new float[] {1f}));
            System.out.printf("world killed mid-episode: the step failed after %.2f s: %s%n", (System.nanoTime() - t0) / 1e9, cut.getMessage());
            assertTrue(cut.getMessage().contains("pendulum_world") && cut.getMessage().contains("stopped answering"), cut.getMessage());
            assertEquals(1, backend.worldLosses());
            env.reset(3L); // waits for the world to come back
            restart.join();
            for (int i = 0; i < 10; i++) assertFalse(env.step(new float[] {1f}).done());
            assertEquals(1, backend.worldLosses());
            worldRef[0].kill();
            settings.reconnectTimeoutMs = 2000;
            assertThrows(RobotUnavailableException.class, () -> { for (int i = 0; i < 200; i++) env.step(new float[] {1f}); });
            long t1 = System.nanoTime();
            RobotUnavailableException gone = assertThrows(RobotUnavailableException.class, () -> env.reset(4L));
            double waited = (System.nanoTime() - t1) / 1e9;
            System.out.printf("world gone for good: '%s' after %.2f s%n", gone.getMessage(), waited);
            assertTrue(gone.getMessage().contains("pendulum_world") && gone.getMessage().contains("did not come back"), gone.getMessage());
            assertTrue(waited < 10, "no hang: " + waited + " s");
        } finally {
            world.close();
            if (worldRef[0] != null) worldRef[0].close();
        }
    }

    final GazeboWorldProcess[] worldRef = new GazeboWorldProcess[1];

    /** A DART world named pendulum_world simulating {@code robot}'s robot as the model "pendulum". */
    GazeboWorldProcess world(RobotTask robot, String... more) throws IOException {
        List<String> args = new ArrayList<>(GazeboWorlds.arguments(robot, "pendulum_world", "pendulum"));
        args.addAll(List.of(more));
        return GazeboWorldProcess.start(Program.DART, opts, args);
    }

    @Test
    void aWorldWithoutTheTasksJointIsNamed() throws Exception {
        settings.apply(Map.of("connect_timeout_ms", "2000", "reconnect_timeout_ms", "1"));
        try (GazeboWorldProcess world = world(EnvRegistry.task("reacher_2dof")); Env env = RobotEnv.make(task, new GazeboBackend(task, settings), 1)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> env.reset(0L));
            assertTrue(e.getMessage().contains("/model/pendulum/joint/hinge/cmd_force"), e.getMessage());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new GazeboSettings().apply(List.of("wrold=x")));
        assertTrue(bad.getMessage().contains("unknown Gazebo setting 'wrold'"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GazeboSettings().apply(List.of("step_timeout_ms=-1")));
    }
}
