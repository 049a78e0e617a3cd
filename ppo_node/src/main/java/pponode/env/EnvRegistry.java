package pponode.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/** Named environment factories, like {@code gymnasium.make}, and robot tasks found by name. */
public final class EnvRegistry {
    private static final Map<String, LongFunction<Env>> FACTORIES = new LinkedHashMap<>();

    static {
        register("CartPole-v1", seed -> new TimeLimit(new CartPole(seed), 500));
        register("Pendulum-v1", seed -> new TimeLimit(new Pendulum(seed), 200));
    }

    private EnvRegistry() {}

    public static synchronized void register(String id, LongFunction<Env> factory) {
        FACTORIES.put(id, factory);
    }

    public static synchronized boolean contains(String id) {
        return FACTORIES.containsKey(id) || task(id) != null;
    }

    /** A task read from its file, and the file's modification time then: an edited file is read again. */
    private record LoadedTask(RobotTask task, FileTime modified) {}

    private static final Map<String, LoadedTask> TASKS = new HashMap<>();

    /** The robot task {@code id} (a task name under urdf/tasks or a task YAML path), or null. */
    public static synchronized RobotTask task(String id) {
        try {
            Path file = TaskFiles.file(id);
            FileTime modified = file != null && Files.isRegularFile(file) ? Files.getLastModifiedTime(file) : null;
            LoadedTask known = TASKS.get(id);
            if (known != null && Objects.equals(known.modified, modified)) return known.task;
            RobotTask t = TaskFiles.find(id);
            if (t != null) TASKS.put(id, new LoadedTask(t, modified));
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static synchronized Set<String> ids() {
        return Set.copyOf(FACTORIES.keySet());
    }

    /** The error for an id that is neither an environment nor a task, listing both. */
    public static synchronized String unknown(String id) {
        return "unknown environment or task '" + id + "'; environments: " + String.join(", ", FACTORIES.keySet()) + "; tasks: "
                + String.join(", ", TaskFiles.shippedNames()) + " (urdf/tasks/), or a task YAML path";
    }

    /** Makes env {@code id} whose random stream starts from {@code seed}. */
    public static synchronized Env make(String id, long seed) {
        LongFunction<Env> f = FACTORIES.get(id);
        if (f != null) return f.apply(seed);
        RobotTask t = task(id);
        if (t == null) throw new IllegalArgumentException(unknown(id));
        return make(t, seed);
    }

    /** An environment of robot task {@code t} (episodes of its length) whose random stream starts from {@code seed}. */
    public static Env make(RobotTask t, long seed) {
        return new TimeLimit(new RobotEnv(t, seed), t.episodeSteps);
    }
}
