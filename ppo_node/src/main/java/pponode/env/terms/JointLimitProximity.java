package pponode.env.terms;

/**
 * How far the observed joints are inside the last {@code margin} (rad or m) before their URDF
 * position limits, summed: 0 away from the limits, {@code margin} at a limit. Joints without
 * position limits (continuous) add nothing.
 */
public final class JointLimitProximity implements RewardTerm {
    private final double margin;

    public JointLimitProximity(double margin) {
        if (!(margin > 0)) throw new IllegalArgumentException("'joint_limit.margin' must be > 0, got " + margin);
        this.margin = margin;
    }

    @Override
    public double value(StepState s) {
        double sum = 0;
        for (int j : s.observed) {
            if (!Double.isFinite(s.lower[j]) || !Double.isFinite(s.upper[j])) continue;
            sum += Math.max(0, s.lower[j] + margin - s.q[j]) + Math.max(0, s.q[j] - (s.upper[j] - margin));
        }
        return sum;
    }
}
