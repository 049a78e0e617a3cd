package pponode.env.terms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.env.StepResult;

/** Reward terms by name: each built-in term's value, the two ways to configure one, and a term of one's own from the class path. */
class RewardTermsTest {
    @TempDir
    Path dir;

    /** A term contributed through META-INF/services, as a user's jar would: constant 1.5. */
    public static final class ConstantTerms implements RewardTerms.Provider {
        @Override
        public Map<String, RewardTerm.Factory> terms() {
            return Map.of("test_constant", p -> {
                double value = p.number("value", 1.5);
                return s -> value;
            });
        }
    }

    @Test
    void builtInTermsComputeWhatTheySay() {
        StepState s = new StepState(new int[] {0, 1}, new int[] {0, 1}, new double[] {-1, Double.NEGATIVE_INFINITY}, new double[] {1, Double.POSITIVE_INFINITY}, 0.02);
        s.action[0] = 0.5f;
        s.action[1] = -1f;
        s.previousAction[0] = 0.25f;
        s.q[0] = 0.95; // 0.05 inside the 0.1 margin of the upper limit
        s.q[1] = 100; // continuous: no limit
        s.qd[0] = 1;
        s.qd[1] = -2;
        s.previousQd[0] = 0.5;
        s.previousQd[1] = -2;
        s.distance = 0.3;
        assertEquals(0.3, new Distance().value(s));
        assertEquals(1.25, new ActionL2().value(s), 1e-12);
        assertEquals(0.0625 + 1, new ActionRate().value(s), 1e-12);
        assertEquals(5, new JointVelocityL2().value(s), 1e-12);
        assertEquals(625, new JointAccelerationL2().value(s), 1e-9, "(0.5 rad/s in 0.02 s)^2");
        assertEquals(0.05, new JointLimitProximity(0.1).value(s), 1e-12);
        s.effort[0] = 3;
        s.effort[1] = -4;
        assertEquals(25, new JointTorqueL2().value(s), 1e-12);
        assertEquals(0, new FlatOrientationL2().value(s), 1e-12, "a fixed base is level");
        // tilted 30 degrees about x, moving 1 m/s up and rolling at 2 rad/s about world x
        s.base.orientation[0] = Math.cos(Math.PI / 12);
        s.base.orientation[1] = Math.sin(Math.PI / 12);
        s.base.linearVelocity[2] = 1;
        s.base.angularVelocity[0] = 2;
        assertEquals(0.25, new FlatOrientationL2().value(s), 1e-12, "sin^2(30 deg)");
        assertEquals(0.75, new BaseVelocityL2(false, 2).value(s), 1e-12, "the body z component of a world-up velocity is cos(30 deg)");
        assertEquals(4, new BaseVelocityL2(true, 0, 1).value(s), 1e-12, "a roll about the body x axis stays in the xy plane");
        s.base.position[2] = 0.2;
        RewardTerm height = RewardTerms.get("base_height_l2").create(new TermParams(Map.of("target", 0.28), "reward.base_height_l2", List.of("j")));
        assertEquals(0.0064, height.value(s), 1e-12, "8 cm below the stance's height");
        IllegalArgumentException noTarget = assertThrows(IllegalArgumentException.class,
                () -> RewardTerms.get("base_height_l2").create(new TermParams(Map.of(), "reward.base_height_l2", List.of("j"))));
        assertTrue(noTarget.getMessage().contains("'reward.base_height_l2.target'"), noTarget.getMessage());
        assertTrue(RewardTerms.names().containsAll(List.of("distance", "action_l2", "action_rate", "alive", "joint_vel_l2", "joint_acc_l2", "joint_limit",
                "joint_torque_l2", "flat_orientation_l2", "base_lin_vel_z_l2", "base_ang_vel_xy_l2", "base_height_l2")));
    }

    private Path task(String reward) throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("robot: ../reacher_2dof.urdf",
                "robot: " + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath()).replaceAll("(?s)reward:.*", reward));
        return f;
    }

    @Test
    void termsAreConfiguredByWeightOrByAMapping() throws Exception {
        RobotTask t = TaskFiles.load(task("reward:\n  distance: -1.0\n  joint_limit: {weight: -2.0, margin: 0.2}\n  test_constant: {weight: 1.0, value: 4}\n"));
        assertEquals(Map.of("distance", -1.0, "joint_limit", -2.0, "test_constant", 1.0), t.reward);
        try (Env e = EnvRegistry.make(task("reward:\n  test_constant: {weight: 2.0, value: 4}\n").toString(), 1)) {
            e.reset(1L);
            StepResult r = e.step(new float[2]);
            assertEquals(8.0, r.reward(), 1e-12, "a term from the class path, weighted");
        }
        String m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("reward:\n  joint_limit: {weight: -1, margn: 0.2}\n"))).getMessage();
        assertTrue(m.contains("unknown parameter 'reward.joint_limit.margn'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("reward:\n  joint_limit: {margin: 0.2}\n"))).getMessage();
        assertTrue(m.contains("'reward.joint_limit' needs a 'weight'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("reward:\n  joint_limit: {weight: -1, margin: -0.2}\n"))).getMessage();
        assertTrue(m.contains("'joint_limit.margin' must be > 0"), m);
    }

    /** The embedded simulator reports the efforts it applied: under effort control, the command clamped to the URDF's effort limit. */
    @Test
    void jointTorqueReadsTheEffortsTheSimulatorApplied() throws Exception {
        Path f = dir.resolve("effort.yaml");
        Files.writeString(f, Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml"))
                .replace("robot: ../reacher_2dof.urdf", "robot: " + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath())
                .replace("command_interface: position", "command_interface: effort").replaceAll("(?s)reward:.*", "reward:\n  joint_torque_l2: -1.0\n"));
        RobotTask task = TaskFiles.load(f);
        float[] limit = task.actionSpace().high();
        try (Env e = EnvRegistry.make(f.toString(), 1)) {
            e.reset(1L);
            StepResult r = e.step(new float[] {limit[0] / 2, 10 * limit[1]}); // the second beyond its limit: clamped
            double expected = Math.pow(limit[0] / 2.0, 2) + Math.pow(limit[1], 2);
            assertEquals(-expected, r.reward(), 1e-6 * expected);
        }
    }

    @Test
    void leggedTermsComputeWhatTheySay() {
        // two contact links: 0 a foot, 1 a thigh
        StepState s = new StepState(new int[] {0}, new int[] {0}, new double[] {-1}, new double[] {1}, 0.02, 2);
        s.command[0] = 0.5;
        s.command[2] = 0.2;
        s.base.linearVelocity[0] = 0.3; // upright and unrotated: world and base frames agree
        s.base.angularVelocity[2] = 0.2;
        List<String> contactLinks = new ArrayList<>();
        TermParams p = new TermParams(Map.of("sigma", 0.25), "reward.track_lin_vel_xy", List.of("j"), List.of("foot", "thigh", "trunk"), contactLinks);
        assertEquals(Math.exp(-0.04 / 0.25), RewardTerms.get("track_lin_vel_xy").create(p).value(s), 1e-12);
        assertEquals(1.0, RewardTerms.get("track_ang_vel_z").create(new TermParams(Map.of(), "reward.track_ang_vel_z", List.of("j"))).value(s), 1e-12);
        RewardTerm air = RewardTerms.get("feet_air_time").create(new TermParams(Map.of("links", List.of("foot")), "reward.feet_air_time", List.of("j"),
                List.of("foot", "thigh", "trunk"), contactLinks));
        RewardTerm undesired = RewardTerms.get("undesired_contacts").create(new TermParams(Map.of("links", List.of("thigh", "foot")), "reward.undesired_contacts",
                List.of("j"), List.of("foot", "thigh", "trunk"), contactLinks));
        assertEquals(List.of("foot", "thigh"), contactLinks, "terms share one list of contact links");
        double total = 0;
        for (int k = 0; k < 30; k++) total += air.value(s); // 0.6 s in the air: nothing yet
        assertEquals(0, total);
        s.contactForce[2] = 50; // the foot lands
        assertEquals(0.62 - 0.5, air.value(s), 1e-9, "the swing's time (31 periods) less the 0.5 s threshold, once");
        assertEquals(0, air.value(s), "standing: no further reward");
        assertEquals(1, undesired.value(s), "the foot touches; the thigh does not");
        s.contactForce[3] = 3; // the thigh scrapes the ground
        assertEquals(2, undesired.value(s));
        TerminationTerm fell = TerminationTerms.get("link_contact").create(new TermParams(Map.of("links", List.of("trunk")), "termination.link_contact", List.of("j"),
                List.of("foot", "thigh", "trunk"), new ArrayList<>()));
        assertEquals(false, fell.terminated(new StepState(new int[] {0}, new int[] {0}, new double[] {-1}, new double[] {1}, 0.02, 1)));
        StepState down = new StepState(new int[] {0}, new int[] {0}, new double[] {-1}, new double[] {1}, 0.02, 1);
        down.contactForce[2] = 10;
        assertTrue(fell.terminated(down));
        s.command[0] = 0; // no command: air time earns nothing
        s.command[2] = 0;
        s.contactForce[2] = 0;
        for (int k = 0; k < 40; k++) air.value(s);
        s.contactForce[2] = 50;
        assertEquals(0, air.value(s));
        Exception e = assertThrows(IllegalArgumentException.class, () -> RewardTerms.get("feet_air_time").create(new TermParams(Map.of("links", List.of("paw")),
                "reward.feet_air_time", List.of("j"), List.of("foot"), new ArrayList<>())));
        assertTrue(e.getMessage().contains("'reward.feet_air_time.links' names link 'paw'"), e.getMessage());
    }

    /**
     * A task's terms are shared by all its environments, stepped on several worker threads at once:
     * each thread's values must be its own state's. (The base-velocity terms once kept a scratch
     * array in a field, and two robots' velocities mixed in their rewards.)
     */
    @Test
    void termsSharedByEnvironmentsOnTwoThreadsGiveEachItsOwnValue() throws Exception {
        List<String> names = List.of("track_lin_vel_xy", "track_ang_vel_z", "base_lin_vel_z_l2", "base_ang_vel_xy_l2", "flat_orientation_l2");
        List<RewardTerm> terms = new ArrayList<>();
        for (String n : names) terms.add(RewardTerms.get(n).create(new TermParams(Map.of(), "reward." + n, List.of("j"))));
        TerminationTerm tilt = TerminationTerms.get("base_tilt").create(new TermParams(Map.of("max_angle", 0.3), "termination.base_tilt", List.of("j")));
        StepState[] states = new StepState[2];
        for (int k = 0; k < 2; k++) {
            StepState s = new StepState(new int[] {0}, new int[] {0}, new double[] {-1}, new double[] {1}, 0.02);
            double angle = k == 0 ? 0.1 : 0.6; // tilted about x: one under the 0.3 rad limit, one over
            s.base.orientation[0] = Math.cos(angle / 2);
            s.base.orientation[1] = Math.sin(angle / 2);
            s.base.linearVelocity[0] = k == 0 ? 0.2 : 1.5;
            s.base.linearVelocity[2] = k == 0 ? -0.1 : 0.7;
            s.base.angularVelocity[0] = k == 0 ? 0.3 : -2.0;
            s.base.angularVelocity[2] = k == 0 ? 0.5 : -1.0;
            s.command[0] = 0.5;
            s.command[2] = 0.4;
            states[k] = s;
        }
        double[][] expected = new double[2][terms.size()];
        for (int k = 0; k < 2; k++) for (int i = 0; i < terms.size(); i++) expected[k][i] = terms.get(i).value(states[k]);
        AtomicInteger wrong = new AtomicInteger();
        Thread[] threads = new Thread[2];
        for (int k = 0; k < 2; k++) {
            int me = k;
            threads[k] = new Thread(() -> {
                for (int n = 0; n < 2_000_000 && wrong.get() == 0; n++) {
                    for (int i = 0; i < terms.size(); i++) if (terms.get(i).value(states[me]) != expected[me][i]) wrong.incrementAndGet();
                    if (tilt.terminated(states[me]) != (me == 1)) wrong.incrementAndGet();
                }
            });
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        assertEquals(0, wrong.get(), "values computed on one thread with another thread's state");
    }
}
