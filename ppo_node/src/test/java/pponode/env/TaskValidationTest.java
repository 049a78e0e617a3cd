package pponode.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.settings.Settings;

/**
 * A task file with a mistake is refused with the mistake's path, never trained with a silent
 * default: each case below used to train (a misspelt key turned reset noise off, negative gains
 * ran, target.min above target.max changed the observation size, a duplicate key won silently).
 */
class TaskValidationTest {
    @TempDir
    Path dir;

    static final String REACHER = """
            name: my_reacher
            robot: ROBOT
            physics_dt: 0.001
            control_rate_hz: 50
            episode_steps: 100
            command_interface: position
            actuated_joints: [joint1, joint2]
            pd_gains:
              kp: [2.0, 2.0]
              kd: [0.1, 0.1]
            observed_joints: [joint1, joint2]
            observation: [joint_pos_cos_sin, joint_vel, target, tip_to_target]
            tip_link: fingertip
            target:
              min: [-0.2, -0.2, 0.0]
              max: [0.2, 0.2, 0.0]
              radius: [0.05, 0.2]
            reset:
              joint_pos_noise: 0.1
              joint_vel_noise: 0.005
            reward:
              distance: -1.0
              action_rate: -0.05
            """;

    private String task(String text) throws IOException {
        Path f = dir.resolve("task.yaml");
        Files.writeString(f, text.replace("ROBOT", Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath().toString()));
        return f.toString();
    }

    private String refused(String text) throws IOException {
        String f = task(text);
        return assertThrows(IllegalArgumentException.class, () -> TaskFiles.load(Path.of(f))).getMessage();
    }

    @Test
    void theValidFileLoads() throws IOException {
        RobotTask t = TaskFiles.load(Path.of(task(REACHER)));
        assertEquals(10, t.observationSpace().flatDim());
        assertEquals(0.1, t.resetPosNoise);
    }

    @Test
    void eachMistakeIsRefusedByItsPath() throws IOException {
        String m = refused(REACHER.replace("joint_pos_noise: 0.1", "joint_pos_nosie: 0.1"));
        assertTrue(m.contains("unknown key 'reset.joint_pos_nosie', did you mean 'joint_pos_noise'?"), m);
        m = refused(REACHER.replace("  kd: [0.1, 0.1]", "  kd: [0.1, 0.1]\n  ki: [1, 1]"));
        assertTrue(m.contains("unknown key 'pd_gains.ki'"), m);
        m = refused(REACHER.replace("  radius: [0.05, 0.2]", "  radius: [0.05, 0.2]\n  frame: world"));
        assertTrue(m.contains("unknown key 'target.frame'"), m);
        m = refused(REACHER.replace("episode_steps: 100", "episode_step: 100"));
        assertTrue(m.contains("unknown key 'episode_step', did you mean 'episode_steps'?"), m);
        m = refused(REACHER.replace("kp: [2.0, 2.0]", "kp: [-2.0, 2.0]"));
        assertTrue(m.contains("'pd_gains.kp' must be >= 0"), m);
        m = refused(REACHER.replace("kd: [0.1, 0.1]", "kd: [.inf, 0.1]"));
        assertTrue(m.contains("'pd_gains.kd' must be a finite number"), m);
        m = refused(REACHER.replace("min: [-0.2, -0.2, 0.0]", "min: [0.3, -0.2, 0.0]"));
        assertTrue(m.contains("'target.min' [0.3, -0.2, 0.0] is above 'target.max' [0.2, 0.2, 0.0] on axis x"), m);
        m = refused(REACHER.replace("radius: [0.05, 0.2]", "radius: [0.2, 0.05]"));
        assertTrue(m.contains("'target.radius' must be [min, max]"), m);
        m = refused(REACHER.replace("joint_vel_noise: 0.005", "joint_vel_noise: -0.005"));
        assertTrue(m.contains("'reset.joint_vel_noise' must be >= 0"), m);
        m = refused(REACHER.replace("  action_rate: -0.05", "  action_rate: -0.05\n  distance: -2.0"));
        assertTrue(m.contains("found duplicate key distance"), m);
        m = refused(REACHER.replace("  action_rate: -0.05", "  action_rat: -0.05"));
        assertTrue(m.contains("unknown reward term 'reward.action_rat', did you mean 'action_rate'?"), m);
        m = refused(REACHER.replace("reset:\n", "learner: 3\nreset:\n"));
        assertTrue(m.contains("'learner' must be a mapping"), m);
        m = refused("");
        assertTrue(m.endsWith("task.yaml is empty"), m);
    }

    /** The top-level keys are one schema on the shared settings reader (TaskSettings): typed, ranged, named as every settings file names them. */
    @Test
    void topLevelSettingsAreRefusedAsEverySettingIs() throws IOException {
        String m = refused(REACHER.replace("episode_steps: 100", "episode_steps: 0"));
        assertTrue(m.endsWith("task.yaml: task key 'episode_steps' must be >= 1, got 0"), m);
        m = refused(REACHER.replace("episode_steps: 100", "episode_steps: 100.5"));
        assertTrue(m.contains("task key 'episode_steps' must be an integer, got '100.5'"), m); // was cut to 100 silently
        m = refused(REACHER.replace("physics_dt: 0.001", "physics_dt: 0"));
        assertTrue(m.contains("task key 'physics_dt' must be > 0, got 0"), m);
        m = refused(REACHER.replace("command_interface: position", "command_interface: torque"));
        assertTrue(m.contains("task key 'command_interface' must be one of [effort, position, velocity], got 'torque'"), m);
        m = refused(REACHER.replace("name: my_reacher\n", ""));
        assertTrue(m.endsWith("task.yaml: missing 'name'"), m);
    }

    @Test
    void suggestionsAreForNearMisses() {
        assertEquals(", did you mean 'joint_pos_noise'?", Settings.suggestion("joint_pos_nosie", Set.of("joint_pos_noise", "joint_vel_noise")));
        assertEquals("", Settings.suggestion("gravitation", Set.of("gravity", "robot")));
    }
}
