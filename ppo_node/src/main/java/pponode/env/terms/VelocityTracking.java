package pponode.env.terms;

/**
 * legged_gym's command tracking: exp(−‖command − velocity‖² / σ) over the base's planar linear
 * velocity ({@code track_lin_vel_xy}) or its yaw rate ({@code track_ang_vel_z}), in the base frame.
 * 1 when the robot moves as commanded, falling off over σ (m²/s² or rad²/s²).
 */
public final class VelocityTracking implements RewardTerm {
    private final boolean yaw;
    private final double sigma;

    VelocityTracking(boolean yaw, double sigma, String path) {
        if (!(sigma > 0)) throw new IllegalArgumentException("'" + path + ".sigma' must be > 0, got " + sigma);
        this.yaw = yaw;
        this.sigma = sigma;
    }

    @Override
    public double value(StepState s) {
        double err;
        double[] body = new double[3]; // per call: one task's terms serve every environment, on every worker thread
        if (yaw) {
            s.base.toBody(s.base.angularVelocity, body);
            err = (s.command[2] - body[2]) * (s.command[2] - body[2]);
        } else {
            s.base.toBody(s.base.linearVelocity, body);
            err = (s.command[0] - body[0]) * (s.command[0] - body[0]) + (s.command[1] - body[1]) * (s.command[1] - body[1]);
        }
        return Math.exp(-err / sigma);
    }
}
