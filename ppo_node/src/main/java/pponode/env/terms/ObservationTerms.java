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
    /** What each term is, for the terms reference (docs/TERMS.md). */
    private static final Map<String, String> DESCRIPTIONS = new TreeMap<>();

    static {
        builtIn("joint_pos", "observed joints' positions (rad or m)",
                new JointPosition());
        builtIn("joint_pos_cos_sin", "cos and sin of each observed joint's position (continuous joints wrap without a jump)",
                new JointPositionCosSin());
        builtIn("joint_vel", "observed joints' velocities",
                new JointVelocity());
        builtIn("target", "the goal position (the target axes the task samples)",
                new TargetPosition());
        builtIn("tip_to_target", "the goal minus the tip link's position (forward kinematics from the URDF)",
                new TipToTarget());
        builtIn("tip_position", "the tip link's position (forward kinematics from the URDF)",
                new TipPosition());
        builtIn("last_action", "the previous action, normalised (what is still in flight under a delay)",
                new LastAction());
        builtIn("projected_gravity", "gravity's direction in the base frame (a floating base's tilt)",
                new ProjectedGravity());
        builtIn("base_lin_vel", "the base's linear velocity in the base frame",
                new BaseVelocity(false));
        builtIn("base_ang_vel", "the base's angular velocity in the base frame",
                new BaseVelocity(true));
        builtIn("joint_pos_rel", "observed joints' positions relative to default_joint_pos (the stance)",
                new JointPositionRelative());
        builtIn("velocity_command", "the commanded v_x, v_y and yaw rate (commands: or cmd_vel)",
                new VelocityCommand());
        for (Provider provider : ServiceLoader.load(Provider.class)) TERMS.putAll(provider.terms());
    }

    private ObservationTerms() {}

    /** A term that ships with ppo_node: it has a description, for the terms reference. */
    private static void builtIn(String name, String description, ObservationTerm term) {
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

    /** The term {@code name}, or null. */
    public static synchronized ObservationTerm get(String name) {
        return TERMS.get(name);
    }
}
