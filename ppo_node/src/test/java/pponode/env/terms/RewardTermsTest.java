package pponode.env.terms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.env.StepResult;
import pponode.env.Env;

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
        StepState s = new StepState(2, new int[] {0, 1}, new double[] {-1, Double.NEGATIVE_INFINITY}, new double[] {1, Double.POSITIVE_INFINITY}, 0.02);
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
        assertTrue(RewardTerms.names().containsAll(java.util.List.of("distance", "action_l2", "action_rate", "alive", "joint_vel_l2", "joint_acc_l2", "joint_limit")));
    }

    private Path task(String reward) throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("robot: ../reacher_2dof.urdf",
                "robot: " + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath()).replaceAll("(?s)reward:.*", reward));
        return f;
    }

    @Test
    void termsAreConfiguredByWeightOrByAMapping() throws Exception {
        RobotTask t = RobotTask.load(task("reward:\n  distance: -1.0\n  joint_limit: {weight: -2.0, margin: 0.2}\n  test_constant: {weight: 1.0, value: 4}\n"));
        assertEquals(Map.of("distance", -1.0, "joint_limit", -2.0, "test_constant", 1.0), t.reward);
        try (Env e = EnvRegistry.make(task("reward:\n  test_constant: {weight: 2.0, value: 4}\n").toString(), 1)) {
            e.reset(1L);
            StepResult r = e.step(new float[2]);
            assertEquals(8.0, r.reward(), 1e-12, "a term from the class path, weighted");
        }
        String m = assertThrows(IllegalArgumentException.class, () -> RobotTask.load(task("reward:\n  joint_limit: {weight: -1, margn: 0.2}\n"))).getMessage();
        assertTrue(m.contains("unknown parameter 'reward.joint_limit.margn'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> RobotTask.load(task("reward:\n  joint_limit: {margin: 0.2}\n"))).getMessage();
        assertTrue(m.contains("'reward.joint_limit' needs a 'weight'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> RobotTask.load(task("reward:\n  joint_limit: {weight: -1, margin: -0.2}\n"))).getMessage();
        assertTrue(m.contains("'joint_limit.margin' must be > 0"), m);
    }
}
