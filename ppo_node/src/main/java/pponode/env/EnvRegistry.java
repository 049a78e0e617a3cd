package pponode.env;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/** Named environment factories, like {@code gymnasium.make}. Robot tasks register here too. */
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
        return FACTORIES.containsKey(id);
    }

    public static synchronized Set<String> ids() {
        return Set.copyOf(FACTORIES.keySet());
    }

    /** Makes env {@code id} whose random stream starts from {@code seed}. */
    public static synchronized Env make(String id, long seed) {
        LongFunction<Env> f = FACTORIES.get(id);
        if (f == null) {
            throw new IllegalArgumentException("Unknown environment '" + id + "'. Known: " + FACTORIES.keySet());
        }
        return f.apply(seed);
    }
}
