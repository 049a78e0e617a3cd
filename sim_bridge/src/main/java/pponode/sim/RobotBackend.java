package pponode.sim;

import java.util.List;

/**
 * A robot as a task sees it, whatever drives it (ros2_control's split between a controller and its
 * hardware interface): one control period at a time, commands out and joint state in. The task
 * environment (observations, rewards, terminations, targets, the time limit) is written once over
 * this; the embedded simulator, a Gazebo world and a robot on ROS 2 implement it.
 */
public interface RobotBackend extends AutoCloseable {
    /** The movable joints, in the order of every joint array here (the URDF's). */
    List<String> joints();

    /** Starts an episode with the joints at {@code q0}, {@code qd0}: a simulator sets them; a remote one is asked to start one. */
    void reset(double[] q0, double[] qd0);

    /**
     * Starts an episode with the joints at {@code q0}, {@code qd0} and a floating base at
     * {@code base0} (pose and velocity, world frame). A backend that cannot place the base starts
     * the joints only.
     */
    default void reset(double[] q0, double[] qd0, BaseState base0) {
        reset(q0, qd0);
    }

    /**
     * Applies one control period's commands (actuated joints in the task's order, physical units,
     * within the limits) and returns once the state after them has been read. False when the period
     * was lost but the robot is still there (a simulator that diverged and rolled back): the episode
     * ends there. A robot that stopped answering throws {@link RobotUnavailableException}.
     */
    boolean step(double[] commands);

    /** Joint positions of the last state read, in {@link #joints()} order. */
    void positions(double[] out);

    /** Joint velocities of the last state read, in {@link #joints()} order. */
    void velocities(double[] out);

    /** Where {@code link}'s frame is (world frame, m) in the last state read. */
    void linkPosition(String link, double[] out);

    /**
     * The base's pose and velocity in the last state read. The default is a fixed-base robot (the
     * URDF root welded at the world origin), which every backend here drives today.
     */
    default void baseState(BaseState out) {
        out.setFixed();
    }

    /** Whether {@link #contactForce} reports the links' contact forces. */
    default boolean reportsContacts() {
        return false;
    }

    /** The summed contact force (world frame, N) on {@code link} in the last physics step. */
    default void contactForce(String link, double[] out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not report contact forces");
    }

    /** Whether {@link #efforts} reports the efforts the joints applied. */
    default boolean reportsEfforts() {
        return false;
    }

    /** The effort (N·m or N) each joint applied in the last period's final physics step, in {@link #joints()} order. */
    default void efforts(double[] out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not report joint efforts");
    }

    /** The goal the robot's side sets (a remote simulator that publishes targets), or null: the task samples its own. */
    default double[] target() {
        return null;
    }

    /** Whether {@link #perturb} and {@link #push} can change this robot's physics (a simulator can; a robot cannot). */
    default boolean perturbable() {
        return false;
    }

    /** From the next step on, the physics as {@code p} says, relative to the nominal model (domain randomization, sim2sim gates). */
    default void perturb(Perturbation p) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change its physics (randomization is for simulators)");
    }

    /** Changes the floating base's linear velocity at once by {@code dv} (world frame, m/s): a push. */
    default void push(double[] dv) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot push its base");
    }

    /** Whether {@link #snapshot()} can save the whole physical state (a simulator in this process can). */
    default boolean supportsSnapshot() {
        return false;
    }

    default byte[] snapshot() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot save its state");
    }

    default void restore(byte[] state) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore a state");
    }

    @Override
    void close();
}
