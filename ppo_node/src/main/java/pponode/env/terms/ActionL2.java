package pponode.env.terms;

/** Squared norm of the normalised action: effort spent. */
public final class ActionL2 implements RewardTerm {
    @Override
    public double value(StepState s) {
        double sum = 0;
        for (float a : s.action) sum += a * a;
        return sum;
    }
}
