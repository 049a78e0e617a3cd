package pponode.env.terms;

/**
 * A condition that ends an episode as terminated (a failure state, not a time limit), registered by
 * name ({@link TerminationTerms}) and configured under {@code termination:} in the task file:
 * {@code termination: {joint_bounds: {cart_to_pole: [-0.21, 0.21]}, base_tilt: {max_angle: 1.0}}}.
 * The episode ends when any of them holds.
 */
public interface TerminationTerm {
    boolean terminated(StepState s);

    /** Builds a term from its parameters; unknown or invalid ones are errors naming them. */
    interface Factory {
        TerminationTerm create(TermParams params);
    }
}
