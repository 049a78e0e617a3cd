package pponode.env.terms;

/** Squared change of the normalised action since the last step: keeps a policy from switching between extremes every period. */
public final class ActionRate implements RewardTerm {
    @Override
    public double value(StepState s) {
        double sum = 0;
        for (int i = 0; i < s.action.length; i++) sum += (s.action[i] - s.previousAction[i]) * (s.action[i] - s.previousAction[i]);
        return sum;
    }
}
