package pponode.sim.urdf;

/** A URDF {@code <geometry>}: the shape of a collision element, in its own frame (metres). */
public sealed interface Geometry {
    /** A box centred on its frame, with these edge lengths along x, y and z. */
    record Box(double x, double y, double z) implements Geometry {}

    record Sphere(double radius) implements Geometry {}

    /** A cylinder along its frame's z axis, centred on the frame. */
    record Cylinder(double radius, double length) implements Geometry {}

    /**
     * A mesh file's triangles, already scaled: {@code vertices} as x, y, z triples and
     * {@code triangles} as index triples into them. {@code file} is the resolved path, for messages.
     */
    record Mesh(String file, double[] vertices, int[] triangles) implements Geometry {
        public int vertexCount() {
            return vertices.length / 3;
        }
    }
}
