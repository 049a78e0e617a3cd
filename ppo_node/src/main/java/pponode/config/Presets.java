package pponode.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.yaml.snakeyaml.Yaml;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;

/**
 * Learner settings that come with an environment: the preset shipped for it
 * (resources/presets/&lt;env&gt;.yaml); for a robot task, the robot-task defaults first (continuous
 * actions onto the command limits) and the task file's {@code learner:} block last. So every
 * task, shipped or not, trains with nothing but its name.
 */
public final class Presets {
    private Presets() {}

    /** Applies what ships for {@code envId}; returns whether anything did. */
    public static boolean apply(PPOConfig cfg, String envId) {
        boolean shipped = resource(envId) != null;
        RobotTask task = EnvRegistry.ids().contains(envId) ? null : EnvRegistry.task(envId);
        if (task != null && !shipped) applyResource(cfg, "robot_task");
        if (shipped) applyResource(cfg, envId);
        if (task != null && !task.learner.isEmpty()) cfg.applyYaml(new StringReader(new Yaml().dump(task.learner)), task.source + ": learner");
        return shipped || task != null;
    }

    private static String resource(String name) {
        String res = "/presets/" + name + ".yaml";
        return Presets.class.getResource(res) == null ? null : res;
    }

    private static void applyResource(PPOConfig cfg, String name) {
        String res = "/presets/" + name + ".yaml";
        try (InputStream in = Presets.class.getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException("preset " + res + " is not in the jar");
            cfg.applyYaml(new InputStreamReader(in, StandardCharsets.UTF_8), "preset " + name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read preset " + res, e);
        }
    }
}
