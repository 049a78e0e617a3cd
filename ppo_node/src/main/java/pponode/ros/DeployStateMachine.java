package pponode.ros;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;

/**
 * The deploy node's states, as rl_sar and Unitree's deploy code have them:
 * <pre>
 *   PASSIVE ──standby──▶ STANDBY ──policy──▶ POLICY
 *      ▲                   │  ▲                 │
 *      │                   ▼  └───standby───────┤
 *      └────passive──── DAMPING ◀──guard / damping┘        any ──e-stop──▶ ESTOP ──release──▶ PASSIVE
 * </pre>
 * <ul>
 * <li>PASSIVE: no command goes out.
 * <li>STANDBY: from the pose measured on entry to the task's default pose, linearly over
 *     {@code standby_s}, then held there; "policy" is accepted once the pose is reached.
 * <li>POLICY: the policy's command.
 * <li>DAMPING: stiffness zero, damping kept: a position command is the measured position (the
 *     robot's PD then only damps), a velocity command zero, an effort command −kd·velocity.
 * <li>ESTOP: the e-stop's safe command (hold the position, or zero); released, the node is PASSIVE.
 * </ul>
 * Guards, in STANDBY and POLICY, move to DAMPING: stale or unusable inputs, a joint beyond its
 * position limits (by a margin), its velocity or effort limit, the base's roll or pitch beyond a
 * limit (floating base), a non-finite policy output. With {@code auto_engage} the node goes
 * PASSIVE → STANDBY → POLICY by itself once, at start; after that only requests move it out of
 * DAMPING or PASSIVE, so a robot a guard stopped stays stopped until an operator acts.
 * Not thread-safe: the deploy node calls it under its own lock.
 */
public final class DeployStateMachine {
    public enum State {
        PASSIVE, STANDBY, POLICY, DAMPING, ESTOP;

        /** The name on the wire and in parameters: "passive", "standby", ... */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The state a request names ("passive", "standby", "policy" or "damping"), or null. */
        public static State requested(String name) {
            for (State s : List.of(PASSIVE, STANDBY, POLICY, DAMPING)) if (s.wire().equals(name.trim())) return s;
            return null;
        }
    }

    /** A change of state and why. */
    public record Transition(State from, State to, String reason) {
        @Override
        public String toString() {
            return from.wire() + " -> " + to.wire() + ": " + reason;
        }
    }

    /**
     * What a guard checks: per actuated joint the position limits and margin, velocity and effort
     * limits (+∞: none), and the largest roll or pitch of the base (NaN: none; fixed base).
     */
    public record Limits(double[] lower, double[] upper, double positionMargin, double[] maxVelocity, double[] maxEffort, double maxTilt) {}

    /**
     * One control period's readings: the inputs' health, the actuated joints' measured positions,
     * velocities and efforts (NaN: not measured), the base's roll and pitch (NaN: none).
     */
    public record Reading(JointStateAssembler.Health health, double[] position, double[] velocity, double[] effort, double roll, double pitch) {}

    /** What to send: nothing (PASSIVE), a wish for the safety gate, or its safe command (null wish outside PASSIVE). */
    public record Decision(State state, boolean publish, float[] wish, String reason) {}

    private final String commandInterface;
    private final List<String> joints;
    private final Limits limits;
    private final double[] home, dampingKd;
    private final int standbyPeriods;
    private State state = State.PASSIVE;
    private String reason = "starting: waiting for inputs";
    /** auto_engage's one run, passive → standby → policy, still to happen or under way: anything else that happens ends it. */
    private boolean autoPending;
    /** Consecutive control periods with healthy inputs auto_engage waits for. */
    private final int autoEngageAfterPeriods;
    private int healthyPeriods;
    private State requested;
    private String requestedBy;
    private final double[] standbyFrom;
    private int standbyPeriod;
    private final float[] wish;
    private final List<Transition> transitions = new ArrayList<>();
    /** The channels whose e-stop is engaged now. */
    private final Set<String> estopChannels = new LinkedHashSet<>();

    /**
     * {@code joints}: the actuated joints, in the order of every array here; {@code home}: the
     * default pose STANDBY moves to; {@code dampingKd}: the effort interface's damping per joint;
     * {@code standbyPeriods}: control periods of the move; {@code autoEngageAfterPeriods}: how many
     * consecutive periods of healthy inputs auto_engage waits for (so that a latched e-stop from a
     * peer that discovery finds after the robot's joint states is heard before the robot moves).
     */
    public DeployStateMachine(String commandInterface, List<String> joints, Limits limits, double[] home, double[] dampingKd, int standbyPeriods, boolean autoEngage,
            int autoEngageAfterPeriods) {
        this.commandInterface = commandInterface;
        this.joints = List.copyOf(joints);
        this.limits = limits;
        this.home = home.clone();
        this.dampingKd = dampingKd.clone();
        this.standbyPeriods = Math.max(1, standbyPeriods);
        autoPending = autoEngage;
        this.autoEngageAfterPeriods = Math.max(1, autoEngageAfterPeriods);
        standbyFrom = new double[home.length];
        wish = new float[home.length];
    }

    public State state() {
        return state;
    }

    public String reason() {
        return reason;
    }

    /** The transitions since the last call, oldest first (for the state topic, the log and /diagnostics). */
    public List<Transition> drainTransitions() {
        List<Transition> t = List.copyOf(transitions);
        transitions.clear();
        return t;
    }

    /** An operator's request ({@code source}: the topic or channel), applied at the next control period. */
    public void request(State target, String source) {
        requested = target;
        requestedBy = source;
    }

    /** The e-stop from {@code source}, which is its own channel: see {@link #estop(boolean, String, String)}. */
    public void estop(boolean engaged, String source) {
        estop(engaged, source, source);
    }

    /**
     * The e-stop of one {@code channel} (the e-stop topic, a teleop channel), as {@code source}
     * (who, on which channel) set it. Engaged on any channel, every state goes to ESTOP; ESTOP goes
     * to PASSIVE only once every channel that engaged it has released it (a release on one channel
     * does not lift another's).
     */
    public void estop(boolean engaged, String channel, String source) {
        if (engaged) {
            estopChannels.add(channel);
            if (state != State.ESTOP) move(State.ESTOP, "e-stop engaged (" + source + ")");
            return;
        }
        estopChannels.remove(channel);
        if (state != State.ESTOP) return;
        if (estopChannels.isEmpty()) move(State.PASSIVE, "e-stop released (" + source + ")");
        else transitions.add(new Transition(state, state, "e-stop released (" + source + ") but still engaged on " + String.join(", ", estopChannels)));
    }

    /** Whether STANDBY has reached the default pose. */
    public boolean standbyDone() {
        return state == State.STANDBY && standbyPeriod >= standbyPeriods;
    }

    /**
     * The first half of a control period: a pending request, auto-engage and the guards on the
     * readings. The node then runs the policy if the state is POLICY, and calls {@link #decide}.
     */
    public State advance(Reading r) {
        applyRequest(r);
        healthyPeriods = r.health().ok() ? healthyPeriods + 1 : 0;
        if (state == State.PASSIVE && autoPending && healthyPeriods >= autoEngageAfterPeriods) {
            startStandby(r, "auto_engage: inputs healthy");
            autoPending = true;
        }
        if (state == State.STANDBY || state == State.POLICY) {
            String tripped = guard(r);
            if (tripped != null) move(State.DAMPING, tripped);
        }
        if (state == State.STANDBY && autoPending && standbyDone()) move(State.POLICY, "auto_engage: default pose reached");
        return state;
    }

    /** The second half: what to send, given the policy's command (robot joint order; null when it was not run). */
    public Decision decide(Reading r, float[] policyAction) {
        if (state == State.POLICY) {
            for (int i = 0; policyAction != null && i < policyAction.length; i++) {
                if (!Float.isFinite(policyAction[i])) {
                    move(State.DAMPING, "policy output for joint '" + joints.get(i) + "' is " + policyAction[i]);
                    break;
                }
            }
        }
        return switch (state) {
            case PASSIVE -> new Decision(state, false, null, reason);
            case ESTOP -> new Decision(state, true, null, reason);
            case POLICY -> policyAction == null ? new Decision(state, true, null, "no policy output") : new Decision(state, true, policyAction, reason);
            case STANDBY -> standbyWish(r);
            case DAMPING -> dampingWish(r);
        };
    }

    private void applyRequest(Reading r) {
        State target = requested;
        if (target == null) return;
        requested = null;
        String by = " (requested on " + requestedBy + ")";
        if (target == state) return;
        if (state == State.ESTOP) {
            refuse(target, "the e-stop is engaged; release it first" + by);
            return;
        }
        switch (target) {
            case PASSIVE -> move(State.PASSIVE, "operator" + by);
            case DAMPING -> move(State.DAMPING, "operator" + by);
            case STANDBY -> {
                if (!r.health().ok()) refuse(target, "inputs not usable: " + r.health().reason() + by);
                else startStandby(r, "operator" + by);
            }
            case POLICY -> {
                if (state != State.STANDBY) refuse(target, "policy is entered from standby, at the default pose; the node is " + state.wire() + by);
                else if (!standbyDone()) refuse(target, "standby has not reached the default pose yet" + by);
                else move(State.POLICY, "operator" + by);
            }
            default -> throw new IllegalStateException(target.toString());
        }
    }

    private void refuse(State target, String why) {
        transitions.add(new Transition(state, state, "request for " + target.wire() + " refused: " + why));
    }

    private void startStandby(Reading r, String why) {
        for (int i = 0; i < home.length; i++) standbyFrom[i] = Double.isFinite(r.position()[i]) ? r.position()[i] : home[i];
        standbyPeriod = 0;
        move(State.STANDBY, why);
    }

    private void move(State to, String why) {
        autoPending = false;
        transitions.add(new Transition(state, to, why));
        state = to;
        reason = why;
    }

    /** The first guard that trips on the readings, or null. */
    private String guard(Reading r) {
        if (!r.health().ok()) return "inputs: " + r.health().reason();
        for (int i = 0; i < home.length; i++) {
            double q = r.position()[i], qd = r.velocity()[i], tau = r.effort()[i];
            if (q < limits.lower()[i] - limits.positionMargin() || q > limits.upper()[i] + limits.positionMargin()) {
                return String.format(Locale.ROOT, "joint '%s' position %.3f beyond its limits [%.3f, %.3f] by more than %.3f", joints.get(i), q, limits.lower()[i],
                        limits.upper()[i], limits.positionMargin());
            }
            if (Math.abs(qd) > limits.maxVelocity()[i]) {
                return String.format(Locale.ROOT, "joint '%s' velocity %.2f beyond its limit %.2f", joints.get(i), qd, limits.maxVelocity()[i]);
            }
            if (Math.abs(tau) > limits.maxEffort()[i]) {
                return String.format(Locale.ROOT, "joint '%s' effort %.2f beyond its limit %.2f", joints.get(i), tau, limits.maxEffort()[i]);
            }
        }
        if (Math.abs(r.roll()) > limits.maxTilt() || Math.abs(r.pitch()) > limits.maxTilt()) {
            return String.format(Locale.ROOT, "base roll %.2f / pitch %.2f rad beyond %.2f", r.roll(), r.pitch(), limits.maxTilt());
        }
        return null;
    }

    private Decision standbyWish(Reading r) {
        if (standbyPeriod < standbyPeriods) standbyPeriod++;
        double s = (double) standbyPeriod / standbyPeriods;
        for (int i = 0; i < home.length; i++) {
            double goal = standbyFrom[i] + s * (home[i] - standbyFrom[i]);
            wish[i] = (float) switch (commandInterface) {
                case "position" -> goal;
                case "velocity" -> Double.isFinite(r.position()[i]) ? (goal - r.position()[i]) * 5 : 0; // closes the gap with a 0.2 s time constant
                default -> 0; // effort: no gains to move with; standby rests
            };
        }
        return new Decision(state, true, wish, reason);
    }

    private Decision dampingWish(Reading r) {
        for (int i = 0; i < home.length; i++) {
            double q = r.position()[i], qd = r.velocity()[i];
            switch (commandInterface) {
                case "position" -> {
                    if (!Double.isFinite(q)) return new Decision(state, true, null, reason); // nothing measured to follow: the gate holds
                    wish[i] = (float) q;
                }
                case "velocity" -> wish[i] = 0;
                default -> wish[i] = Double.isFinite(qd) ? (float) (-dampingKd[i] * qd) : 0;
            }
        }
        return new Decision(state, true, wish, reason);
    }
}
