package pponode.sim;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import pponode.sim.embedded.EmbeddedBackend;

/**
 * The simulators a task can be trained in, by name, so the task environment never names one:
 * {@code embedded} (ode4j, in this process) is built in; another simulator is one class
 * implementing {@link Provider}, listed in {@code META-INF/services/pponode.sim.RobotBackends$Provider}
 * on the class path. (Gazebo and ROS 2 robots are reached through their transports and set up by
 * the command line, not from a spec alone.)
 */
public final class RobotBackends {
    /** Contributes named simulators. */
    public interface Provider {
        Map<String, Function<BackendSpec, RobotBackend>> backends();
    }

    public static final String EMBEDDED = "embedded";
    private static final Map<String, Function<BackendSpec, RobotBackend>> BACKENDS = new TreeMap<>();

    static {
        BACKENDS.put(EMBEDDED, EmbeddedBackend::new);
        for (Provider p : ServiceLoader.load(Provider.class)) BACKENDS.putAll(p.backends());
    }

    private RobotBackends() {}

    public static synchronized Set<String> names() {
        return Set.copyOf(BACKENDS.keySet());
    }

    /** A new simulator {@code name} set up as {@code spec} says; an unknown name is an error listing the known ones. */
    public static synchronized RobotBackend create(String name, BackendSpec spec) {
        Function<BackendSpec, RobotBackend> f = BACKENDS.get(name);
        if (f == null) throw new IllegalArgumentException("unknown simulator '" + name + "'; known: " + BACKENDS.keySet());
        return f.apply(spec);
    }
}
