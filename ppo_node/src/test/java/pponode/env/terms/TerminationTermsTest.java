package pponode.env.terms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.env.Space;
import pponode.env.StepResult;
import pponode.sim.BaseState;
import pponode.sim.RobotBackend;

/** Termination terms by name, the base-state arithmetic the locomotion terms rest on, and the checks on both. */
class TerminationTermsTest {
    @TempDir
    Path dir;

    /** Ends an episode once joint 0 passes a configured position: contributed through META-INF/services. */
    public static final class PastTerms implements TerminationTerms.Provider {
        @Override
        public Map<String, TerminationTerm.Factory> terms() {
            return Map.of("test_past", p -> {
                double at = p.number("position", 0);
                return s -> s.q[0] > at;
            });
        }
    }

    private Path task(String source, String termination) throws Exception {
        Path f = dir.resolve("t.yaml");
        String text = Files.readString(Path.of("../urdf/tasks/" + source + ".yaml"));
        String robot = text.replaceAll("(?s).*\\nrobot: \\.\\./([^\\n]+).*", "$1");
        text = text.replace("robot: ../" + robot, "robot: " + Path.of("../urdf/" + robot).toAbsolutePath()).replaceAll("(?s)termination:.*?(\\n\\S|$)", "$1");
        Files.writeString(f, text + "\n" + termination);
        return f;
    }

    @Test
    void jointBoundsEndTheCartPolesEpisodesAsTheOldBoundsDid() throws Exception {
        RobotTask t = TaskFiles.find("cartpole_balance");
        assertEquals(List.of("joint_bounds"), t.terminations().stream().map(RobotTask.NamedTermination::name).toList());
        try (Env e = EnvRegistry.make("cartpole_balance", 3)) {
            e.reset(3L);
            StepResult r;
            int steps = 0;
            do {
                r = e.step(new float[] {e.actionSpace() instanceof Space.Box b ? b.high()[0] : 1f});
                steps++;
            } while (!r.terminated() && !r.truncated());
            assertTrue(r.terminated() && steps < 100, "pushing one way drops the pole within 2 s: " + steps + " steps");
        }
    }

    @Test
    void aTermFromTheClassPathEndsEpisodes() throws Exception {
        Path f = task("reacher_2dof", "termination:\n  test_past: {position: 0.3}\n");
        try (Env e = EnvRegistry.make(f.toString(), 1)) {
            e.reset(1L);
            StepResult r;
            int steps = 0;
            do {
                r = e.step(new float[] {1.5f, 0f}); // a position command beyond 0.3 rad on joint 1
                steps++;
            } while (!r.terminated() && !r.truncated());
            assertTrue(r.terminated(), "ended by the term, not by the time limit, after " + steps + " steps");
        }
    }

    @Test
    void invalidTerminationsAreRefusedByTheirPath() throws Exception {
        String m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("cartpole_balance", "termination:\n  joint_bound: {pole_joint: [-1, 1]}\n")))
                .getMessage();
        assertTrue(m.contains("unknown termination term 'termination.joint_bound', did you mean 'joint_bounds'?"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("cartpole_balance", "termination:\n  joint_bounds: {pole: [-1, 1]}\n"))).getMessage();
        assertTrue(m.contains("'termination.joint_bounds.pole' names joint 'pole'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("cartpole_balance", "termination:\n  joint_bounds: {pole_joint: [1, -1]}\n")))
                .getMessage();
        assertTrue(m.contains("'termination.joint_bounds.pole_joint' must be [low, high] with low < high"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("cartpole_balance", "termination:\n  base_tilt: {max_angel: 1}\n"))).getMessage();
        assertTrue(m.contains("'termination.base_tilt.max_angle' must be in (0, pi]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("cartpole_balance", "termination:\n  base_tilt: {max_angle: 1, max_angel: 1}\n")))
                .getMessage();
        assertTrue(m.contains("unknown parameter 'termination.base_tilt.max_angel'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(task("cartpole_balance", "terminate_when:\n  pole_joint: [-1, 1]\n"))).getMessage();
        assertTrue(m.contains("'terminate_when' is now 'termination.joint_bounds'"), m);
    }

    @Test
    void baseTermsFollowTheBaseOrientationAndHeight() {
        StepState s = new StepState(new int[] {0}, new int[] {0}, new double[] {-1}, new double[] {1}, 0.02);
        TermParams tilt = new TermParams(Map.of("max_angle", 0.5), "termination.base_tilt", List.of("j"));
        TerminationTerm tilted = TerminationTerms.get("base_tilt").create(tilt);
        TerminationTerm low = TerminationTerms.get("base_height").create(new TermParams(Map.of("min", 0.2), "termination.base_height", List.of("j")));
        s.base.position[2] = 0.3;
        assertFalse(tilted.terminated(s) || low.terminated(s), "upright at 0.3 m");
        setRoll(s.base, 0.6);
        assertTrue(tilted.terminated(s), "0.6 rad is past 0.5");
        setRoll(s.base, 0.4);
        assertFalse(tilted.terminated(s));
        s.base.position[2] = 0.1;
        assertTrue(low.terminated(s));
    }

    /** Projected gravity and body-frame velocities against the rotation matrix of the same quaternion, for an arbitrary rotation. */
    @Test
    void bodyFrameQuantitiesMatchTheRotationMatrix() {
        BaseState b = new BaseState();
        double[] axis = {0.3, -0.5, 0.8};
        double n = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]), angle = 2.1;
        b.orientation[0] = Math.cos(angle / 2);
        for (int i = 0; i < 3; i++) b.orientation[i + 1] = Math.sin(angle / 2) * axis[i] / n;
        double w = b.orientation[0], x = b.orientation[1], y = b.orientation[2], z = b.orientation[3];
        double[][] r = { // body to world
            {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
            {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
            {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
        double[] v = {0.7, -1.2, 0.4}, expected = new double[3], got = new double[3];
        for (int i = 0; i < 3; i++) for (int k = 0; k < 3; k++) expected[i] += r[k][i] * v[k]; // R^T v
        b.toBody(v, got);
        assertArrayEquals(expected, got, 1e-12);
        b.projectedGravity(got);
        assertArrayEquals(new double[] {-r[2][0], -r[2][1], -r[2][2]}, got, 1e-12);
        b.setFixed();
        b.projectedGravity(got);
        assertArrayEquals(new double[] {0, 0, -1}, got, 0);
    }

    /** A fixed-base robot observes itself upright and at rest; a backend that reports no efforts is refused for a torque reward. */
    @Test
    void fixedBaseObservationsAndEffortsNeedABackendThatHasThem() throws Exception {
        Path f = task("reacher_2dof", "");
        Files.writeString(f, Files.readString(f).replace("observation: [joint_pos_cos_sin, joint_vel, target, tip_to_target]",
                "observation: [projected_gravity, base_lin_vel, base_ang_vel]").replaceAll("(?s)reward:.*", "reward:\n  joint_torque_l2: -1.0\n"));
        RobotTask task = TaskFiles.load(f);
        try (RobotEnv e = new RobotEnv(task, 1)) {
            assertArrayEquals(new float[] {0, 0, -1, 0, 0, 0, 0, 0, 0}, e.reset(1L), 0f);
        }
        RobotBackend embedded = RobotEnv.simulator(task, "embedded");
        RobotBackend withoutEfforts = new RobotBackend() { // the embedded simulator seen through a backend that does not report efforts
            public List<String> joints() { return embedded.joints(); }
            public void reset(double[] q0, double[] qd0) { embedded.reset(q0, qd0); }
            public boolean step(double[] commands) { return embedded.step(commands); }
            public void positions(double[] out) { embedded.positions(out); }
            public void velocities(double[] out) { embedded.velocities(out); }
            public void linkPosition(String link, double[] out) { embedded.linkPosition(link, out); }
            public void close() { embedded.close(); }
        };
        String m = assertThrows(IllegalArgumentException.class, () -> new RobotEnv(task, withoutEfforts, 1)).getMessage();
        assertTrue(m.contains("reward term 'joint_torque_l2' needs joint efforts"), m);
        withoutEfforts.close();
    }

    private static void setRoll(BaseState b, double angle) {
        b.orientation[0] = Math.cos(angle / 2);
        b.orientation[1] = Math.sin(angle / 2);
        b.orientation[2] = b.orientation[3] = 0;
    }
}
