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
    /** What each term is, for the terms reference (docs/TERMS.md). */
    private static final Map<String, String> DESCRIPTIONS = new TreeMap<>();

    static {
        builtIn("distance", "metres from the tip link to the goal",
                p -> new Distance());
        builtIn("action_l2", "squared norm of the normalised action",
                p -> new ActionL2());
        builtIn("action_rate", "squared change of the normalised action since the previous period (smooth commands)",
                p -> new ActionRate());
        builtIn("alive", "1 every step",
                p -> s -> 1.0);
        builtIn("joint_vel_l2", "squared norm of the joint velocities",
                p -> new JointVelocityL2());
        builtIn("joint_acc_l2", "squared norm of the joint accelerations",
                p -> new JointAccelerationL2());
        builtIn("joint_limit", "how far joints have gone into the last `margin` of their range",
                p -> new JointLimitProximity(p.number("margin", 0.1)));
        builtIn("joint_torque_l2", "squared norm of the applied joint efforts",
                p -> new JointTorqueL2());
        builtIn("flat_orientation_l2", "squared x and y of projected gravity (a tilted trunk)",
                p -> new FlatOrientationL2());
        builtIn("base_height_l2", "squared difference of the base height from `target` (m)",
                p -> new BaseHeightL2(p.number("target", Double.NaN), p.path()));
        builtIn("base_lin_vel_z_l2", "squared vertical base velocity",
                p -> new BaseVelocityL2(false, 2));
        builtIn("base_ang_vel_xy_l2", "squared roll and pitch rates of the base",
                p -> new BaseVelocityL2(true, 0, 1));
        builtIn("track_lin_vel_xy", "exp(-error²/sigma²) of the base's v_x, v_y against the command",
                p -> new VelocityTracking(false, p.number("sigma", 0.25), p.path()));
        builtIn("track_ang_vel_z", "exp(-error²/sigma²) of the base's yaw rate against the command",
                p -> new VelocityTracking(true, p.number("sigma", 0.25), p.path()));
        builtIn("feet_air_time", "each foot's air time beyond `threshold` s, paid at touchdown (legged_gym); zero when the command is to stand",
                FeetAirTime::new);
        builtIn("undesired_contacts", "links in contact (force above `threshold` N), counted",
                LinkContacts::new);
        for (Provider provider : ServiceLoader.load(Provider.class)) TERMS.putAll(provider.terms());
    }

    private RewardTerms() {}

    /** A term that ships with ppo_node: it has a description, for the terms reference. */
    private static void builtIn(String name, String description, RewardTerm.Factory term) {
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
    public static synchronized RewardTerm.Factory get(String name) {
        return TERMS.get(name);
    }
}
