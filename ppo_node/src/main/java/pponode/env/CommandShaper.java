package pponode.env;

/**
 * The one shaping of a policy's command on its way to the joints, in training ({@link RobotEnv})
 * and on the robot (the deploy node's safety gate), so a policy meets the same command path in both:
 * clamped to the joint limits, moved at most the rate limit from the previous command, and, on the
 * robot when configured, low-pass filtered. The caller keeps the previous command (it is part of
 * a training snapshot, and of the gate's state); the shaper holds only the limits.
 */
public final class CommandShaper {
    private final boolean position;
    private final double[] low, high;
    private final double[] maxStep; // per joint and control period; +inf = no rate limit
    private final double alpha; // low-pass coefficient in (0, 1]; 1 = off

    /**
     * {@code maxRatePerSecond}: per joint, the largest change of its command per second (0 or
     * +inf: no limit); {@code lowPassAlpha} in (0, 1], 1 for none; {@code controlRateHz}: commands
     * per second.
     */
    public CommandShaper(String commandInterface, double[] low, double[] high, double[] maxRatePerSecond, double lowPassAlpha, double controlRateHz) {
        if (!(lowPassAlpha > 0 && lowPassAlpha <= 1)) throw new IllegalArgumentException("low-pass alpha must be in (0, 1], got " + lowPassAlpha);
        if (maxRatePerSecond.length != low.length) throw new IllegalArgumentException(maxRatePerSecond.length + " rate limits for " + low.length + " joints");
        position = commandInterface.equals("position");
        this.low = low.clone();
        this.high = high.clone();
        maxStep = new double[low.length];
        // rate / Hz, not rate × period: the step training has always used, to the last bit (a fixed-seed run depends on it)
        for (int i = 0; i < maxStep.length; i++) maxStep[i] = maxRatePerSecond[i] > 0 ? maxRatePerSecond[i] / controlRateHz : Double.POSITIVE_INFINITY;
        alpha = lowPassAlpha;
    }

    /** {@code task}'s shaper: its command interface and that interface's URDF limits (the action space). */
    public static CommandShaper forTask(RobotTask task, double[] maxRatePerSecond, double lowPassAlpha, double controlRateHz) {
        Space.Box limits = task.actionSpace();
        double[] low = new double[limits.low().length], high = new double[low.length];
        for (int i = 0; i < low.length; i++) {
            low[i] = limits.low()[i];
            high[i] = limits.high()[i];
        }
        return new CommandShaper(task.commandInterface, low, high, maxRatePerSecond, lowPassAlpha, controlRateHz);
    }

    /**
     * The default rate limit of {@code task}'s commands, per joint and second: for position
     * commands the joint's URDF velocity limit (a command moves no faster than the joint can);
     * velocity and effort commands have none (0).
     */
    public static double[] urdfRateLimits(RobotTask task) {
        double[] limits = new double[task.actuatedJoints.size()];
        if (!task.commandInterface.equals("position")) return limits;
        for (int i = 0; i < limits.length; i++) {
            double v = task.robot.joint(task.actuatedJoints.get(i)).velocity();
            limits[i] = Double.isFinite(v) && v > 0 ? v : 0;
        }
        return limits;
    }

    public boolean positionCommands() {
        return position;
    }

    public int joints() {
        return low.length;
    }

    /** {@code v} within joint {@code i}'s limits. */
    public double clamp(int i, double v) {
        return Math.max(low[i], Math.min(high[i], v));
    }

    /**
     * The command "before the first" into {@code out}: holding still. A position command starts
     * where the joint is measured (clamped to its limits; {@code fallback}'s value for a joint
     * measured NaN), velocity and effort commands at zero.
     */
    public void restCommand(double[] measured, double[] fallback, double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = !position ? 0 : Double.isFinite(measured[i]) ? clamp(i, measured[i]) : fallback[i];
    }

    /**
     * Shapes the wished-for command {@code wish} into {@code out} (which may be {@code wish}):
     * clamped, at most the rate limit away from {@code previous}, low-pass filtered toward the
     * wish when {@code filter}, and clamped again.
     */
    public void shape(double[] previous, double[] wish, boolean filter, double[] out) {
        for (int i = 0; i < out.length; i++) {
            double target = clamp(i, wish[i]);
            double c = previous[i] + Math.max(-maxStep[i], Math.min(maxStep[i], target - previous[i]));
            if (filter) c = previous[i] + alpha * (c - previous[i]);
            out[i] = clamp(i, c);
        }
    }
}
