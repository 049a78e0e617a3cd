package pponode.sim.embedded;

import java.util.List;

/**
 * What the embedded backend needs of a physics engine for one robot: joint state in the
 * simulator's joint order (the URDF's movable joints), a step under joint efforts, link positions
 * and a saved state. {@link EmbeddedSimulator} (ode4j, maximal coordinates, contacts and floating
 * bases) and {@link ArticulatedSimulator} (joint space, fixed-base robots that touch nothing)
 * provide it.
 */
public interface JointPhysics extends AutoCloseable {
    List<String> jointNames();

    int jointIndex(String name);

    int dof();

    double effortLimit(int i);

    /** Puts the robot exactly at joint positions {@code q} and velocities {@code qd} (a floating base at the origin, at rest). */
    void setState(double[] q, double[] qd);

    /** One physics step under joint efforts (N·m or N, simulator order), clamped and shaped as the URDF limits say. */
    void step(double[] effort);

    /** Joint position (continuous joints unwrapped, not limited to ±π). */
    double position(int i);

    double velocity(int i);

    void positions(double[] out);

    void velocities(double[] out);

    /** The origin of link {@code link}'s frame, world coordinates. */
    void linkPosition(String link, double[] out);

    /** Kinetic plus potential energy (J). */
    double energy();

    int snapshotSize();

    /** The complete dynamic state, for {@link #restore}. */
    default byte[] snapshot() {
        byte[] out = new byte[snapshotSize()];
        snapshotInto(out);
        return out;
    }

    /** {@link #snapshot} into {@code out} (of {@link #snapshotSize}): a caller that saves every control period reuses one array. */
    void snapshotInto(byte[] out);

    void restore(byte[] state);

    @Override
    void close();
}
