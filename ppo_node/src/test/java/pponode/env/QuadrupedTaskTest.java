package pponode.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.sim.BaseState;
import pponode.sim.embedded.EmbeddedBackend;

/**
 * The legged task model on the shipped quadruped: a floating base on the ground, contact terms,
 * actions around the stance, velocity commands, and the mistakes a legged task file can make.
 */
class QuadrupedTaskTest {
    @TempDir
    Path dir;

    static RobotTask walk() throws IOException {
        return TaskFiles.load(Path.of("../urdf/tasks/quadruped_walk.yaml"));
    }

    @Test
    void theTaskReadsItsLeggedSettings() throws IOException {
        RobotTask t = walk();
        assertTrue(t.floatingBase);
        assertEquals(1.0, t.contact.surface().friction());
        assertEquals(List.of("FL_foot", "FR_foot", "RL_foot", "RR_foot", "FL_thigh", "FR_thigh", "RL_thigh", "RR_thigh", "FL_calf", "FR_calf", "RL_calf", "RR_calf", "trunk"),
                t.contactLinks(), "the contact links of feet_air_time, undesired_contacts and link_contact, in the order the terms name them");
        Space.Box a = t.actionSpace();
        assertEquals(0.8 - 0.5, a.low()[1], 1e-6, "FL thigh: the stance ± action_scale");
        assertEquals(-1.5 + 0.5, a.high()[2], 1e-6, "FL calf");
        assertEquals(3 + 3 + 3 + 3 + 12 + 12 + 12, t.observationSpace().flatDim());
    }

    @Test
    void anEpisodeStartsStandingOnItsFeetAndHoldsTheStance() throws IOException {
        RobotTask t = walk();
        try (RobotEnv env = new RobotEnv(t, 7)) {
            float[] obs = env.reset(7L);
            BaseState s = new BaseState();
            env.backend().baseState(s);
            assertEquals(0.34, s.position[2], 1e-9, "reset.base_position");
            float[] command = new float[3];
            System.arraycopy(obs, 9, command, 0, 3); // base_lin_vel, base_ang_vel, projected_gravity, then the command
            assertTrue(command[0] >= -1 && command[0] <= 1 && command[1] >= -0.5 && command[1] <= 0.5 && command[2] >= -1 && command[2] <= 1, "command in its ranges");
            float[] stance = new float[12];
            double[] q0 = t.defaultJointPos;
            for (int i = 0; i < 12; i++) stance[i] = (float) q0[i];
            double[] force = new double[3];
            for (int k = 0; k < 100; k++) {
                StepResult r = env.step(stance);
                assertFalse(r.terminated(), "standing at step " + k);
            }
            env.backend().baseState(s);
            assertTrue(s.position[2] > 0.25 && s.position[2] < 0.34, "stands at " + s.position[2] + " m");
            double load = 0;
            for (String foot : List.of("FL_foot", "FR_foot", "RL_foot", "RR_foot")) {
                env.backend().contactForce(foot, force);
                load += force[2];
            }
            assertEquals(t.robot.totalMass() * 9.81, load, 0.05 * t.robot.totalMass() * 9.81, "the feet carry the robot");
            env.backend().contactForce("trunk", force);
            assertEquals(0, force[2]);
        }
    }

    @Test
    void aSnapshotContinuesBitForBit() throws IOException {
        RobotTask t = walk();
        try (RobotEnv a = new RobotEnv(t, 3); RobotEnv b = new RobotEnv(t, 99)) {
            a.reset(3L);
            float[] act = new float[12];
            Random rng = new Random(5);
            for (int k = 0; k < 30; k++) {
                for (int i = 0; i < 12; i++) act[i] = (float) (t.defaultJointPos[i] + 0.3 * (rng.nextDouble() - 0.5));
                a.step(act);
            }
            b.reset(99L);
            b.restore(a.snapshot());
            for (int k = 0; k < 30; k++) {
                for (int i = 0; i < 12; i++) act[i] = (float) (t.defaultJointPos[i] + 0.3 * (rng.nextDouble() - 0.5));
                StepResult ra = a.step(act), rb = b.step(act);
                assertArrayEquals(ra.obs(), rb.obs());
                assertEquals(ra.reward(), rb.reward());
            }
        }
    }

    private String refused(String replace, String with) throws IOException {
        String text = Files.readString(Path.of("../urdf/tasks/quadruped_walk.yaml")).replace("robot: ../quadruped.urdf", "robot: " + Path.of("../urdf/quadruped.urdf").toAbsolutePath());
        assertTrue(text.contains(replace), replace);
        Path f = dir.resolve("task.yaml");
        Files.writeString(f, text.replace(replace, with));
        return assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f)).getMessage();
    }

    @Test
    void leggedMistakesAreRefusedByTheirPath() throws IOException {
        String m = refused("  friction: 1.0\n", "  fricton: 1.0\n");
        assertTrue(m.contains("unknown key 'contact.fricton', did you mean 'friction'?"), m);
        m = refused("base: floating", "base: flying");
        assertTrue(m.contains("task key 'base' must be one of [fixed, floating], got 'flying'"), m);
        m = refused("  restitution: 0.0\n", "  restitution: 1.5\n");
        assertTrue(m.contains("'contact.restitution' must be in [0, 1]"), m);
        m = refused("  FL_calf_joint: -1.5\n", "  FL_calf_joint: 0.5\n");
        assertTrue(m.contains("'default_joint_pos.FL_calf_joint' 0.5 is outside the joint's limits"), m);
        m = refused("  FL_calf_joint: -1.5\n", "  FL_knee_joint: -1.5\n");
        assertTrue(m.contains("'default_joint_pos' names joint 'FL_knee_joint'"), m);
        m = refused("links: [trunk]", "links: [body]");
        assertTrue(m.contains("'termination.link_contact.links' names link 'body'"), m);
        m = refused("contact:\n  ground: true\n  friction: 1.0\n  restitution: 0.0\n", "");
        assertTrue(m.contains("terms read contacts of") && m.contains("no 'contact' section"), m);
        m = refused("  lin_vel_x: [-1.0, 1.0]", "  lin_vel_x: [1.0, -1.0]");
        assertTrue(m.contains("'commands.lin_vel_x' must be [low, high]"), m);
        m = refused("  ang_vel_yaw: [-1.0, 1.0]\n", "  ang_vel_yaw: [-1.0, 1.0]\n  standing: 1.2\n");
        assertTrue(m.contains("'commands.standing' is the share of zero commands, in [0, 1]"), m);
        m = refused("  ang_vel_yaw: [-1.0, 1.0]\n", "  ang_vel_yaw: [-1.0, 1.0]\n  resample_s: 0.03\n");
        assertTrue(m.contains("'commands.resample_s' must be a positive whole number of control periods"), m);
        m = refused("command_interface: position", "command_interface: effort");
        assertTrue(m.contains("'action_scale' applies to position commands"), m);
    }

    /**
     * quadruped_forward draws 0.5 m/s forward or, a fifth of the time, zero (stand), anew every 5 s
     * of an episode; the new command is in the next observation. Evaluation holds one command.
     */
    @Test
    void commandsStandAShareOfDrawsAndAreDrawnAgainMidEpisode() throws IOException {
        RobotTask t = TaskFiles.load(Path.of("../urdf/tasks/quadruped_forward.yaml"));
        assertEquals(0.2, t.commands.standing());
        assertEquals(250, t.commands.resampleSteps(), "5 s at 50 Hz");
        EnvRng rng = new EnvRng(3);
        double[] c = new double[3];
        int zero = 0, draws = 10_000;
        for (int k = 0; k < draws; k++) {
            t.commands.sample(rng, c);
            assertTrue(c[0] == 0 || c[0] == 0.5, "0.5 m/s or standing: " + c[0]);
            if (c[0] == 0) zero++;
        }
        assertEquals(0.2, zero / (double) draws, 0.02, "the standing share");

        try (RobotEnv env = new RobotEnv(t, 11)) {
            float[] stance = new float[12];
            for (int i = 0; i < 12; i++) stance[i] = (float) t.defaultJointPos[i];
            boolean changed = false;
            for (long seed = 11; !changed; seed++) {
                assertTrue(seed < 40, "in 29 episodes, none drew a different command at 5 s");
                float first = env.reset(seed)[9], at5s = first;
                for (int k = 0; k < 250; k++) {
                    float[] obs = env.step(stance).obs();
                    if (k < 249) assertEquals(first, obs[9], "the command holds for 5 s");
                    else at5s = obs[9];
                }
                assertTrue(at5s == 0f || at5s == 0.5f, "a fresh draw: " + at5s);
                changed = at5s != first;
            }
        }

        RobotTask held = t.withCommand(0.3, 0, 0.1);
        assertEquals(0, held.commands.standing());
        assertEquals(0, held.commands.resampleSteps());
        held.commands.sample(rng, c);
        assertArrayEquals(new double[] {0.3, 0, 0.1}, c);
        assertEquals(t.sha256, held.sha256, "the same task file, held at one command");
    }

    @Test
    void aFloatingBaseNeedsARootWithMass() throws IOException {
        String text = Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("robot: ../reacher_2dof.urdf",
                "robot: " + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath() + "\nbase: floating");
        Path f = dir.resolve("floating_reacher.yaml");
        Files.writeString(f, text);
        String m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f)).getMessage();
        assertTrue(m.contains("'base: floating' needs a root link with mass") && m.contains("'base'"), m);
    }

    /** A control period whose physics leaves the physical range is undone and reported lost: the episode ends at the last sane state. */
    @Test
    void aDivergedPeriodIsUndoneAndEndsTheEpisode() throws IOException {
        RobotTask t = walk();
        try (EmbeddedBackend robot = new EmbeddedBackend(t.backendSpec())) {
            BaseState flung = new BaseState();
            flung.position[2] = 0.34;
            flung.linearVelocity[0] = 500; // m/s: nothing physical
            robot.reset(t.defaultJointPos, new double[12], flung);
            byte[] before = robot.snapshot();
            long undone = EmbeddedBackend.divergences();
            assertFalse(robot.step(new double[12]), "the period is reported lost");
            assertArrayEquals(before, robot.snapshot(), "and undone");
            assertEquals(undone + 1, EmbeddedBackend.divergences());
        }
        try (RobotEnv env = new RobotEnv(t, 1)) {
            env.reset(1L);
            float[] stance = new float[12];
            for (int i = 0; i < 12; i++) stance[i] = (float) t.defaultJointPos[i];
            assertFalse(env.step(stance).truncated(), "a sane period goes on");
        }
    }

    /**
     * One task's terms serve every environment on every worker: the threaded vector env must give
     * the observations and rewards of the sync one. (A term that kept scratch arrays in fields
     * mixed two robots' velocities in its reward, so training runs of one seed differed.)
     */
    @Test
    void threadedEnvironmentsGiveTheSameRewardsAsSyncOnes() throws IOException {
        RobotTask t = walk();
        float[][] obs = new float[2][];
        double[][] rewards = new double[2][];
        for (int run = 0; run < 2; run++) {
            List<Env> envs = new ArrayList<>();
            for (int i = 0; i < 8; i++) envs.add(RobotEnv.make(t, RobotEnv.simulator(t, "embedded"), i));
            try (VecEnv v = run == 0 ? new SyncVecEnv(envs) : new ThreadedVecEnv(envs, 2)) {
                v.reset(1);
                Random r = new Random(3);
                float[][] a = new float[8][12];
                double[] sum = new double[8];
                VecStep s = null;
                for (int k = 0; k < 400; k++) {
                    for (float[] row : a) for (int i = 0; i < 12; i++) row[i] = (float) (t.defaultJointPos[i] + 0.4 * (r.nextDouble() - 0.5));
                    s = v.step(a);
                    for (int e = 0; e < 8; e++) sum[e] += s.rewards[e];
                }
                obs[run] = s.obs[7];
                rewards[run] = sum;
            }
        }
        assertArrayEquals(obs[0], obs[1]);
        assertArrayEquals(rewards[0], rewards[1]);
    }
}
