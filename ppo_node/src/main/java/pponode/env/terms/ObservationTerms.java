package pponode.env.terms;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The observation terms by name. A term of your own is one class implementing {@link Provider},
 * listed in {@code META-INF/services/pponode.env.terms.ObservationTerms$Provider} on the class path.
 */
public final class ObservationTerms {
    /** Contributes named terms. */
    public interface Provider {
        Map<String, ObservationTerm> terms();
    }

    private static final Map<String, ObservationTerm> TERMS = new TreeMap<>();

    static {
        TERMS.put("joint_pos", new JointPosition());
        TERMS.put("joint_pos_cos_sin", new JointPositionCosSin());
        TERMS.put("joint_vel", new JointVelocity());
        TERMS.put("target", new TargetPosition());
        TERMS.put("tip_to_target", new TipToTarget());
        TERMS.put("tip_position", new TipPosition());
        TERMS.put("last_action", new LastAction());
        TERMS.put("projected_gravity", new ProjectedGravity());
        TERMS.put("base_lin_vel", new BaseVelocity(false));
        TERMS.put("base_ang_vel", new BaseVelocity(true));
        TERMS.put("joint_pos_rel", new JointPositionRelative());
        TERMS.put("velocity_command", new VelocityCommand());
        for (Provider provider : ServiceLoader.load(Provider.class)) TERMS.putAll(provider.terms());
    }

    private ObservationTerms() {}

    public static synchronized Set<String> names() {
        return Set.copyOf(TERMS.keySet());
    }

    /** The term {@code name}, or null. */
    public static synchronized ObservationTerm get(String name) {
        return TERMS.get(name);
    }
}
