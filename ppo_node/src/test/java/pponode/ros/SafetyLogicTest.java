package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.CommandShaper;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.env.terms.ObservationTerm.Input;

/** The pure logic between DDS and the policy: name matching and the safety gate. */
class SafetyLogicTest {
    static final JointStateAssembler.Health OK = new JointStateAssembler.Health(true, "ok");

    @Test
    void assemblerMatchesJointsByNameWhateverTheOrder() {
        RobotTask task = EnvRegistry.task("reacher_2dof");
        JointStateAssembler a = new JointStateAssembler(task, new RosParams()), b = new JointStateAssembler(task, new RosParams());
        a.update(List.of("joint1", "joint2"), new double[] {0.3, -0.4}, new double[] {0.1, 0.2}, 10);
        b.update(List.of("wrist", "joint2", "joint1"), new double[] {9, -0.4, 0.3}, new double[] {9, 0.2, 0.1}, 10);
        float[] oa = new float[10], ob = new float[10];
        double[] target = {0.1, 0.1, 0};
        assertTrue(a.assemble(10, 1_000, target, new float[2], oa).ok());
        assertTrue(b.assemble(10, 1_000, target, new float[2], ob).ok());
        assertArrayEquals(oa, ob);
        assertEquals(1, b.extraNames());
        assertEquals((float) Math.cos(0.3), oa[0], 1e-7);
        // split across two topics: each message carries one joint
        JointStateAssembler c = new JointStateAssembler(task, new RosParams());
        c.update(List.of("joint2"), new double[] {-0.4}, new double[] {0.2}, 10);
        assertTrue(c.assemble(10, 1_000, target, new float[2], new float[10]).reason().contains("'joint1'"));
        c.update(List.of("joint1"), new double[] {0.3}, new double[] {0.1}, 11);
        float[] oc = new float[10];
        assertTrue(c.assemble(11, 1_000, target, new float[2], oc).ok());
        assertArrayEquals(oa, oc);
        // a message without velocities cannot feed a policy that observes them
        JointStateAssembler d = new JointStateAssembler(task, new RosParams());
        d.update(List.of("joint1", "joint2"), new double[] {0.3, -0.4}, new double[0], 10);
        assertTrue(d.assemble(10, 1_000, target, new float[2], new float[10]).reason().contains("no velocity"));
    }

    /**
     * One command path: the same policy outputs through the training environment and through the
     * deploy node's gate (as the node builds it, defaults) reach the joints as the same commands,
     * clamp and rate limit included, from the first command on.
     */
    @Test
    void trainingAndTheDeployGateShapeCommandsAlike() {
        RobotTask task = EnvRegistry.task("reacher_2dof");
        SafetyGate gate = new SafetyGate(CommandShaper.forTask(task, DeployNode.rateLimits(new RosParams(), task), new RosParams().lowPassAlpha, task.controlRateHz));
        Random rng = new Random(5);
        int limited = 0;
        try (RobotEnv env = new RobotEnv(task, 5)) {
            env.reset(5L);
            double[] measured = new double[2];
            env.backend().positions(measured);
            double[] before = measured.clone();
            for (int t = 0; t < 200; t++) {
                float[] action = {(float) (rng.nextGaussian() * 3), (float) (rng.nextGaussian() * 3)}; // beyond the limits and the rate limit, often
                env.step(action);
                double[] onTheRobot = gate.command(action, OK, measured);
                assertArrayEquals(env.lastCommand(), onTheRobot, 0.0, "step " + t);
                for (int i = 0; i < 2; i++) if (Math.abs(onTheRobot[i] - before[i]) < Math.abs(Math.max(-3.1, Math.min(3.1, action[i])) - before[i]) - 1e-9) limited++;
                before = onTheRobot;
                env.backend().positions(measured);
            }
        }
        assertTrue(limited > 50, "the rate limit shaped many commands: " + limited);
    }

    /** The assembler waits for what the task's terms declare they read, and nothing else. */
    @Test
    void theAssemblerNeedsWhatTheObservationTermsRead(@TempDir Path dir) throws Exception {
        RobotTask reacher = EnvRegistry.task("reacher_2dof");
        assertEquals(EnumSet.of(Input.JOINT_POSITIONS, Input.JOINT_VELOCITIES, Input.TARGET, Input.TIP), reacher.observationInputs());
        Path f = dir.resolve("no_velocity.yaml");
        Files.writeString(f, Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml"))
                .replace("robot: ../reacher_2dof.urdf", "robot: " + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath())
                .replace("observation: [joint_pos_cos_sin, joint_vel, target, tip_to_target]", "observation: [joint_pos_cos_sin, target]"));
        RobotTask task = TaskFiles.load(f);
        assertEquals(EnumSet.of(Input.JOINT_POSITIONS, Input.TARGET), task.observationInputs());
        JointStateAssembler a = new JointStateAssembler(task, new RosParams());
        a.update(List.of("joint1", "joint2"), new double[] {0.3, -0.4}, new double[0], 10); // a driver that publishes no velocity
        float[] o = new float[task.observationSpace().flatDim()];
        assertEquals("no target received yet", a.assemble(10, 1_000, null, new float[2], o).reason());
        assertTrue(a.assemble(10, 1_000, new double[] {0.1, 0.1, 0}, new float[2], o).ok());
        assertEquals((float) Math.cos(0.3), o[0], 1e-7);
    }

    @Test
    void gateClampsRateLimitsFiltersAndHolds() {
        SafetyGate g = new SafetyGate(new CommandShaper("position", new double[] {-1, -2}, new double[] {1, 2}, new double[] {10, 10}, 1.0, 50)); // 0.2 per period
        double[] c = g.command(new float[] {5f, -0.5f}, OK, new double[] {0.9, -0.4});
        assertArrayEquals(new double[] {1, -0.5}, c, 1e-12, "the first command: clamped, and rate-limited from the measured position");
        c = g.command(new float[] {-1f, -0.5f}, OK, new double[] {0, 0});
        assertArrayEquals(new double[] {0.8, -0.5}, c, 1e-12, "rate-limited to 10/s at 50 Hz");
        c = g.command(null, new JointStateAssembler.Health(false, "stale"), new double[] {0.7, 0.1});
        assertTrue(g.safe());
        assertArrayEquals(new double[] {0.7, -0.3}, c, 1e-12, "to the measured position, at the rate limit");
        assertFalse(g.settled());
        c = g.command(null, new JointStateAssembler.Health(false, "stale"), new double[] {0.9, 0.3});
        assertArrayEquals(new double[] {0.7, -0.1}, c, 1e-12, "towards where the fault began, not chasing the measurement");
        c = g.command(null, new JointStateAssembler.Health(false, "stale"), new double[] {0.9, 0.3});
        assertArrayEquals(new double[] {0.7, 0.1}, c, 1e-12, "then holding there");
        assertTrue(g.settled());
        g.command(null, new JointStateAssembler.Health(false, "e-stop engaged"), new double[] {0, 0});
        assertTrue(g.safe() && g.reason().contains("e-stop"));
        c = g.command(new float[] {-1f, 2f}, OK, new double[] {0.5, 0.5});
        assertFalse(g.safe());
        assertArrayEquals(new double[] {0.5, 0.3}, c, 1e-12, "taking over after the e-stop: from the last command, at the rate limit, no jump");
        SafetyGate effort = new SafetyGate(new CommandShaper("effort", new double[] {-3}, new double[] {3}, new double[] {0}, 0.5, 50));
        assertArrayEquals(new double[] {0}, effort.command(null, new JointStateAssembler.Health(false, "NaN"), null), "zero effort when unsafe");
        assertArrayEquals(new double[] {1}, effort.command(new float[] {2f}, OK, null), 1e-12, "resumes from the zero it sent, low-pass with alpha 0.5");
        assertArrayEquals(new double[] {2}, effort.command(new float[] {3f}, OK, null), 1e-12, "low-pass with alpha 0.5");
    }

    /** Entering and leaving the safe command, however often and for whatever reason, never steps past the rate limit. */
    @Test
    void everyCommandTheGatePublishesHoldsTheRateLimit() {
        double step = 0.4; // the quadruped calf's 20 rad/s at 50 Hz
        SafetyGate g = new SafetyGate(new CommandShaper("position", new double[] {-2.7, -2.7}, new double[] {-0.9, -0.9}, new double[] {20, 20}, 1.0, 50));
        Random r = new Random(7);
        double[] last = null, measured = {-1.5, -1.5};
        int transitions = 0;
        boolean wasSafe = true, estop = false;
        for (int k = 0; k < 5_000; k++) {
            int what = r.nextInt(10);
            estop = what == 0 || (what != 1 && estop);
            JointStateAssembler.Health h = estop ? new JointStateAssembler.Health(false, "e-stop") : what == 2 ? new JointStateAssembler.Health(false, "stale") : OK;
            for (int i = 0; i < 2; i++) measured[i] = Math.max(-2.7, Math.min(-0.9, measured[i] + 0.3 * r.nextGaussian())); // a joint lagging its command
            float[] action = what == 3 ? null : new float[] {(float) (-2.7 + 1.8 * r.nextDouble()), (float) (-2.7 + 1.8 * r.nextDouble())};
            double[] c = g.command(action, h, measured);
            if (last != null) {
                for (int i = 0; i < 2; i++) assertTrue(Math.abs(c[i] - last[i]) <= step + 1e-12, "command " + k + " joint " + i + " moved " + Math.abs(c[i] - last[i]));
            }
            if (g.safe() != wasSafe) transitions++;
            wasSafe = g.safe();
            last = c;
        }
        assertTrue(transitions > 500, "the sequence switched in and out of the safe command: " + transitions);
    }

    /** max_rate: urdf (the default) limits each position command to its joint's URDF velocity limit; a number to that; 0 to nothing. */
    @Test
    void theDefaultRateLimitIsTheUrdfVelocityLimit() {
        RobotTask arm = EnvRegistry.task("arm_6dof_reach");
        RosParams p = new RosParams();
        assertArrayEquals(new double[] {3.15, 3.15, 3.15, 3.2, 3.2, 3.2}, DeployNode.rateLimits(p, arm), 1e-12);
        p.apply(List.of("max_rate=1.5"));
        assertArrayEquals(new double[] {1.5, 1.5, 1.5, 1.5, 1.5, 1.5}, DeployNode.rateLimits(p, arm), 1e-12);
        p.apply(List.of("max_rate=0"));
        assertArrayEquals(new double[6], DeployNode.rateLimits(p, arm), 1e-12);
        p.apply(List.of("max_rate=urdf"));
        assertArrayEquals(new double[] {0}, DeployNode.rateLimits(p, EnvRegistry.task("pendulum_lift")), 1e-12, "effort: no URDF rate limit");
        assertThrows(IllegalArgumentException.class, () -> new RosParams().apply(List.of("max_rate=-1")));
    }

    @Test
    void aJointWhoseMeasurementTurnsNanIsHeldAtItsLastFiniteMeasurement() {
        SafetyGate g = new SafetyGate(new CommandShaper("position", new double[] {-3, -3}, new double[] {3, 3}, new double[] {0, 0}, 1.0, 50));
        JointStateAssembler.Health nan = new JointStateAssembler.Health(false, "joint state for 'joint1' is not finite");
        g.command(new float[] {2f, -1f}, OK, new double[] {0.3, -0.2}); // commanded far from where the joints are
        g.command(new float[] {2f, -1f}, OK, new double[] {0.35, -0.25});
        double[] hold = g.command(null, nan, new double[] {Double.NaN, -0.3});
        assertArrayEquals(new double[] {0.35, -0.3}, hold, 1e-12, "held where the joint was last measured, not at the last command (2.0)");
        assertArrayEquals(hold, g.command(null, nan, new double[] {Double.NaN, Double.NaN}), 1e-12, "and kept while the fault lasts");
        SafetyGate never = new SafetyGate(new CommandShaper("position", new double[] {-3, -3}, new double[] {3, 3}, new double[] {0, 0}, 1.0, 50));
        never.command(new float[] {1f, 1f}, OK, new double[] {Double.NaN, 0.1});
        assertArrayEquals(new double[] {1, 0.1}, never.command(null, nan, new double[] {Double.NaN, 0.1}), 1e-12,
                "a joint never measured keeps its last command");
    }
}
