package pponode.env.terms;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The termination terms by name. A term of your own is one class implementing {@link Provider},
 * listed in {@code META-INF/services/pponode.env.terms.TerminationTerms$Provider} on the class path.
 */
public final class TerminationTerms {
    /** Contributes named terms. */
    public interface Provider {
        Map<String, TerminationTerm.Factory> terms();
    }

    private static final Map<String, TerminationTerm.Factory> TERMS = new TreeMap<>();
    /** What each term is, for the terms reference (docs/TERMS.md). */
    private static final Map<String, String> DESCRIPTIONS = new TreeMap<>();

    static {
        builtIn("joint_bounds", "a named joint leaves [low, high] (per joint: `<joint>: [low, high]`)",
                JointBounds::new);
        builtIn("base_tilt", "the base tilts beyond `max_angle` (rad) from upright",
                p -> new BaseTilt(p.number("max_angle", Double.NaN), p.path()));
        builtIn("base_height", "the base drops below `min` (m)",
                p -> new BaseHeight(p.number("min", Double.NaN), p.path()));
        builtIn("link_contact", "a listed link touches something (force above `threshold` N)",
                LinkContacts::new);
        for (Provider provider : ServiceLoader.load(Provider.class)) TERMS.putAll(provider.terms());
    }

    private TerminationTerms() {}

    /** A term that ships with ppo_node: it has a description, for the terms reference. */
    private static void builtIn(String name, String description, TerminationTerm.Factory term) {
        TERMS.put(name, term);
        DESCRIPTIONS.put(name, description);
    }

    /** What built-in term {@code name} is, in a line; null for a term a Provider contributed. */
    public static synchronized String description(String name) {
        return DESCRIPTIONS.get(name);
    }

    public static synchronized Set<String> names() {
        return Set.copyOf(TERMS.keySet());
    }

    /** The factory for {@code name}, or null. */
    public static synchronized TerminationTerm.Factory get(String name) {
        return TERMS.get(name);
    }
}
