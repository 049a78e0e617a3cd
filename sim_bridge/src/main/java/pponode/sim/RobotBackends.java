package pponode.sim;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The simulators a task can be trained in, by name, so the task environment never names one:
 * each is one class implementing {@link Provider}, listed in
 * {@code META-INF/services/pponode.sim.RobotBackends$Provider} on the class path; this jar lists
 * {@code embedded} (the joint-space simulator and ode4j, in this process). (Gazebo and ROS 2 robots are reached through their transports and set up by
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
        for (Provider p : ServiceLoader.load(Provider.class)) BACKENDS.putAll(p.backends());
        if (!BACKENDS.containsKey(EMBEDDED)) throw new IllegalStateException("the embedded simulator is not registered: sim_bridge's META-INF/services is missing from the class path");
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
