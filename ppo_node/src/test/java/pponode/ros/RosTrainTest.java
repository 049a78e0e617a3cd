package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.TestDomains;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Backends;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.runner.OnPolicyRunner;

/** Rollouts collected from a robot over ROS 2 topics feed the same learner. */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class RosTrainTest {
    @Test
    void learnerStepsASimulatedRobotOverDds() throws Exception {
        RobotTask task = EnvRegistry.task("reacher_2dof");
        RosParams p = new RosParams();
        p.domainId = TestDomains.claim();
        p.task = "reacher_2dof";
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "reacher_2dof");
        c.apply(List.of("num_envs=1", "rollout_steps=60", "minibatch_size=60", "n_epochs=2", "total_timesteps=120", "seed=2"));
        RosParams trainer = new RosParams();
        trainer.domainId = p.domainId;
        trainer.nodeName = "ppo_node_train";
        try (SimNode sim = new SimNode(p, task).start(); OnPolicyRunner r = new OnPolicyRunner(c, s -> RobotEnv.make(task, new RosBackend(trainer, task), s), null)) {
            r.runUpdates(2, null);
            assertEquals(120, r.globalStep());
            assertTrue(sim.commandsReceived() >= 120, "every step sent a command: " + sim.commandsReceived());
            assertTrue(sim.resets() >= 2, "episodes start with a reset over ROS 2: " + sim.resets());
            assertEquals(1, r.episodes.finished(), "one 100-step episode finished");
            double ret = r.episodes.meanReturn();
            assertTrue(Double.isFinite(ret) && ret < 0, "reward = −distance per step: " + ret);
        }
    }

    /**
     * train --ros over two robots: two {@code ppo-node sim} nodes under their namespaces in one
     * domain, one env each, stepped at once; every step of both reaches the learner, each robot
     * receives its own env's commands.
     */
    @Test
    void theLearnerStepsTwoRobotsUnderTheirNamespaces() throws Exception {
        Fleet f = new Fleet(240);
        try (SimNode one = new SimNode(f.robot1, f.task).start(); SimNode two = new SimNode(f.robot2, f.task).start(); OnPolicyRunner r = new OnPolicyRunner(f.config, f.envs, null)) {
            r.runUpdates(2, null);
            assertEquals(240, r.globalStep(), "two robots, 60 steps each per update, two updates");
            for (SimNode sim : List.of(one, two)) {
                assertTrue(sim.commandsReceived() >= 120 && sim.commandsReceived() < 240, "each robot got its own env's commands: " + sim.commandsReceived());
                // a reset request whose first datagram was dropped is repaired at the writer's next heartbeat: it may land after the last step
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (sim.resets() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
                assertTrue(sim.resets() >= 2, "episodes start with a reset over ROS 2: " + sim.resets() + " (robot " + (sim == one ? 1 : 2) + ")");
            }
            assertEquals(2, r.episodes.finished(), "one 100-step episode finished on each robot");
        }
    }

    /**
     * A fleet robot that goes away: robot2's sim node stops mid-training, the learner goes on with
     * robot1, and a new sim node under robot2's namespace rejoins the batch.
     */
    @Test
    void aRobotThatStopsLeavesTheBatchAndANewOneUnderItsNamespaceRejoins() throws Exception {
        Fleet f = new Fleet(100_000);
        RosParams p2 = f.robot2;
        RobotTask task = f.task;
        List<Map<String, Double>> updates = new ArrayList<>();
        OnPolicyRunner.Listener record = (u, total, step, stats) -> updates.add(Map.copyOf(stats));
        SimNode two = new SimNode(p2, task).start();
        try (SimNode one = new SimNode(f.robot1, task).start(); OnPolicyRunner r = new OnPolicyRunner(f.config, f.envs, null)) {
            r.runUpdates(1, record);
            two.close();
            for (int k = 0; k < 5 && live(updates) == 2; k++) r.runUpdates(1, record);
            assertEquals(1, live(updates), "robot2 left the batch");
            long before = one.commandsReceived();
            r.runUpdates(1, record);
            assertTrue(one.commandsReceived() >= before + 60, "robot1 goes on alone: " + (one.commandsReceived() - before));
            two = new SimNode(p2, task).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (live(updates) < 2) {
                assertTrue(System.nanoTime() < deadline, "robot2's new node did not rejoin within 60 s");
                r.runUpdates(1, record);
            }
            long back = two.commandsReceived();
            r.runUpdates(1, record);
            assertTrue(two.commandsReceived() >= back + 60, "robot2 is stepped again: " + (two.commandsReceived() - back));
            assertTrue(r.globalStep() < updates.size() * 120L, "robot2's missing periods are not steps: " + r.globalStep());
            assertEquals(1.0, updates.get(updates.size() - 1).get("charts/lost_episodes"));
        } finally {
            two.close();
        }
    }

    /** Two simulated robots under robot1 and robot2 in a fresh domain, and a learner over both (one env each, stepped at once). */
    private static final class Fleet {
        final RobotTask task = EnvRegistry.task("reacher_2dof");
        final RosParams robot1 = new RosParams(), robot2 = new RosParams();
        final PPOConfig config = new PPOConfig();
        final LongFunction<Env> envs;

        Fleet(long totalSteps) {
            int domain = TestDomains.claim();
            for (RosParams p : List.of(robot1, robot2)) {
                p.domainId = domain;
                p.task = "reacher_2dof";
            }
            robot1.set("namespace", "robot1");
            robot2.set("namespace", "robot2");
            Presets.apply(config, "reacher_2dof");
            config.apply(List.of("num_envs=2", "vec_env=threaded", "rollout_steps=60", "minibatch_size=60", "n_epochs=2", "total_timesteps=" + totalSteps, "seed=2"));
            envs = Backends.named("--sim", "ros").environments(task, List.of("domain_id=" + domain, "node_name=ppo_node_train", "robot_namespaces=robot1,robot2"),
                    new Backends.Batch(2, config.seed));
        }
    }

    private static int live(List<Map<String, Double>> updates) {
        return (int) (double) updates.get(updates.size() - 1).get("charts/live_envs");
    }

    @Test
    void aSilentRobotIsAnErrorNotAHang() {
        RobotTask task = EnvRegistry.task("reacher_2dof");
        RosParams p = new RosParams();
        p.domainId = TestDomains.claim();
        try (Env env = RobotEnv.make(task, new RosBackend(p, task), 0)) {
            var e = assertThrows(IllegalStateException.class, () -> env.reset(0L));
            assertTrue(e.getMessage().contains("no joint states") && e.getMessage().contains("/joint_states"), e.getMessage());
        }
    }
}
