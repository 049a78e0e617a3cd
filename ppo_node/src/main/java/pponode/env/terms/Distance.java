package pponode.env.terms;

/** Metres from the tip link to the target (give it a negative weight). Needs {@code tip_link} and {@code target}. */
public final class Distance implements RewardTerm {
    @Override
    public double value(StepState s) {
        return s.distance;
    }
}
