package pponode.env.terms;

/** Squared norm of the observed joints' velocities (rad/s or m/s). */
public final class JointVelocityL2 implements RewardTerm {
    @Override
    public double value(StepState s) {
        double sum = 0;
        for (int j : s.observed) sum += s.qd[j] * s.qd[j];
        return sum;
    }
}
