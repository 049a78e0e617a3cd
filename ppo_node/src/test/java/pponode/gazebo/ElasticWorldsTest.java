package pponode.gazebo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.Peers;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.ForwardingEnv;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.StepResult;
import pponode.runner.OnPolicyRunner;
import pponode.sim.gazebo.GazeboOptions;
import pponode.sim.gazebo.GazeboWorldProcess;
import pponode.sim.gazebo.GazeboWorldProcess.Program;

/**
 * Training over two DART worlds when one is killed mid-rollout: the other goes on alone, the
 * killed one rejoins once restarted, and every step a world took is counted once (the runner's
 * global step is the sum of the steps the two worlds answered).
 */
@Tag("slow") // drives external C++ worlds
class ElasticWorldsTest {
    /** Counts the steps its world answered. */
    static final class CountingEnv extends ForwardingEnv {
        final AtomicLongArray counts;
        final int index;

        CountingEnv(Env inner, AtomicLongArray counts, int index) {
            super(inner);
            this.counts = counts;
            this.index = index;
        }

        @Override
        public StepResult step(float[] action) {
            StepResult r = inner.step(action);
            counts.incrementAndGet(index);
            return r;
        }
    }

    @Test
    void aWorldKilledMidRolloutLeavesTheBatchAndRejoinsWithNoStepLostOrCountedTwice() throws Exception {
        Peers.requireDartWorld();
        RobotTask task = EnvRegistry.task("reacher_2dof");
        GazeboOptions o = GazeboOptions.fromEnvironment(Map.of()).withHostIp("127.0.0.1").withPartition("ppo_elastic_" + Long.toHexString(System.nanoTime()));
        List<GazeboWorldProcess> worlds = new ArrayList<>();
        for (int i = 0; i < 2; i++) worlds.add(world(task, o, i));
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "reacher_2dof");
        c.apply(List.of("num_envs=2", "rollout_steps=64", "minibatch_size=64", "total_timesteps=1000000", "seed=5", "vec_env=threaded", "min_live_envs=1"));
        AtomicLongArray counts = new AtomicLongArray(2);
        long seed0 = c.seed;
        List<Map<String, Double>> updates = new ArrayList<>();
        OnPolicyRunner.Listener record = (u, total, step, stats) -> updates.add(Map.copyOf(stats));
        try (OnPolicyRunner r = new OnPolicyRunner(c, s -> {
            int i = (int) (s - seed0);
            GazeboSettings g = new GazeboSettings().apply(Map.of("partition", o.partition(), "ip", "127.0.0.1", "world", "reacher_2dof_" + i, "model", "reacher_2dof_" + i,
                    "step_timeout_ms", "1000", "reconnect_timeout_ms", "60000"));
            return new CountingEnv(RobotEnv.make(task, new GazeboBackend(task, g), s), counts, i);
        }, null)) {
            r.runUpdates(2, record);
            assertEquals(2.0, last(updates, "charts/live_envs"));
            worlds.get(1).kill(); // mid-rollout: the next update's steps find it gone
            for (int k = 0; k < 5 && last(updates, "charts/live_envs") == 2.0; k++) r.runUpdates(1, record);
            assertEquals(1.0, last(updates, "charts/live_envs"), "the killed world left the batch");
            long aloneFrom0 = counts.get(0), aloneFrom1 = counts.get(1);
            r.runUpdates(2, record);
            assertTrue(counts.get(0) >= aloneFrom0 + 2 * 64, "training goes on with the world still there: " + counts);
            assertEquals(aloneFrom1, counts.get(1), "the killed world took no step");

            worlds.set(1, world(task, o, 1)); // restarted under the same name
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (last(updates, "charts/live_envs") < 2.0) {
                assertTrue(System.nanoTime() < deadline, "the restarted world did not rejoin within 90 s");
                r.runUpdates(1, record);
            }
            long back = counts.get(1);
            r.runUpdates(2, record);
            assertTrue(counts.get(1) >= back + 2 * 64, "the restarted world takes steps again: " + counts);
            double globalStep = last(updates, "charts/global_step");
            System.out.printf("elastic: %d updates, global step %.0f = %d + %d steps answered; lost episodes %.0f%n", updates.size(), globalStep, counts.get(0),
                    counts.get(1), last(updates, "charts/lost_episodes"));
            assertEquals(counts.get(0) + counts.get(1), (long) globalStep, "every step a world answered is counted once, and no other");
            assertTrue(globalStep < updates.size() * 2 * 64.0, "the steps the killed world did not take are not counted");
            assertEquals(1.0, last(updates, "charts/lost_episodes"), "its interrupted episode ended, once");
            for (Map<String, Double> u : updates) assertTrue(Double.isFinite(u.get("train/actor_loss")), "every update trained: " + u);
        } finally {
            for (GazeboWorldProcess w : worlds) w.close();
        }
    }

    private static double last(List<Map<String, Double>> updates, String key) {
        return updates.get(updates.size() - 1).get(key);
    }

    private static GazeboWorldProcess world(RobotTask task, GazeboOptions o, int i) throws Exception {
        return GazeboWorldProcess.start(Program.DART, o, GazeboWorlds.arguments(task, "reacher_2dof_" + i, "reacher_2dof_" + i));
    }
}
