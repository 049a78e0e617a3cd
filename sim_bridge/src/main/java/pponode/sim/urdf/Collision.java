package pponode.sim.urdf;

/** A link's {@code <collision>} element: a shape placed at {@code origin} in the link frame. */
public record Collision(Pose origin, Geometry geometry) {}
