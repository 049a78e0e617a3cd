package pponode.ros;

import java.util.Arrays;
import pponode.env.CommandShaper;

/**
 * The last stage before a command leaves the node. Normal operation: the policy's command through
 * {@link CommandShaper}, as in training: rate-limited per joint (a position command by default
 * moves no faster than the URDF velocity limit), optionally low-pass filtered, always clamped to
 * the joint limits. The limit holds
 * from the first command on: when the policy takes over (at start, or after a safe period), a
 * position command starts from where the joints are measured, velocity and effort from zero. When
 * there is no command to shape (the e-stop, inputs unusable: the caller says why), the configured
 * safe command instead: zero effort/velocity, or hold the position the joints had when it began
 * (for a joint whose measurement is NaN, its last finite measured position). The rate limit holds
 * on every command, so the safe command ramps to its target and the policy's ramps away from it.
 */
public final class SafetyGate {
    private final CommandShaper shaper;
    private final double[] prev;
    /** Each joint's last finite measured position (NaN until one arrives): where a joint whose measurement turns NaN is held. */
    private final double[] lastFinite;
    private final double[] target;
    private double[] hold;
    private boolean safe = true;
    /** Whether a command was made: until then there is no previous command to limit the rate from. */
    private boolean started;
    private String reason = "starting";

    /** The gate around {@code shaper}: the clamp, rate limit and low-pass the training environment applies too (the filter aside). */
    public SafetyGate(CommandShaper shaper) {
        this.shaper = shaper;
        prev = new double[shaper.joints()];
        target = new double[shaper.joints()];
        lastFinite = new double[shaper.joints()];
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
        boolean position = shaper.positionCommands();
        if (nowSafe) {
            if (!safe || hold == null) hold = holdTarget();
            for (int i = 0; i < target.length; i++) target[i] = position ? hold[i] : 0;
        } else {
            for (int i = 0; i < target.length; i++) target[i] = action[i];
        }
        if (!started) { // the first command: from where the joints are (position), or from zero
            shaper.restCommand(nowSafe ? hold : lastFinite, target, prev);
            started = true;
        }
        safe = nowSafe;
        reason = why;
        // Every command, the safe one and the switches into and out of it included, moves at most the
        // rate limit from the one before: entering the hold position ramps to it, leaving it ramps away.
        double[] out = new double[prev.length];
        shaper.shape(prev, target, !nowSafe, out);
        System.arraycopy(out, 0, prev, 0, out.length);
        return out;
    }

    /** Whether the last command reached the safe command's target (the hold position, or zero): a stop has settled. */
    public synchronized boolean settled() {
        if (!safe) return false;
        for (int i = 0; i < prev.length; i++) if (prev[i] != (shaper.positionCommands() ? hold[i] : 0)) return false;
        return true;
    }

    private double[] holdTarget() {
        double[] h = new double[prev.length];
        for (int i = 0; i < h.length; i++) {
            // a joint whose measurement is NaN now is held where it was last measured; one never
            // measured keeps the last command (the middle of the range would move it)
            h[i] = shaper.clamp(i, Double.isFinite(lastFinite[i]) ? lastFinite[i] : prev[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        return "SafetyGate[" + (shaper.positionCommands() ? "position" : "velocity/effort") + ", safe=" + safe + " (" + reason + "), prev=" + Arrays.toString(prev) + "]";
    }
}
