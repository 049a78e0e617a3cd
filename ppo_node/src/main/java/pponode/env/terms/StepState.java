package pponode.env.terms;

import java.util.Arrays;
import pponode.sim.BaseState;

/**
 * What a reward term sees of one control step, filled by the task environment: the normalised
 * action and the one before it, every movable joint's position, velocity and velocity one period
 * earlier (URDF order) with its limits, the efforts the joints applied (where the backend reports
 * them), the base's pose and velocity, the tip-to-target distance and the control period.
 * Terms read it; the environment owns and refills it every step, so nothing is allocated.
 */
public final class StepState {
    public final float[] action, previousAction;
    public final double[] q, qd, previousQd, lower, upper;
    /** Joint efforts (URDF order) of the last physics step; NaN where the backend does not report them. */
    public final double[] effort;
    /** Indices (into q, qd) of the observed joints. */
    public final int[] observed;
    /** Indices (into q, qd, effort) of the actuated joints, in action order. */
    public final int[] actuated;
    public final BaseState base = new BaseState();
    public final double dt;
    /** Metres from the tip link to the target; NaN when the task has neither. */
    public double distance = Double.NaN;
    /** This episode's velocity command (v_x, v_y in m/s, yaw rate in rad/s, base frame); zero without {@code commands:}. */
    public final double[] command = new double[3];
    /** Per contact link of the task ({@code RobotTask#contactLinks}): the contact force (world frame, N, x y z after each other). */
    public final double[] contactForce;
    /** Per contact link: seconds since it last touched something (feet air time), kept across the episode's steps. */
    public final double[] airTime;

    public StepState(int[] actuated, int[] observed, double[] lower, double[] upper, double dt) {
        this(actuated, observed, lower, upper, dt, 0);
    }

    public StepState(int[] actuated, int[] observed, double[] lower, double[] upper, double dt, int contactLinks) {
        contactForce = new double[3 * contactLinks];
        airTime = new double[contactLinks];
        action = new float[actuated.length];
        previousAction = new float[actuated.length];
        this.actuated = actuated.clone();
        effort = new double[lower.length];
        Arrays.fill(effort, Double.NaN);
        q = new double[lower.length];
        qd = new double[lower.length];
        previousQd = new double[lower.length];
        this.observed = observed.clone();
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.dt = dt;
    }

    /** The size of contact link {@code k}'s force (N). */
    public double contactForceNorm(int k) {
        double x = contactForce[3 * k], y = contactForce[3 * k + 1], z = contactForce[3 * k + 2];
        return Math.sqrt(x * x + y * y + z * z);
    }
}
