package pponode.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.sim.BaseState;
import pponode.sim.Perturbation;
import pponode.sim.embedded.EmbeddedBackend;

/**
 * A task's {@code randomization:}: each episode's physics is drawn from the task's ranges with the
 * environment's seeded stream (a seed repeats it), reported with the episode's metrics, applied to
 * the simulator, and refused where it cannot be honoured.
 */
class RandomizationTest {
    @TempDir
    Path dir;

    static final String RANDOMIZED = TaskValidationTest.REACHER + """
            randomization:
              mass_scale: [0.8, 1.2]
              kp_scale: [0.5, 1.5]
              motor_strength: [0.9, 1.1]
              action_delay_steps: [0, 40]
            """;

    private RobotTask task(String text) throws IOException {
        Path f = dir.resolve("task.yaml");
        Files.writeString(f, text.replace("ROBOT", Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath().toString()));
        return TaskFiles.load(f);
    }

    /** The perturbation of each of {@code episodes} episodes of a fresh environment seeded {@code seed}. */
    private static List<Perturbation> draws(RobotTask t, long seed, int episodes) {
        List<Perturbation> out = new ArrayList<>();
        try (RobotEnv env = new RobotEnv(t, seed)) {
            for (int e = 0; e < episodes; e++) {
                env.reset(e == 0 ? seed : null);
                for (int k = 0; k < 3; k++) env.step(new float[] {0.1f, 0.1f});
                out.add(((EmbeddedBackend) env.backend()).perturbation());
                Map<String, Double> m = env.episodeMetrics();
                assertEquals(out.get(e).kpScale(), m.get("rand_kp_scale"), "the draw is reported with the episode");
                assertEquals(out.get(e).actionDelaySteps(), m.get("rand_action_delay_steps").intValue());
            }
        }
        return out;
    }

    @Test
    void everyEpisodeDrawsItsPhysicsFromTheSeededStreamWithinTheRanges() throws IOException {
        RobotTask t = task(RANDOMIZED);
        List<Perturbation> a = draws(t, 7, 30), b = draws(t, 7, 30), c = draws(t, 8, 30);
        assertEquals(a, b, "a seed repeats its draws");
        assertNotEquals(a, c, "another seed draws others");
        assertEquals(30, a.stream().distinct().count(), "each episode its own robot");
        for (Perturbation p : a) {
            assertTrue(p.massScale() >= 0.8 && p.massScale() <= 1.2 && p.kpScale() >= 0.5 && p.kpScale() <= 1.5 && p.motorStrength() >= 0.9
                    && p.motorStrength() <= 1.1 && p.actionDelaySteps() >= 0 && p.actionDelaySteps() <= 40, p.toString());
            assertEquals(1.0, p.kdScale(), "a scale the task does not randomize stays 1");
            assertEquals(1.0, p.frictionScale());
        }
        assertTrue(a.stream().anyMatch(p -> p.actionDelaySteps() == 0) && a.stream().anyMatch(p -> p.actionDelaySteps() >= 35), "the whole delay range is drawn");
        // the task without randomization keeps the random stream (start states, targets) it always had
        RobotTask plain = task(TaskValidationTest.REACHER);
        try (RobotEnv x = new RobotEnv(plain, 3); RobotEnv y = new RobotEnv(t, 3)) {
            x.reset(3L);
            y.reset(3L);
            assertEquals(x.target()[0], y.target()[0], "the target is drawn before the randomization");
            assertEquals(Perturbation.NONE, ((EmbeddedBackend) x.backend()).perturbation());
        }
    }

    /** The task {@code text} is refused with a message that contains {@code message}. */
    private void refused(String text, String message) {
        String m = assertThrows(IllegalArgumentException.class, () -> task(text)).getMessage();
        assertTrue(m.contains(message), m);
    }

    @Test
    void mistakesAreRefusedByTheirPath() throws IOException {
        refused(RANDOMIZED.replace("mass_scale: [0.8, 1.2]", "mass_scale: [1.2, 0.8]"), "'randomization.mass_scale' must be [min, max] with 0 < min <= max");
        refused(RANDOMIZED.replace("action_delay_steps: [0, 40]", "action_delay_steps: [0, 2.5]"), "'randomization.action_delay_steps' must be [min, max] whole physics steps");
        refused(RANDOMIZED + "  push: {interval_s: 2, velocity: [0.5, 0.5, 0]}\n", "'randomization.push' pushes a floating base");
        refused(RANDOMIZED + "  friction_scale: [0.5, 1.0]\n", "'randomization.friction_scale' needs a 'contact:' section");
        refused(RANDOMIZED + "  gravity_scale: [0.5, 1.0]\n", "unknown key 'randomization.gravity_scale'");
    }

    @Test
    void baseMassCentreOfMassRestitutionJointDampingStanceAndObservationDelayAreDrawnAndReported() throws IOException {
        RobotTask quadruped = EnvRegistry.task("quadruped_forward").withRandomization(Map.of("base_added_mass", List.of(-0.5, 1.5),
                "base_com_offset", List.of(0.03, 0.02, 0.01), "restitution", List.of(0.0, 0.4), "joint_damping", List.of(0.0, 0.02),
                "joint_friction", List.of(0.0, 0.05), "stance_offset", 0.03, "observation_delay_steps", List.of(0, 5), "link_mass_scale",
                Map.of("FL_calf", List.of(0.8, 1.2))));
        List<Perturbation> seen = new ArrayList<>();
        try (RobotEnv env = new RobotEnv(quadruped, 11)) {
            for (int e = 0; e < 20; e++) {
                env.reset(e == 0 ? 11L : null);
                env.step(new float[12]);
                Perturbation p = ((EmbeddedBackend) env.backend()).perturbation();
                seen.add(p);
                double[] com = p.baseComOffset();
                assertTrue(p.baseAddedMass() >= -0.5 && p.baseAddedMass() <= 1.5 && Math.abs(com[0]) <= 0.03 && Math.abs(com[1]) <= 0.02 && Math.abs(com[2]) <= 0.01
                        && p.restitution() >= 0 && p.restitution() <= 0.4 && p.jointDamping() <= 0.02 && p.jointFriction() <= 0.05
                        && p.observationDelaySteps() <= 5 && p.jointOffsets().length == 12, p.toString());
                for (double o : p.jointOffsets()) assertTrue(Math.abs(o) <= 0.03, p.toString());
                Map<String, Double> m = env.episodeMetrics();
                assertEquals(p.baseAddedMass(), m.get("rand_base_added_mass"));
                assertEquals(com[1], m.get("rand_base_com_y"));
                assertEquals(p.restitution(), m.get("rand_restitution"));
                assertEquals(p.jointFriction(), m.get("rand_joint_friction"));
                assertEquals(p.observationDelaySteps(), m.get("rand_observation_delay_steps").intValue());
                assertTrue(m.get("rand_stance_offset_max") > 0 && m.get("rand_stance_offset_max") <= 0.03);
                double calf = p.linkMassScale().get("FL_calf");
                assertTrue(calf >= 0.8 && calf <= 1.2, p.toString());
                assertEquals(calf, m.get("rand_mass_scale_FL_calf"));
            }
        }
        assertTrue(seen.stream().anyMatch(p -> p.observationDelaySteps() == 0) && seen.stream().anyMatch(p -> p.observationDelaySteps() == 5), "the whole delay range");
        assertEquals(20, seen.stream().distinct().count());
        try (RobotEnv env = new RobotEnv(EnvRegistry.task("quadruped_forward").withRandomization(Map.of("mass_scale", List.of(0.9, 1.1))), 11)) {
            env.reset(11L);
            env.step(new float[12]);
            assertTrue(env.episodeMetrics().keySet().stream().noneMatch(k -> k.equals("rand_restitution") || k.equals("rand_base_com_x")),
                    "a task reports only what it randomizes (its episodes.csv keeps its columns)");
        }
    }

    @Test
    void physicsTermsAreRefusedWhereTheRobotCannotHaveThem() throws IOException {
        refused(RANDOMIZED + "  base_added_mass: [0, 1]\n", "'randomization.base_added_mass' adds to a floating base; this robot's base is fixed");
        refused(RANDOMIZED + "  restitution: [0, 0.5]\n", "'randomization.restitution' needs a 'contact:' section");
        refused(RANDOMIZED + "  joint_damping: [0.1, 0]\n", "'randomization.joint_damping' must be [min, max] with 0 <= min <= max");
        refused(RANDOMIZED + "  observation_delay_steps: [0, 1.5]\n", "'randomization.observation_delay_steps' must be [min, max] whole physics steps");
        refused(RANDOMIZED + "  link_mass_scale: {link3: [0.9, 1.1]}\n", "'randomization.link_mass_scale.link3': the robot has no link 'link3' with mass");
        refused(RANDOMIZED + "  link_mass_scale: {link2: [1.1, 0.9]}\n", "'randomization.link_mass_scale.link2' must be [min, max] with 0 < min <= max");
        refused(RANDOMIZED + "  stance_offset: -0.1\n", "randomization.stance_offset");
    }

    @Test
    void aQuadrupedIsPushedAtItsInterval() throws IOException {
        RobotTask nominal = EnvRegistry.task("quadruped_forward").withRandomization(Map.of()); // the modelled robot: no draw moves it
        RobotTask pushed = nominal.withRandomization(Map.of("push", Map.of("interval_s", 0.2, "velocity", List.of(1.0, 1.0, 0.0))));
        try (RobotEnv a = new RobotEnv(pushed, 4); RobotEnv b = new RobotEnv(nominal, 4)) {
            a.reset(4L);
            b.reset(4L);
            float[] stance = new float[12];
            nominal.restAction(name -> nominal.defaultJointPos[nominal.actuatedJoints.indexOf(name)], stance);
            BaseState sa = new BaseState(), sb = new BaseState();
            int firstDifferent = -1;
            double change = 0;
            for (int k = 1; k <= 12 && firstDifferent < 0; k++) {
                a.step(stance);
                b.step(stance);
                a.backend().baseState(sa);
                b.backend().baseState(sb);
                change = Math.hypot(sa.linearVelocity[0] - sb.linearVelocity[0], sa.linearVelocity[1] - sb.linearVelocity[1]);
                if (change > 0) firstDifferent = k;
            }
            assertEquals(11, firstDifferent, "the first push comes after 10 control periods (0.2 s), not before");
            assertTrue(change > 0.1, "and changes the base's velocity: " + change + " m/s");
        }
    }

    @Test
    void observationNoiseIsInTrainingOnlyOnItsTermsSliceAndRepeatsWithTheSeed() throws IOException {
        RobotTask clean = task(TaskValidationTest.REACHER);
        RobotTask noisy = task(TaskValidationTest.REACHER + """
                noise:
                  joint_vel: {uniform: 0.05}
                  tip_to_target: {gaussian: 0.01}
                """);
        assertEquals(List.of(new RobotTask.ObservationNoise("joint_vel", 4, 2, false, 0.05), new RobotTask.ObservationNoise("tip_to_target", 8, 2, true, 0.01)),
                noisy.noise, "slices in observation order: cos/sin 4, joint_vel 2, target 2, tip_to_target 2");
        try (RobotEnv a = new RobotEnv(noisy, 5); RobotEnv b = new RobotEnv(clean, 5); RobotEnv c = new RobotEnv(noisy, 5)) {
            float[] oa = a.reset(5L), ob = b.reset(5L), oc = c.reset(5L);
            float[] act = {0.3f, -0.2f};
            for (int k = 0; k < 20; k++) {
                oa = a.step(act).obs();
                ob = b.step(act).obs();
                oc = c.step(act).obs();
                assertEquals(Arrays.toString(oa), Arrays.toString(oc), "a seed repeats the noise");
                for (int i = 0; i < 4; i++) assertEquals(ob[i], oa[i], "no noise outside the terms that ask for it");
                for (int i = 4; i < 6; i++) assertTrue(Math.abs(oa[i] - ob[i]) <= 0.05 + 1e-6 && oa[i] != ob[i], "joint_vel within ±0.05: " + (oa[i] - ob[i]));
                for (int i = 6; i < 8; i++) assertEquals(ob[i], oa[i], "the target is not noised");
                for (int i = 8; i < 10; i++) assertNotEquals(ob[i], oa[i], "tip_to_target is");
            }
            a.evaluation(true);
            b.evaluation(true);
            a.reset(9L);
            b.reset(9L);
            for (int k = 0; k < 5; k++) assertEquals(Arrays.toString(b.step(act).obs()), Arrays.toString(a.step(act).obs()), "evaluation sees the clean signal");
        }
        refused(TaskValidationTest.REACHER + "noise:\n  joint_pos: {uniform: 0.1}\n", "'noise.joint_pos' names no term of 'observation'");
        refused(TaskValidationTest.REACHER + "noise:\n  joint_vel: {laplace: 0.1}\n", "'noise.joint_vel.laplace': noise is 'uniform' or 'gaussian'");
    }
}
