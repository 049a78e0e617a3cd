package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.TestDomains;
import pponode.config.PPOConfig;
import pponode.config.Presets;
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
