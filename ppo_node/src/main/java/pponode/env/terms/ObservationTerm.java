package pponode.env.terms;

import java.util.Set;
import pponode.sim.BaseState;

/**
 * One term of a task's observation, registered by name ({@link ObservationTerms}) and listed in the
 * task file ({@code observation: [joint_pos_cos_sin, joint_vel, ...]}); the observation is the
 * terms' values in that order. The same terms build the observation in training and on the robot.
 */
public interface ObservationTerm {
    /**
     * What a term reads. A robot serves each input from its own source (joint states, forward
     * kinematics, the target topic, the IMU, odometry, cmd_vel): the deploy node and the ROS
     * backend subscribe to and wait for exactly the inputs the task's terms declare.
     */
    enum Input {
        JOINT_POSITIONS, JOINT_VELOCITIES,
        /** The tip link's position: forward kinematics over every movable joint. */
        TIP, TARGET, BASE_ORIENTATION, BASE_ANGULAR_VELOCITY, BASE_LINEAR_VELOCITY, VELOCITY_COMMAND, LAST_ACTION
    }

    /** The inputs the term's values are made from. */
    Set<Input> inputs();

    /** How many values the term writes for a task of this shape. */
    int size(Shape shape);

    /** Writes the term's values into {@code out} from {@code offset}. */
    void fill(Inputs in, float[] out, int offset);

    /** The bounds of its values (the observation space): unbounded unless the term knows better. */
    default void bounds(Shape shape, float[] low, float[] high, int offset) {
        for (int k = 0; k < size(shape); k++) {
            low[offset + k] = Float.NEGATIVE_INFINITY;
            high[offset + k] = Float.POSITIVE_INFINITY;
        }
    }

    /** A task's shape: observed joints, their position limits and default positions, target axes, actions. */
    record Shape(int joints, double[] jointLower, double[] jointUpper, double[] jointDefault, int targetAxes, int actions) {}

    /**
     * One step's inputs: the observed joints' positions and velocities (task order), the tip
     * position, the target (world frame), the target axes the task varies, the normalised last
     * action, the base's pose and velocity, the velocity command (v_x, v_y, yaw rate), and the
     * observed joints' default positions.
     */
    record Inputs(double[] q, double[] qd, double[] tip, double[] target, int[] targetAxes, float[] lastAction, BaseState base, double[] command, double[] qDefault) {}
}
