package pponode.env.terms;

/**
 * One term of a task's reward, registered by name ({@link RewardTerms}) and configured in the task
 * file: {@code reward: {distance: -1.0}} (the weight) or {@code reward: {joint_limit: {weight: -1.0,
 * margin: 0.1}}} (the weight and the term's parameters). The step's reward is the weighted sum.
 * One term serves every environment of its task, on every worker thread: what changes from step
 * to step lives in the {@link StepState}, never in the term.
 */
public interface RewardTerm {
    /** The term's unweighted value at this step. */
    double value(StepState s);

    /** Whether the term reads {@link StepState#effort}, which not every backend reports. */
    default boolean usesEfforts() {
        return false;
    }

    /** Builds a term from its parameters; unknown or invalid ones are errors naming them. */
    interface Factory {
        RewardTerm create(TermParams params);
    }
}
