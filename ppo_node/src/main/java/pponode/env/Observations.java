package pponode.env;

import java.util.List;
import pponode.env.terms.ObservationTerm;
import pponode.env.terms.ObservationTerms;
import pponode.sim.BaseState;

/**
 * Builds a task's observation vector, term by term ({@link ObservationTerms}), from joint states,
 * the tip position, the target and the base state. The task environment and the ROS 2 node both use it, so a
 * policy sees the same layout in training and on the robot.
 */
public final class Observations {
    private final List<ObservationTerm> terms;
    private final ObservationTerm.Shape shape;

    /** The observation of {@code task}: its terms, looked up once. */
    public Observations(RobotTask task) {
        terms = task.observation.stream().map(ObservationTerms::get).toList();
        shape = task.observationShape();
    }

    /** Size of {@code term} in {@code task}'s observation. */
    public static int size(RobotTask task, String term) {
        return ObservationTerms.get(term).size(task.observationShape());
    }

    /**
     * Fills {@code out}; {@code q}/{@code qd} are the observed joints' positions and velocities in
     * the task's order, {@code lastAction} is normalised to [-1, 1], {@code command} is the velocity command.
     */
    public void fill(int[] targetAxes, double[] q, double[] qd, double[] tip, double[] target, float[] lastAction, BaseState base, double[] command, float[] out) {
        ObservationTerm.Inputs in = new ObservationTerm.Inputs(q, qd, tip, target, targetAxes, lastAction, base, command, shape.jointDefault());
        int k = 0;
        for (ObservationTerm t : terms) {
            t.fill(in, out, k);
            k += t.size(shape);
        }
    }
}
