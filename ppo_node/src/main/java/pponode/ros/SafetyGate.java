package pponode.ros;

import java.util.Arrays;

/**
 * The last stage before a command leaves the node. Normal operation: the policy's command,
 * rate-limited per joint (a position command by default moves no faster than the URDF velocity
 * limit) and optionally low-pass filtered, always clamped to the joint limits. The limit holds
 * from the first command on: when the policy takes over (at start, or after a safe period), a
 * position command starts from where the joints are measured, velocity and effort from zero. When
 * there is no command to shape (the e-stop, inputs unusable: the caller says why), the configured
 * safe command instead: zero effort/velocity, or hold the position the joints had when it began
 * (for a joint whose measurement is NaN, its last finite measured position). The rate limit holds
 * on every command, so the safe command ramps to its target and the policy's ramps away from it.
 */
public final class SafetyGate {
    private final String commandInterface;
    private final double[] low, high;
    private final double[] maxStep; // per joint and control period; +inf = off
    private final double alpha; // low-pass coefficient in (0, 1]; 1 = off
    private final double[] prev;
    /** Each joint's last finite measured position (NaN until one arrives): where a joint whose measurement turns NaN is held. */
    private final double[] lastFinite;
    private double[] hold;
    private boolean safe = true;
    /** Whether a command was made: until then there is no previous command to limit the rate from. */
    private boolean started;
    private String reason = "starting";

    /** {@code maxRatePerSecond}: per joint, the largest change of its command per second (0 or +inf: no limit). */
    public SafetyGate(String commandInterface, double[] low, double[] high, double[] maxRatePerSecond, double lowPassAlpha, double controlPeriod) {
        if (!(lowPassAlpha > 0 && lowPassAlpha <= 1)) throw new IllegalArgumentException("low-pass alpha must be in (0, 1], got " + lowPassAlpha);
        this.commandInterface = commandInterface;
        this.low = low.clone();
        this.high = high.clone();
        if (maxRatePerSecond.length != low.length) throw new IllegalArgumentException(maxRatePerSecond.length + " rate limits for " + low.length + " joints");
        maxStep = new double[low.length];
        for (int i = 0; i < maxStep.length; i++) maxStep[i] = maxRatePerSecond[i] > 0 ? maxRatePerSecond[i] * controlPeriod : Double.POSITIVE_INFINITY;
        this.alpha = lowPassAlpha;
        prev = new double[low.length];
        lastFinite = new double[low.length];
        Arrays.fill(lastFinite, Double.NaN);
    }

    public synchronized boolean safe() {
        return safe;
    }

    public synchronized String reason() {
        return reason;
    }

    /**
     * The command to publish. {@code action} is the command wished for, in the robot's joint order
     * (null when there is none: the safe command, for {@code health}'s reason); {@code measured} the actuated joints' measured positions (for the
     * hold-position safe command; may hold NaN when unknown).
     */
    public synchronized double[] command(float[] action, JointStateAssembler.Health health, double[] measured) {
        for (int i = 0; measured != null && i < lastFinite.length; i++) if (Double.isFinite(measured[i])) lastFinite[i] = measured[i];
        boolean nowSafe = !health.ok() || action == null;
        String why = !health.ok() ? health.reason() : action == null ? "no action" : "ok";
        boolean position = commandInterface.equals("position");
        double[] target = new double[low.length];
        if (nowSafe) {
            if (!safe || hold == null) hold = holdTarget(measured);
            if (position) System.arraycopy(hold, 0, target, 0, target.length);
        } else {
            for (int i = 0; i < target.length; i++) target[i] = Math.max(low[i], Math.min(high[i], action[i]));
        }
        if (!started) { // the first command: from where the joints are (position), or from zero
            for (int i = 0; i < prev.length; i++) {
                prev[i] = !position ? 0 : nowSafe ? hold[i] : Double.isFinite(lastFinite[i]) ? Math.max(low[i], Math.min(high[i], lastFinite[i])) : target[i];
            }
            started = true;
        }
        safe = nowSafe;
        reason = why;
        // Every command, the safe one and the switches into and out of it included, moves at most the
        // rate limit from the one before: entering the hold position ramps to it, leaving it ramps away.
        double[] out = new double[low.length];
        for (int i = 0; i < out.length; i++) {
            double c = prev[i] + Math.max(-maxStep[i], Math.min(maxStep[i], target[i] - prev[i]));
            if (!nowSafe) c = prev[i] + alpha * (c - prev[i]);
            out[i] = Math.max(low[i], Math.min(high[i], c));
            prev[i] = out[i];
        }
        return out;
    }

    /** Whether the last command reached the safe command's target (the hold position, or zero): a stop has settled. */
    public synchronized boolean settled() {
        if (!safe) return false;
        for (int i = 0; i < prev.length; i++) if (prev[i] != (commandInterface.equals("position") ? hold[i] : 0)) return false;
        return true;
    }

    private double[] holdTarget(double[] measured) {
        double[] h = new double[low.length];
        for (int i = 0; i < h.length; i++) {
            // a joint whose measurement is NaN now is held where it was last measured; one never
            // measured keeps the last command (the middle of the range would move it)
            double m = Double.isFinite(lastFinite[i]) ? lastFinite[i] : prev[i];
            h[i] = Math.max(low[i], Math.min(high[i], m));
        }
        return h;
    }

    @Override
    public String toString() {
        return "SafetyGate[" + commandInterface + ", safe=" + safe + " (" + reason + "), prev=" + Arrays.toString(prev) + "]";
    }
}
