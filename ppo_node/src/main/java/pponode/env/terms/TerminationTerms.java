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

    static {
        TERMS.put("joint_bounds", JointBounds::new);
        TERMS.put("base_tilt", p -> new BaseTilt(p.number("max_angle", Double.NaN), p.path()));
        TERMS.put("base_height", p -> new BaseHeight(p.number("min", Double.NaN), p.path()));
        TERMS.put("link_contact", LinkContacts::new);
        for (Provider provider : ServiceLoader.load(Provider.class)) TERMS.putAll(provider.terms());
    }

    private TerminationTerms() {}

    public static synchronized Set<String> names() {
        return Set.copyOf(TERMS.keySet());
    }

    /** The factory for {@code name}, or null. */
    public static synchronized TerminationTerm.Factory get(String name) {
        return TERMS.get(name);
    }
}
