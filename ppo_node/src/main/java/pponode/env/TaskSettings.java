package pponode.env;

import java.util.Map;
import java.util.Set;
import pponode.settings.Settings;
import pponode.settings.Settings.Allowed;

/**
 * A task file's top-level settings, on the shared {@link Settings} reader: their types, defaults
 * and ranges are declared here once, and a wrong value is refused with its key as every other
 * settings file refuses one. The sections under them (joints, gains, reward, termination,
 * commands, randomization, noise, history, actuators) are read by {@link RobotTask} and the term
 * registries, which check them against the robot's URDF.
 */
public final class TaskSettings {
    private static final Settings<TaskSettings> SETTINGS = Settings.of(TaskSettings.class, "task key");

    /** The task's name (a run names its task by it). */
    public String name;
    public String description = "";
    /** The URDF, relative to the task file. */
    public String robot;
    @Allowed(min = 0, aboveMin = true)
    public double physicsDt = 0.001;
    /** The policy's rate; an integer divisor of the physics rate. */
    @Allowed(min = 0, aboveMin = true)
    public double controlRateHz = 50;
    @Allowed(min = 1)
    public int episodeSteps = 200;
    @Allowed(oneOf = {"effort", "velocity", "position"})
    public String commandInterface = "effort";
    /** {@code floating}: the URDF's root is a free body (a legged robot); {@code fixed} welds it to the world. */
    @Allowed(oneOf = {"fixed", "floating"})
    public String base = "fixed";
    /** Position commands span the default pose ± this instead of the joint limits; null: the limits. */
    @Allowed(min = 0, aboveMin = true, nullable = true)
    public Double actionScale;
    /** The link whose position the target terms measure; null: none. */
    @Allowed(nullable = true)
    public String tipLink;

    /** The keys this class reads. */
    static Set<String> keys() {
        return SETTINGS.keys();
    }

    /** This class's keys of a parsed task file; a wrong or missing value is an error naming the file and key. */
    static TaskSettings read(Map<String, Object> yaml, TaskReader in) {
        TaskSettings s = new TaskSettings();
        try {
            for (String key : SETTINGS.keys()) {
                if (yaml.containsKey(key)) SETTINGS.set(s, "", key, yaml.get(key));
            }
            if (s.name == null) throw in.err("missing 'name'");
            if (s.robot == null) throw in.err("missing 'robot'");
            SETTINGS.check(s, "");
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(in.source + ": ") ? e : in.err(e.getMessage());
        }
        return s;
    }
}
