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
import pponode.sim.urdf.UrdfModel;

class RobotEnvTest {
    static final List<String> TASKS = List.of("reacher_2dof", "cartpole_balance", "arm_6dof_reach", "quadruped_walk");

    static RobotTask task(String name) throws IOException {
        return TaskFiles.load(Path.of("../urdf/tasks/" + name + ".yaml"));
    }

    @Test
    void shippedTasksLoadWithSpacesFromTheUrdf() throws IOException {
        RobotTask r = task("reacher_2dof");
        assertEquals(20, r.decimation);
        assertEquals(List.of("joint1", "joint2"), r.actuatedJoints);
        try (RobotEnv e = new RobotEnv(r, 0)) {
            Space.Box a = (Space.Box) e.actionSpace();
            assertArrayEquals(new float[] {-3.1f, -2.6f}, a.low()); // position commands span the URDF limits
            assertArrayEquals(new float[] {3.1f, 2.6f}, a.high());
            assertEquals(4 + 2 + 2 + 2, e.observationSpace().flatDim()); // cos/sin, velocities, target xy, tip→target xy
        }
        try (RobotEnv e = new RobotEnv(task("cartpole_balance"), 0)) {
            assertArrayEquals(new float[] {-20f}, ((Space.Box) e.actionSpace()).low()); // effort limit of the cart joint
        }
        assertEquals(6, task("arm_6dof_reach").actuatedJoints.size());
    }

    @Test
    void randomAndOutOfRangeActionsNeverTakeJointsPastTheirLimits() throws IOException {
        // Commands are clamped to the URDF limits before they reach the simulator, and joint stops
        // hold. (Joint speed can still pass the velocity limit briefly when a link is flung by
        // its neighbour hitting a stop — real dynamics; the motors then brake.)
        for (String name : TASKS) {
            RobotTask t = task(name);
            Random rnd = new Random(5);
            EmbeddedBackend sim = new EmbeddedBackend(t.backendSpec());
            try (RobotEnv e = new RobotEnv(t, sim, 1)) {
                e.reset(1L);
                Space.Box a = (Space.Box) e.actionSpace();
                float[] act = new float[a.flatDim()];
                double worst = 0, fastest = 0;
                for (int k = 0; k < 2000; k++) {
                    for (int i = 0; i < act.length; i++) {
                        float span = a.high()[i] - a.low()[i];
                        act[i] = a.low()[i] + (float) ((rnd.nextDouble() * 3 - 1) * span); // up to a full span outside
                    }
                    StepResult r = e.step(act);
                    double[] sent = e.lastCommand();
                    for (int i = 0; i < sent.length; i++) {
                        assertTrue(sent[i] >= a.low()[i] && sent[i] <= a.high()[i], name + ": command " + sent[i] + " outside the limits");
                    }
                    for (float x : r.obs()) assertTrue(Float.isFinite(x), name + ": non-finite observation");
                    for (int j = 0; j < sim.simulator().dof(); j++) {
                        UrdfModel.Joint jt = t.robot.movableJoints().get(j);
                        double q = sim.simulator().position(j);
                        if (Double.isFinite(jt.lower())) worst = Math.max(worst, Math.max(jt.lower() - q, q - jt.upper()));
                        fastest = Math.max(fastest, Math.abs(sim.simulator().velocity(j)) / jt.velocity());
                    }
                    if (r.done()) e.reset(null);
                }
                System.out.printf("%s: worst limit excursion %.4f, fastest joint at %.2f of its velocity limit%n", name, worst, fastest);
                assertTrue(worst < 0.02, name + ": a joint went " + worst + " past its limit");
                assertTrue(fastest < 3, name + ": a joint reached " + fastest + " times its velocity limit; the brakes must hold it near the limit");
            }
        }
    }

    @Test
    void sameSeedSameTrajectoryAndSnapshotsRestore() throws IOException {
        RobotTask t = task("reacher_2dof");
        List<float[]> a = rollout(t, 9), b = rollout(t, 9);
        for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k));
        try (RobotEnv e = new RobotEnv(t, 4)) {
            e.reset(4L);
            float[] act = {1.0f, -0.5f};
            for (int k = 0; k < 30; k++) e.step(act);
            byte[] snap = e.snapshot();
            List<float[]> first = new ArrayList<>();
            for (int k = 0; k < 40; k++) first.add(e.step(act).obs());
            first.add(e.reset(null));
            e.restore(snap);
            for (int k = 0; k < 40; k++) assertArrayEquals(first.get(k), e.step(act).obs());
            assertArrayEquals(first.get(40), e.reset(null), "the random stream is restored too");
        }
    }

    private static List<float[]> rollout(RobotTask t, long seed) {
        List<float[]> out = new ArrayList<>();
        Random r = new Random(seed);
        try (Env e = new TimeLimit(new RobotEnv(t, seed), t.episodeSteps)) {
            out.add(e.reset(seed));
            for (int k = 0; k < 250; k++) {
                StepResult s = e.step(new float[] {(float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2)});
                out.add(s.obs());
                if (s.done()) out.add(e.reset(null));
            }
        }
        return out;
    }

    /**
     * An episode that ended in a fall leaves nothing behind: after the trunk lay on the ground, the
     * next episode (whose first control period is in the air) runs exactly as in a fresh
     * environment. The fallen trunk's contact force used to survive the reset and end that episode
     * after one step, in evaluation and in training.
     */
    @Test
    void aFallLeavesNothingForTheNextEpisode() {
        RobotTask task = EnvRegistry.task("quadruped_forward");
        try (RobotEnv used = new RobotEnv(task, 1); RobotEnv fresh = new RobotEnv(task, 1)) {
            used.reset(5L);
            double[] q = new double[12];
            used.backend().positions(q);
            BaseState lying = new BaseState();
            lying.setFixed();
            lying.position[2] = 0.2; // upside down, falling onto its back
            lying.orientation[0] = 0;
            lying.orientation[1] = 1;
            used.backend().reset(q, new double[12], lying);
            float[] stance = new float[12];
            task.restAction(name -> task.defaultJointPos[task.actuatedJoints.indexOf(name)], stance);
            boolean fell = false;
            for (int k = 0; k < 100 && !fell; k++) fell = used.step(stance).terminated();
            assertTrue(fell, "the episode ended with the trunk on the ground");
            assertArrayEquals(fresh.reset(9L), used.reset(9L));
            BaseState dropped = new BaseState(); // the next episode starts in the air: its first periods touch nothing
            dropped.setFixed();
            dropped.position[2] = 0.6;
            for (RobotEnv e : List.of(used, fresh)) {
                e.backend().positions(q);
                e.backend().reset(q, new double[12], dropped);
            }
            for (int k = 0; k < 25; k++) {
                StepResult a = used.step(stance), b = fresh.step(stance);
                assertEquals(b.terminated(), a.terminated(), "step " + k + ": terminated");
                assertArrayEquals(b.obs(), a.obs(), "step " + k);
                assertEquals(b.reward(), a.reward(), "step " + k);
                assertFalse(a.terminated(), "landing in its stance, the robot does not fall (step " + k + ")");
            }
        }
    }

    @Test
    void taskErrorsNameTheFileAndTheJoint(@TempDir Path dir) throws IOException {
        Files.copy(Path.of("../urdf/reacher_2dof.urdf"), dir.resolve("reacher_2dof.urdf"));
        String good = Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("../reacher_2dof.urdf", "reacher_2dof.urdf");
        Path f = dir.resolve("my_task.yaml");
        Files.writeString(f, good.replace("actuated_joints: [joint1, joint2]", "actuated_joints: [joint1, elbow]"));
        var e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f));
        assertTrue(e.getMessage().contains("my_task.yaml") && e.getMessage().contains("'elbow'"), e.getMessage());
        Files.writeString(f, good.replace("tip_link: fingertip", "tip_link: hand"));
        e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f));
        assertTrue(e.getMessage().contains("my_task.yaml") && e.getMessage().contains("'hand'"), e.getMessage());
        Files.writeString(f, good.replace("observation: [", "observation: [joint_torque, "));
        e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f));
        assertTrue(e.getMessage().contains("'joint_torque'"), e.getMessage());
        Files.writeString(f, good.replace("control_rate_hz: 50", "control_rate_hz: 300"));
        e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f));
        assertTrue(e.getMessage().contains("control_rate_hz"), e.getMessage());
        Files.writeString(f, good.replace("robot: reacher_2dof.urdf", "robot: missing.urdf"));
        var io = assertThrows(IOException.class, () -> TaskFiles.load(f));
        assertTrue(io.getMessage().contains("missing.urdf"), io.getMessage());
        Files.writeString(f, good.replace("physics_dt: 0.001", "physics_dt: 0.001\nphysics_engine: bullet"));
        e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(f));
        assertTrue(e.getMessage().contains("'physics_engine'"), e.getMessage());
        try (RobotEnv env = new RobotEnv(TaskFiles.load(Path.of("../urdf/tasks/reacher_2dof.yaml")), 0)) {
            env.reset(0L);
            var bad = assertThrows(IllegalArgumentException.class, () -> env.step(new float[] {0f, Float.NaN}));
            assertTrue(bad.getMessage().contains("'joint2'"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> env.step(new float[] {0f}));
        }
    }

    @Test
    void tasksResolveByNameThroughTheRegistry() {
        try (Env e = EnvRegistry.make("reacher_2dof", 3)) {
            assertEquals(2, e.actionSpace().flatDim());
        }
    }

    /** The episode's time limit is applied once, by the TimeLimit wrapper: every episode truncates at episode_steps, and the bare env never does. */
    @Test
    void theTimeLimitIsAppliedOnce() throws IOException {
        RobotTask t = task("reacher_2dof");
        float[] hold = new float[2];
        int truncations = 0;
        try (Env e = EnvRegistry.make("reacher_2dof", 3)) {
            e.reset(3L);
            int steps = 0;
            for (int k = 0; k < 3 * t.episodeSteps; k++) {
                StepResult r = e.step(hold);
                steps++;
                if (r.truncated()) {
                    truncations++;
                    assertEquals(t.episodeSteps, steps, "truncated at episode_steps");
                    steps = 0;
                    e.reset(null);
                }
            }
        }
        assertEquals(3, truncations);
        try (RobotEnv bare = new RobotEnv(t, 3)) {
            bare.reset(3L);
            for (int k = 0; k < 2 * t.episodeSteps; k++) assertFalse(bare.step(hold).truncated(), "the bare env has no time limit of its own");
        }
    }
}
