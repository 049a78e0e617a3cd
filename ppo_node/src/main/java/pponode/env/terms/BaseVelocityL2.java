package pponode.env.terms;

/**
 * Squared base velocity along some body axes: {@code base_lin_vel_z_l2} (bouncing) and
 * {@code base_ang_vel_xy_l2} (rolling and pitching), the usual locomotion penalties.
 */
public final class BaseVelocityL2 implements RewardTerm {
    private final boolean angular;
    private final int[] axes;

    BaseVelocityL2(boolean angular, int... axes) {
        this.angular = angular;
        this.axes = axes;
    }

    @Override
    public double value(StepState s) {
        double[] body = new double[3]; // per call: one task's terms serve every environment, on every worker thread
        s.base.toBody(angular ? s.base.angularVelocity : s.base.linearVelocity, body);
        double sum = 0;
        for (int a : axes) sum += body[a] * body[a];
        return sum;
    }
}
