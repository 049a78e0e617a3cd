package pponode.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.config.PPOConfig;
import pponode.ros.RosParams;
import pponode.teleop.TeleopConfig;

/** Every configuration file is read the same strict way: duplicates, YAML 1.1 booleans and empty files are errors naming the file. */
class StrictYamlTest {
    @TempDir
    Path dir;

    @Test
    void duplicateKeysYesNoAndEmptyDocumentsAreRefused() {
        String m = assertThrows(IllegalArgumentException.class, () -> StrictYaml.load(new StringReader("a: 1\na: 2\n"), "x.yaml")).getMessage();
        assertTrue(m.startsWith("x.yaml: not valid YAML") && m.contains("duplicate key a"), m);
        assertEquals(Map.of("flag", "yes", "on", "off", "t", true), StrictYaml.load(new StringReader("flag: yes\non: off\nt: true\n"), "x.yaml"));
        assertEquals("x.yaml is empty", assertThrows(IllegalArgumentException.class, () -> StrictYaml.load(new StringReader("# nothing\n"), "x.yaml")).getMessage());
    }

    @Test
    void eachConfigurationFileUsesIt() throws Exception {
        Path learner = dir.resolve("learner.yaml");
        Files.writeString(learner, "normalise_obs: yes\n");
        String m = assertThrows(IllegalArgumentException.class, () -> new PPOConfig().applyYaml(learner)).getMessage();
        assertTrue(m.contains("'normalise_obs' must be true or false, got 'yes'"), m);
        Files.writeString(learner, "gamma: 0.9\ngamma: 0.99\n");
        m = assertThrows(IllegalArgumentException.class, () -> new PPOConfig().applyYaml(learner)).getMessage();
        assertTrue(m.contains("duplicate key gamma"), m);
        Files.writeString(learner, "");
        assertEquals(learner + " is empty", assertThrows(IllegalArgumentException.class, () -> new PPOConfig().applyYaml(learner)).getMessage());
        Path node = dir.resolve("deploy.yaml");
        Files.writeString(node, "ppo_node:\n  ros__parameters:\n    watch_policy: yes\n");
        m = assertThrows(IllegalArgumentException.class, () -> new RosParams().load(node, "ppo_node")).getMessage();
        assertTrue(m.contains("'watch_policy' must be true or false, got 'yes'"), m);
        Path teleop = dir.resolve("finetune.yaml");
        Files.writeString(teleop, "teleop:\n  robot: a\n  robot: b\n");
        m = assertThrows(IllegalArgumentException.class, () -> TeleopConfig.load(teleop)).getMessage();
        assertTrue(m.contains("duplicate key robot"), m);
    }
}
