package pponode.env.terms;

/** Squared norm of the observed joints' accelerations over the last control period (finite difference of velocity). */
public final class JointAccelerationL2 implements RewardTerm {
    @Override
    public double value(StepState s) {
        double sum = 0;
        for (int j : s.observed) {
            double a = (s.qd[j] - s.previousQd[j]) / s.dt;
            sum += a * a;
        }
        return sum;
    }
}
