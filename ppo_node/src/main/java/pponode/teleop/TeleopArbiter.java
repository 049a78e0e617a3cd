package pponode.teleop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.runner.Supervisor;

/**
 * Decides, every control step, whether the policy or the operator acts on one robot.
 *
 * <p>Commands arrive from any channel ({@link #submit}); each is checked (token, sequence,
 * deadman stamp, joints by name, values in [−1, 1]) and a rejected one is logged with its reason
 * and never reaches the robot. The operator holds control while its latest takeover command is
 * fresher than the deadman timeout. {@code takeover: false} hands control back to the policy at
 * once; a lapsed deadman hands it to the policy or, with {@code on_lapse: safe}, to the safe
 * command until the operator releases.
 */
public final class TeleopArbiter implements Supervisor, CommandSink {
    private static final Logger LOG = LoggerFactory.getLogger(TeleopArbiter.class);
    private final TeleopConfig cfg;
    private final List<String> joints;
    private final double[] low, high;
    private final boolean holdPosition;
    private final LongSupplier clockMs;
    private final OperatorCheck check;
    private final Map<String, AtomicLong> rejected = new LinkedHashMap<>();
    private long accepted;
    // the operator's latest takeover command, in the robot's joint order and normalised
    private double[] opAction;
    private long opStamp = Long.MIN_VALUE;
    private boolean released = true, lapsedToSafe;
    private String lastRejection = "";
    private Actor lastActor = Actor.POLICY;
    private final float[] lastExecuted;
    private boolean hasExecuted;

    /**
     * @param joints       the actuated joints in the order of the action vector
     * @param low          command range per joint (environment units); [−1, 1] maps onto [low, high]
     * @param commandInterface position (the safe command holds the last command) or velocity/effort (zero)
     * @param clockMs      wall clock in ms for a robot; simulated time for a simulator
     */
    public TeleopArbiter(TeleopConfig cfg, List<String> joints, double[] low, double[] high, String commandInterface, LongSupplier clockMs) {
        this.cfg = cfg;
        this.joints = List.copyOf(joints);
        this.low = low.clone();
        this.high = high.clone();
        this.holdPosition = commandInterface.equals("position");
        this.clockMs = clockMs;
        check = new OperatorCheck(cfg, clockMs);
        lastExecuted = new float[joints.size()];
    }

    /** Parses and submits a raw message from a channel; returns null if accepted, else the reason. */
    @Override
    public String submit(byte[] payload, String channel) {
        try {
            return submit(OperatorCommand.parse(payload), channel);
        } catch (OperatorCommand.Rejected e) {
            return reject(channel, e.getMessage());
        }
    }

    /** Checks a command and, if it is acceptable, makes it the operator's current one. Returns null if accepted, else the reason. */
    public synchronized String submit(OperatorCommand c, String channel) {
        String refused = check.check(c.operator(), c.seq(), c.stampMs(), c.token(), true);
        if (refused != null) return reject(channel, refused);
        double[] a = null;
        if (c.takeover()) {
            a = new double[joints.size()];
            for (String j : c.actions().keySet()) {
                if (!joints.contains(j)) return reject(channel, "unknown joint '" + j + "' (actuated joints: " + joints + ")");
            }
            for (int i = 0; i < a.length; i++) {
                Double v = c.actions().get(joints.get(i));
                if (v == null) return reject(channel, "missing joint '" + joints.get(i) + "' (a takeover command covers every actuated joint)");
                if (!Double.isFinite(v) || v < -1 || v > 1) return reject(channel, "joint '" + joints.get(i) + "': " + v + " is outside [-1, 1]");
                a[i] = v;
            }
        }
        check.accept(c.operator(), c.seq());
        accepted++;
        if (c.takeover()) {
            if (released) LOG.info("teleop: '{}' takes over via {}", c.operator(), channel);
            opAction = a;
            opStamp = c.stampMs();
            released = false;
        } else {
            if (!released || lapsedToSafe) LOG.info("teleop: '{}' hands control back to the policy", c.operator());
            released = true;
            lapsedToSafe = false;
            opAction = null;
        }
        return null;
    }

    private synchronized String reject(String channel, String reason) {
        rejected.computeIfAbsent(reason.replaceAll("[-0-9.]+", "#").replaceAll("'[^']*'", "'…'"), k -> new AtomicLong()).incrementAndGet();
        lastRejection = reason;
        LOG.warn("teleop: rejected a command on {}: {}", channel, reason);
        return reason;
    }

    /** Who acts now; writes the executed (and, for the operator, the demonstrated) action in environment units. */
    @Override
    public synchronized Actor decide(int env, float[] obs, float[] policyAction, float[] executed, float[] demonstration) {
        long now = clockMs.getAsLong();
        Actor who;
        if (!released && now - opStamp <= cfg.deadmanTimeoutMs) {
            who = Actor.OPERATOR;
            for (int i = 0; i < executed.length; i++) {
                double op = low[i] + (opAction[i] + 1) * 0.5 * (high[i] - low[i]);
                demonstration[i] = (float) op;
                executed[i] = (float) (cfg.mode.equals("blend") ? cfg.blendAlpha * op + (1 - cfg.blendAlpha) * policyAction[i] : op);
            }
        } else {
            if (!released) { // the deadman lapsed
                released = true;
                opAction = null;
                lapsedToSafe = cfg.onLapse.equals("safe");
                LOG.warn("teleop: deadman lapsed ({} ms without a command): {}", now - opStamp, lapsedToSafe ? "safe command until the operator releases" : "policy resumes");
            }
            if (lapsedToSafe) {
                who = Actor.SAFE;
                for (int i = 0; i < executed.length; i++) {
                    double hold = hasExecuted ? lastExecuted[i] : policyAction[i];
                    executed[i] = (float) (holdPosition ? hold : Math.max(low[i], Math.min(high[i], 0.0)));
                }
            } else {
                who = Actor.POLICY;
            }
        }
        float[] out = who == Actor.POLICY ? policyAction : executed;
        System.arraycopy(out, 0, lastExecuted, 0, lastExecuted.length);
        hasExecuted = true;
        lastActor = who;
        return who;
    }

    public synchronized Actor lastActor() {
        return lastActor;
    }

    public synchronized long accepted() {
        return accepted;
    }

    public synchronized long rejectedCount() {
        return rejected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public synchronized String lastRejection() {
        return lastRejection;
    }

    public synchronized Map<String, Long> rejections() {
        Map<String, Long> m = new LinkedHashMap<>();
        rejected.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public List<String> joints() {
        return joints;
    }
}
