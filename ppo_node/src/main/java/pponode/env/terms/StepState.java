package pponode.env.terms;

/**
 * What a reward term sees of one control step, filled by the task environment: the normalised
 * action and the one before it, every movable joint's position, velocity and velocity one period
 * earlier (URDF order) with its limits, the tip-to-target distance and the control period.
 * Terms read it; the environment owns and refills it every step, so nothing is allocated.
 */
public final class StepState {
    public final float[] action, previousAction;
    public final double[] q, qd, previousQd, lower, upper;
    /** Indices (into q, qd) of the observed joints. */
    public final int[] observed;
    public final double dt;
    /** Metres from the tip link to the target; NaN when the task has neither. */
    public double distance = Double.NaN;

    public StepState(int actions, int[] observed, double[] lower, double[] upper, double dt) {
        action = new float[actions];
        previousAction = new float[actions];
        q = new double[lower.length];
        qd = new double[lower.length];
        previousQd = new double[lower.length];
        this.observed = observed.clone();
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.dt = dt;
    }
}
