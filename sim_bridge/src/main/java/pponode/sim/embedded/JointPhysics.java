package pponode.sim.embedded;

import java.util.List;
import java.util.Map;
import pponode.sim.BaseState;
import pponode.sim.urdf.Pose;

/**
 * What the embedded backend needs of a physics engine for one robot: joint state in the
 * simulator's joint order (the URDF's movable joints), a step under joint efforts, link positions
 * a floating base's state, contact forces and a saved state. {@link ArticulatedSimulator} (joint
 * space: the default) and {@link EmbeddedSimulator} (ode4j, maximal coordinates; links that collide
 * with each other) provide it.
 */
public interface JointPhysics extends AutoCloseable {
    List<String> jointNames();

    int jointIndex(String name);

    int dof();

    double effortLimit(int i);

    /** Puts the robot exactly at joint positions {@code q} and velocities {@code qd} (a floating base at the origin, at rest). */
    void setState(double[] q, double[] qd);

    /**
     * Puts the robot exactly at joint positions {@code q} and velocities {@code qd}, with a floating
     * base's root link frame at {@code base} moving at {@code baseLinear} (its origin's velocity)
     * and {@code baseAngular}, world frame. A welded base ignores the base arguments.
     */
    void setState(double[] q, double[] qd, Pose base, double[] baseLinear, double[] baseAngular);

    /** Whether the root link is a free body. */
    boolean floatingBase();

    /** The root link frame's pose and velocity (world frame); a welded base is at the origin, at rest. */
    void baseState(BaseState out);

    /** The index of {@code link} for {@link #contactForce} (a robot with contacts). */
    int linkIndex(String link);

    /** The summed force (N, world frame) that contacts applied to link {@code link} in the last step. */
    void contactForce(int link, double[] out);

    /** Whether the last step left the physical range (the caller undoes the period). */
    boolean diverged();

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

    /** Every link's mass and inertia at {@code scale} times the URDF's (1: as modelled). */
    default void scaleMass(double scale) {
        if (scale != 1) throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change link masses; the joint-space simulator can");
    }

    /** Every contact's friction coefficient at {@code scale} times the task's (1: as modelled). */
    default void scaleFriction(double scale) {
        if (scale != 1) throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change friction; the joint-space simulator can");
    }

    /** After {@link #scaleMass} with {@code all}: the named links' masses and inertias at {@code all} times their scale. */
    default void scaleLinkMasses(Map<String, Double> scales, double all) {
        if (!scales.isEmpty()) throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change single links' masses; the joint-space simulator can");
    }

    /**
     * A floating base {@code kg} heavier (after {@link #scaleMass}; its inertia grows in proportion)
     * with its centre of mass moved by {@code comOffset} (m, base frame) from the URDF's.
     */
    default void changeBase(double kg, double[] comOffset) {
        if (kg != 0 || comOffset[0] != 0 || comOffset[1] != 0 || comOffset[2] != 0) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change its base's mass or centre of mass; the joint-space simulator can");
        }
    }

    /** Every contact's restitution ({@code NaN}: as the task says). */
    default void restitution(double e) {
        if (!Double.isNaN(e)) throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change restitution; the joint-space simulator can");
    }

    /** Viscous damping and Coulomb friction added to every joint's URDF values (0, 0: as modelled). */
    void addJointDamping(double damping, double friction);

    /** Adds {@code dv} (world frame, m/s) to a floating base's linear velocity. */
    default void pushBase(double[] dv) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot push its base; the joint-space simulator can");
    }

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
