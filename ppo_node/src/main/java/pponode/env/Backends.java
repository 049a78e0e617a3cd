package pponode.env;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Where a robot task's environments run, by name ({@code --sim NAME}): each backend builds them
 * from the task object and its own settings ("key=value", as {@code --gazebo} or {@code --param}
 * give them), so no command chooses with an if-chain and no command knows how a backend is built.
 * Registered through {@code META-INF/services/pponode.env.Backends$Provider}: {@code embedded}
 * (this package), {@code gazebo} (pponode.gazebo), {@code ros} (pponode.ros); a jar on the class
 * path adds more.
 */
public final class Backends {
    /** One way to run a task's environments. */
    public interface Backend {
        /** Refuses settings this backend does not take, before anything starts (one line naming the key). */
        void check(List<String> settings);

        /**
         * The environments: env {@code i} of a batch is made with seed {@code batch.firstSeed() + i}
         * (a backend with several worlds or robots gives env i the i-th).
         */
        LongFunction<Env> environments(RobotTask task, List<String> settings, Batch batch);

        /** Whether a step waits on another process or machine: a batch of them is then stepped all at once, not one after another. */
        boolean remote();
    }

    /** How many environments a command makes at once, and the first one's seed. */
    public record Batch(int count, long firstSeed) {
        public static final Batch ONE = new Batch(1, 0);
    }

    /** Contributes named backends. */
    public interface Provider {
        Map<String, Backend> backends();
    }

    public static final String EMBEDDED = "embedded";
    private static final Map<String, Backend> BACKENDS = new TreeMap<>();

    static {
        for (Provider p : ServiceLoader.load(Provider.class)) BACKENDS.putAll(p.backends());
    }

    private Backends() {}

    public static synchronized Set<String> names() {
        return Set.copyOf(BACKENDS.keySet());
    }

    /** The backend {@code name}; an unknown name is an error listing the known ones, as {@code option} says it. */
    public static synchronized Backend named(String option, String name) {
        Backend b = BACKENDS.get(name);
        if (b == null) throw new IllegalArgumentException(option + " '" + name + "': no such backend; known: " + String.join(", ", BACKENDS.keySet()));
        return b;
    }

    /** The in-process simulators (joint-space, ode4j): they take no settings; the task's file says everything. */
    public static final class Embedded implements Provider {
        @Override
        public Map<String, Backend> backends() {
            return Map.of(EMBEDDED, new Backend() {
                @Override
                public void check(List<String> settings) {
                    if (!settings.isEmpty()) throw new IllegalArgumentException("the embedded simulator takes no settings, got " + settings + " (the task file configures it)");
                }

                @Override
                public LongFunction<Env> environments(RobotTask task, List<String> settings, Batch batch) {
                    check(settings);
                    return s -> EnvRegistry.make(task, s);
                }

                @Override
                public boolean remote() {
                    return false;
                }
            });
        }
    }
}
