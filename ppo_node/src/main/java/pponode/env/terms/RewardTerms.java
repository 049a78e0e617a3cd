package pponode.env.terms;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The reward terms by name. The built-in ones are registered here; a term of your own is one class
 * implementing {@link Provider}, listed in {@code META-INF/services/pponode.env.terms.RewardTerms$Provider}
 * on the class path (no edit to ppo_node).
 */
public final class RewardTerms {
    /** Contributes named terms. */
    public interface Provider {
        Map<String, RewardTerm.Factory> terms();
    }

    private static final Map<String, RewardTerm.Factory> TERMS = new TreeMap<>();

    static {
        TERMS.put("distance", p -> new Distance());
        TERMS.put("action_l2", p -> new ActionL2());
        TERMS.put("action_rate", p -> new ActionRate());
        TERMS.put("alive", p -> s -> 1.0);
        TERMS.put("joint_vel_l2", p -> new JointVelocityL2());
        TERMS.put("joint_acc_l2", p -> new JointAccelerationL2());
        TERMS.put("joint_limit", p -> new JointLimitProximity(p.number("margin", 0.1)));
        TERMS.put("joint_torque_l2", p -> new JointTorqueL2());
        TERMS.put("flat_orientation_l2", p -> new FlatOrientationL2());
        TERMS.put("base_height_l2", p -> new BaseHeightL2(p.number("target", Double.NaN), p.path()));
        TERMS.put("base_lin_vel_z_l2", p -> new BaseVelocityL2(false, 2));
        TERMS.put("base_ang_vel_xy_l2", p -> new BaseVelocityL2(true, 0, 1));
        TERMS.put("track_lin_vel_xy", p -> new VelocityTracking(false, p.number("sigma", 0.25), p.path()));
        TERMS.put("track_ang_vel_z", p -> new VelocityTracking(true, p.number("sigma", 0.25), p.path()));
        TERMS.put("feet_air_time", FeetAirTime::new);
        TERMS.put("undesired_contacts", LinkContacts::new);
        for (Provider provider : ServiceLoader.load(Provider.class)) TERMS.putAll(provider.terms());
    }

    private RewardTerms() {}

    public static synchronized Set<String> names() {
        return Set.copyOf(TERMS.keySet());
    }

    /** The factory for {@code name}, or null. */
    public static synchronized RewardTerm.Factory get(String name) {
        return TERMS.get(name);
    }
}
