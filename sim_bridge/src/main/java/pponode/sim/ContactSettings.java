package pponode.sim;

import java.util.Map;

/**
 * How a simulated robot touches the world (the task file's {@code contact:} section): a ground
 * plane at z = 0, the surfaces' friction and restitution (one pair for everything, overridable per
 * link), the contact's softness as ODE's error-reduction parameter and constraint-force mixing,
 * whether links that no joint connects collide with each other, and whether mesh shapes collide as
 * their convex hulls or as triangle meshes. A robot without these settings collides with nothing.
 *
 * <p>Where two surfaces meet, the contact takes the lower friction and the higher restitution (as
 * Gazebo's ODE and Bullet do).
 */
public record ContactSettings(boolean ground, Surface surface, Map<String, Surface> links, double erp, double cfm, boolean selfCollision, MeshShape meshShape) {
    /** Coulomb friction coefficient μ and restitution e (0: no bounce, 1: elastic). */
    public record Surface(double friction, double restitution) {}

    public enum MeshShape { CONVEX_HULL, TRIANGLES }

    /**
     * ERP 0.2 removes a fifth of any penetration per step; CFM 1e-9 (N·s/m-scale compliance) keeps
     * the contact stiff, so a body at rest sinks well under a millimetre. These are ODE's own
     * recommendations for stiff contacts.
     */
    public static final double DEFAULT_ERP = 0.2, DEFAULT_CFM = 1e-9;

    public static ContactSettings defaults() {
        return new ContactSettings(true, new Surface(1.0, 0.0), Map.of(), DEFAULT_ERP, DEFAULT_CFM, false, MeshShape.CONVEX_HULL);
    }

    public ContactSettings {
        links = Map.copyOf(links);
    }

    /** The surface of {@code link}: its own, or the global one. */
    public Surface surfaceOf(String link) {
        return links.getOrDefault(link, surface);
    }
}
