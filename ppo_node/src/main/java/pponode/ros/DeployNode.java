package pponode.ros;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.env.CommandShaper;
import pponode.env.RobotTask;
import pponode.env.Space;
import pponode.onnx.Compatibility;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxPolicy;
import std_msgs.msg.dds.Bool;
import std_msgs.msg.dds.BoolPubSubType;
import std_msgs.msg.dds.Float64MultiArray;
import std_msgs.msg.dds.Float64MultiArrayPubSubType;
import us.ihmc.pubsub.common.SampleInfo;
import us.ihmc.ros2.ROS2PublisherBasics;
import us.ihmc.ros2.ROS2QosProfile;

/**
 * Runs an exported policy on a robot over ROS 2: joint states in (by name, from any number of
 * topics), the policy at the control rate from the file's metadata, commands out as
 * {@code std_msgs/Float64MultiArray} in the controller's joint order (or, for position
 * controllers, {@code trajectory_msgs/JointTrajectory} with joint names and one point).
 *
 * <p>Safety: what goes out is decided by the {@link DeployStateMachine} (passive, standby,
 * policy, damping, e-stop; its guards move the node to damping on stale or unusable inputs, joints
 * beyond their limits, a tilted base, a non-finite policy output), then shaped by the
 * {@link SafetyGate} (clamped to the joint limits, rate-limited). Every transition goes out on
 * {@code state_topic} with its reason and in /diagnostics; an operator requests states on
 * {@code mode_topic}; an e-stop ({@code std_msgs/Bool} true) latches the safe command until
 * released (false), after which the node is passive.
 */
public final class DeployNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeployNode.class);
    private OnnxPolicy policy; // guarded by this: swapped between control periods
    private final RobotTask task;
    private final RosParams params;
    private Compatibility.Remap remap;
    private Thread watcher;
    private volatile int swaps;
    private final JointStateAssembler assembler;
    private final SafetyGate gate;
    private final DeployStateMachine states;
    private final ROS2PublisherBasics<std_msgs.msg.dds.String> statePub;
    private final std_msgs.msg.dds.String stateMsg = new std_msgs.msg.dds.String();
    private final List<Consumer<DeployStateMachine.Transition>> transitionListeners = new CopyOnWriteArrayList<>();
    private final RosNode node;
    /** Every subscription: what the network sends is dropped and counted, never thrown into the DDS thread. */
    private final NetworkInput input = new NetworkInput();
    private final ROS2PublisherBasics<Float64MultiArray> commandPub; // null with joint_trajectory commands
    private final ROS2PublisherBasics<trajectory_msgs.msg.dds.JointTrajectory> trajectoryPub;
    // one outgoing message each, refilled every tick (publish serialises it at once): a new IDL
    // message per tick is kilobytes of garbage (sequences are preallocated), and at 500 Hz the
    // collections it causes pause the control path for milliseconds
    private final Float64MultiArray commandMsg = new Float64MultiArray();
    private final trajectory_msgs.msg.dds.JointTrajectory trajectoryMsg = new trajectory_msgs.msg.dds.JointTrajectory();
    private final int periodNanos;
    private final ControlLoop loop; // null when acting on every joint state
    private final boolean onMessage;
    private final long timeoutNanos;
    private final Space.Box actionSpace;
    private final float[] robotObs, policyObs, policyAction, robotAction, lastAction;
    private final double[] measured, velocity, effort, rollPitch = new double[2];
    private volatile double[] target;
    private volatile double[] lastCommand;
    private volatile long published, safeTicks;
    private static final Pattern NUMBERS = Pattern.compile("-?[0-9][0-9.]*");
    static final long SUMMARY_PERIOD_NS = 10_000_000_000L;
    private final double rateHz;
    private final DiagnosticsPublisher diagnostics; // null with diagnostics_period_ms 0
    private long reportedAtNanos = System.nanoTime(), reportedPublished, reportedSafe;
    private long lastSummaryNanos;
    private boolean waitingLogged;

    public DeployNode(RosParams p, OnnxPolicy policy, RobotTask task) {
        this.policy = policy;
        this.task = task;
        this.params = p;
        remap = Compatibility.check(policy, task, Deployment.metadata(p.task));
        assembler = new JointStateAssembler(task, p);
        double rate = Double.parseDouble(policy.metadata().get("ppo_node.control_rate_hz"));
        int n = task.actuatedJoints.size();
        actionSpace = task.actionSpace(); // the command interface's URDF limits
        gate = new SafetyGate(CommandShaper.forTask(task, rateLimits(p, task), p.lowPassAlpha, rate));
        timeoutNanos = Math.round(p.watchdogPeriods * 1e9 / rate);
        robotObs = new float[policy.observationSize()];
        policyObs = new float[policy.observationSize()];
        policyAction = new float[n];
        robotAction = new float[n];
        lastAction = new float[n];
        measured = new double[n];
        logPosition = new double[n];
        logVelocity = new double[n];
        logEffort = new double[n];
        velocity = new double[n];
        effort = new double[n];
        states = new DeployStateMachine(task.commandInterface, task.actuatedJoints, guardLimits(p, task), home(task), dampingKd(p, task),
                (int) Math.round(p.standbyS * rate), p.autoEngage,
                (int) Math.round(p.autoEngageAfterS * rate));
        node = Ros2.node(p);
        var st = new std_msgs.msg.dds.StringPubSubType();
        statePub = node.createPublisher(st, node.createPublisherAttributes(st, p.resolve(p.stateTopic), Ros2.latched()));
        input.subscribe(node, new std_msgs.msg.dds.StringPubSubType(), p.resolve(p.modeTopic), Ros2.anyWriter(), sub -> {
            std_msgs.msg.dds.String m = sub.takeNextData();
            if (m != null) onModeRequest(m.getDataAsString(), p.resolve(p.modeTopic));
        });
        onMessage = p.trigger.equals("joint_state");
        syncWindowNanos = Math.round(p.syncWindowMs * 1e6);
        Ros2.subscribeJointStates(node, input, p, assembler, now -> {
            CommandLog log = record;
            if (log != null) logJointState(log, now);
            if (onMessage) jointStateArrived(now);
        });
        Ros2.subscribeTarget(node, input, p, g -> target = g);
        Ros2.subscribeBase(node, input, p, task, assembler, () -> {
            if (onMessage) actWhenSynced(0);
        });
        // Two readers: the latched one hands over an e-stop published before this node started; the
        // best-effort volatile one matches every other publisher (a volatile writer cannot match a
        // transient-local reader, so `ros2 topic pub` alone would go unheard). A sample both readers
        // deliver, or one of a writer's that arrives after its newer one, is applied once: by writer
        // and sequence number (source timestamps of different DDS implementations do not compare).
        for (ROS2QosProfile qos : List.of(Ros2.latched(), Ros2.anyWriter())) {
            input.subscribe(node, new BoolPubSubType(), p.resolve(p.estopTopic), qos, sub -> {
                SampleInfo info = new SampleInfo();
                Bool m = sub.takeNextData(info);
                if (m != null) onEstop(m.getData(), info.getSampleIdentity().getGuid().toString(), info.getSampleIdentity().getSequenceNumber().get());
            });
        }
        String cmdTopic = p.resolve(p.commandTopic(task.commandInterface));
        periodNanos = (int) Math.round(1e9 / rate);
        if (p.commandType.equals("joint_trajectory")) {
            if (!task.commandInterface.equals("position")) {
                throw new IllegalArgumentException("command_type joint_trajectory needs a position interface; task " + task.name + " commands " + task.commandInterface);
            }
            for (String j : task.actuatedJoints) trajectoryMsg.getJointNames().add(j);
            trajectoryMsg.getPoints().add().getTimeFromStart().setNanosec(periodNanos);
            var jt = new trajectory_msgs.msg.dds.JointTrajectoryPubSubType();
            trajectoryPub = node.createPublisher(jt, node.createPublisherAttributes(jt, cmdTopic, Ros2.qos(p.commandQos)));
            commandPub = null;
        } else {
            Float64MultiArrayPubSubType fa = new Float64MultiArrayPubSubType();
            commandPub = node.createPublisher(fa, node.createPublisherAttributes(fa, cmdTopic, Ros2.qos(p.commandQos)));
            trajectoryPub = null;
        }
        rateHz = rate;
        diagnostics = p.diagnosticsPeriodMs > 0
                ? new DiagnosticsPublisher(node, p.fullyQualifiedName() + ": control", task.name, p.diagnosticsPeriodMs, this::diagnosticStatus)
                : null;
        loop = onMessage ? null : new ControlLoop("deploy-" + task.name, rate, p.threadPriority, this::tick);
        LOG.info("deploy: {} on {} (domain {}): joint states from {}, commands to {} at {} Hz, watchdog {} ms", policy.path().getFileName(), task.name,
                p.domain(), p.resolvedJointStateTopics(), cmdTopic, rate, timeoutNanos / 1e6);
    }

    // trigger joint_state: the joint state not yet acted on (its receive time, 0: none), waiting for the base readings of its instant
    private final long syncWindowNanos;
    private final Object syncLock = new Object();
    private long pendingSince;
    private volatile long unsyncedTicks;
    private final ScheduledExecutorService syncTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "deploy-sync");
        t.setDaemon(true);
        return t;
    });

    /** trigger joint_state: acts on this joint state once the IMU and odometry of its instant are in, or when the sync window ends. */
    private void jointStateArrived(long now) {
        synchronized (syncLock) {
            pendingSince = now;
        }
        if (!actWhenSynced(0) && syncWindowNanos > 0 && !closed) {
            syncTimer.schedule(() -> actWhenSynced(now), syncWindowNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Ticks for the pending joint state if the base caught up, or if it is the one received at
     * {@code windowOverFor} (its window ended; 0: none); true if nothing is left pending.
     */
    private boolean actWhenSynced(long windowOverFor) {
        synchronized (syncLock) {
            if (pendingSince == 0) return true;
            boolean synced = assembler.baseCaughtUp();
            if (!synced && pendingSince != windowOverFor && syncWindowNanos > 0) return false;
            if (!synced) unsyncedTicks++;
            pendingSince = 0;
        }
        tick();
        return true;
    }

    /** trigger joint_state: periods acted on after the sync window without the base readings of the joint state's instant. */
    public long unsyncedTicks() {
        return unsyncedTicks;
    }

    private volatile CommandLog record;
    private final double[] logPosition, logVelocity, logEffort;

    /** Records every joint state from now on, with the command in force, into {@code log} (the caller closes it): data to fit an actuator net. */
    public void record(CommandLog log) {
        record = log;
    }

    private void logJointState(CommandLog log, long now) {
        synchronized (logPosition) {
            for (int i = 0; i < logPosition.length; i++) {
                String j = task.actuatedJoints.get(i);
                logPosition[i] = assembler.position(j);
                logVelocity[i] = assembler.velocity(j);
                logEffort[i] = assembler.effort(j);
            }
            log.write(now, lastCommand, logPosition, logVelocity, logEffort);
        }
    }

    /** Each e-stop writer's newest sample applied (its sequence number): a copy or an older one is ignored. */
    private final Map<String, Long> estopSequence = new HashMap<>();

    private synchronized void onEstop(boolean engaged, String writer, long sequence) {
        Long seen = estopSequence.get(writer);
        if (seen != null && sequence <= seen) return;
        estopSequence.put(writer, sequence);
        states.estop(engaged, params.resolve(params.estopTopic));
        reportTransitions();
    }

    /** An operator's request for a state (passive, standby, policy, damping) from {@code source} (a topic, a teleop channel); applied at the next control period. */
    public void requestState(String state, String source) {
        onModeRequest(state, source);
    }

    /** The e-stop of {@code channel} other than the e-stop topic (a teleop channel), set by {@code source}; the topic's own stays as it is. */
    public synchronized void estop(boolean engaged, String channel, String source) {
        states.estop(engaged, channel, source);
        reportTransitions();
    }

    /** An operator's request on the mode topic; applied at the next control period. */
    private synchronized void onModeRequest(String text, String topic) {
        DeployStateMachine.State s = DeployStateMachine.State.requested(text);
        if (s == null) {
            LOG.warn("deploy: request '{}' on {} ignored: a state is passive, standby, policy or damping", text.length() > 40 ? text.substring(0, 40) + "..." : text, topic);
            return;
        }
        states.request(s, topic);
    }

    /** Calls {@code listener} with every state transition (and refused request), on the control thread: it must not block. */
    public void onTransition(Consumer<DeployStateMachine.Transition> listener) {
        transitionListeners.add(listener);
    }

    /** Publishes, logs and hands on the transitions since the last call. */
    private void reportTransitions() {
        for (DeployStateMachine.Transition t : states.drainTransitions()) {
            lastSummaryNanos = System.nanoTime(); // a state's reminders count from its transition
            boolean alarm = t.to() == DeployStateMachine.State.DAMPING || t.to() == DeployStateMachine.State.ESTOP || t.from() == t.to();
            if (alarm) LOG.warn("deploy: {}", t);
            else LOG.info("deploy: {}", t);
            stateMsg.setData(t.to().wire() + ": " + (t.reason().length() > 200 ? t.reason().substring(0, 200) + "..." : t.reason()));
            statePub.publish(stateMsg);
            for (Consumer<DeployStateMachine.Transition> l : transitionListeners) l.accept(t);
        }
    }

    /** The guards' limits: the URDF's per actuated joint, with the node's margins and factors. */
    static DeployStateMachine.Limits guardLimits(RosParams p, RobotTask task) {
        int n = task.actuatedJoints.size();
        double[] lower = new double[n], upper = new double[n], vmax = new double[n], emax = new double[n];
        for (int i = 0; i < n; i++) {
            var j = task.robot.joint(task.actuatedJoints.get(i));
            lower[i] = j.lower();
            upper[i] = j.upper();
            vmax[i] = j.velocity() > 0 ? p.guardVelocityFactor * j.velocity() : Double.POSITIVE_INFINITY;
            emax[i] = j.effort() > 0 ? p.guardEffortFactor * j.effort() : Double.POSITIVE_INFINITY;
        }
        return new DeployStateMachine.Limits(lower, upper, p.guardPositionMargin, vmax, emax, task.floatingBase ? p.guardMaxTilt : Double.NaN);
    }

    /** The pose standby moves to: the task's default joint positions, actuated-joint order. */
    static double[] home(RobotTask task) {
        double[] h = new double[task.actuatedJoints.size()];
        for (int i = 0; i < h.length; i++) h[i] = task.defaultJointPos[task.robot.movableJoints().indexOf(task.robot.joint(task.actuatedJoints.get(i)))];
        return h;
    }

    static double[] dampingKd(RosParams p, RobotTask task) {
        double[] kd = new double[task.actuatedJoints.size()];
        for (int i = 0; i < kd.length; i++) kd[i] = !Double.isNaN(p.dampingKd) ? p.dampingKd : task.kd != null ? task.kd[i] : 1.0;
        return kd;
    }

    /**
     * Each joint's command rate limit (per second): max_rate when set (0: none), else, for position
     * commands, the joint's URDF velocity limit, so a command moves no faster than the joint can.
     * (Velocity and effort have no URDF rate limit: none unless max_rate is set.)
     */
    static double[] rateLimits(RosParams p, RobotTask task) {
        double[] limits = CommandShaper.urdfRateLimits(task); // what training applied
        if (!Double.isNaN(p.maxRate)) Arrays.fill(limits, p.maxRate);
        return limits;
    }

    public DeployNode start() {
        policy.resetState();
        if (loop != null) loop.start();
        // the DDS threads carry joint states in and commands out: they get the control loop's priority too
        String rt = RealtimeThreads.promoteDds(params.threadPriority);
        if (rt != null) LOG.warn("deploy: DDS threads run without real-time priority: {}", rt);
        else if (params.threadPriority > 0) LOG.info("deploy: control and DDS threads at SCHED_FIFO priority {}", params.threadPriority);
        if (params.watchPolicy) startWatcher(policy.path());
        return this;
    }

    /**
     * Makes {@code next} the running policy from the next control period on. Everything slow
     * (loading, the compatibility check, ONNX Runtime's first run) happens here, on the caller's
     * thread; the control loop only waits for a reference assignment. Returns the previous policy,
     * for the caller to close. A policy for another robot, task, rate or layout is refused.
     */
    public OnnxPolicy swap(OnnxPolicy next) {
        Compatibility.Remap r = Compatibility.check(next, task, Deployment.metadata(params.task));
        if (!next.metadata().get("ppo_node.control_rate_hz").equals(policy.metadata().get("ppo_node.control_rate_hz"))) {
            throw new IllegalArgumentException("cannot swap to " + next.path() + ": control rate " + next.metadata().get("ppo_node.control_rate_hz")
                    + " Hz differs from the running " + policy.metadata().get("ppo_node.control_rate_hz") + " Hz");
        }
        next.act(new float[next.observationSize()], new float[task.actuatedJoints.size()]); // first run allocates; not in a control period
        next.resetState();
        OnnxPolicy old;
        synchronized (this) {
            old = policy;
            policy = next;
            remap = r;
        }
        swaps++;
        LOG.info("deploy: swapped in {} (version {})", next.path().getFileName(), next.metadata().getOrDefault("ppo_node.policy_version", "?"));
        return old;
    }

    public int swaps() {
        return swaps;
    }

    /** Polls the policy file; a replaced file (atomically renamed into place by an export) is loaded and swapped in. */
    private void startWatcher(Path file) {
        watcher = new Thread(() -> {
            long seen = modified(file);
            while (!closed) {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
                long m = modified(file);
                if (m == seen) continue;
                seen = m;
                try {
                    OnnxPolicy old = swap(OnnxPolicy.load(file, OnnxPolicy.Runtime.named(params.onnxRuntime)));
                    if (old != policy) old.close();
                } catch (Exception e) {
                    LOG.error("deploy: keeping the running policy; the new {} was refused: {}", file, e.getMessage());
                }
            }
        }, "deploy-policy-watch");
        watcher.setDaemon(true);
        watcher.setPriority(Thread.MIN_PRIORITY);
        watcher.start();
    }

    private static long modified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis() ^ Files.size(f) ^ Files.readAttributes(f,
                    BasicFileAttributes.class).fileKey().hashCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** One control period: readings → state machine (and the policy, in POLICY) → safety gate → command. */
    synchronized void tick() {
        if (closed) return; // a joint state arriving during shutdown: the stop command was the last
        JointStateAssembler.Health h = assembler.assemble(System.nanoTime(), timeoutNanos, target, lastAction, robotObs);
        for (int i = 0; i < measured.length; i++) {
            String j = task.actuatedJoints.get(i);
            measured[i] = assembler.position(j);
            velocity[i] = assembler.velocity(j);
            effort[i] = assembler.effort(j);
        }
        assembler.rollPitch(rollPitch);
        DeployStateMachine.Reading r = new DeployStateMachine.Reading(h, measured, velocity, effort, rollPitch[0], rollPitch[1]);
        float[] action = null;
        DeployStateMachine.State before = states.state();
        if (states.advance(r) == DeployStateMachine.State.POLICY && before != DeployStateMachine.State.POLICY) {
            // the policy starts as an episode does in training: its history is this period's observation
            assembler.restartHistory();
            h = assembler.assemble(System.nanoTime(), timeoutNanos, target, lastAction, robotObs);
        }
        if (states.state() == DeployStateMachine.State.POLICY && h.ok()) {
            remap.observation(robotObs, policyObs);
            policy.act(policyObs, policyAction);
            remap.action(policyAction, robotAction);
            action = robotAction;
        }
        DeployStateMachine.Decision d = states.decide(r, action);
        reportTransitions();
        if (!d.publish()) {
            safeTicks++;
            return;
        }
        if (published == 0 && task.commandInterface.equals("position") && Arrays.stream(measured).anyMatch(Double::isNaN)) {
            // Nothing sent yet and the joints never heard: there is no position to hold, and any
            // number sent to a position controller would move the robot. Stay silent until then.
            // (Later, a joint that turns NaN holds the last command sent.)
            if (!waitingLogged) LOG.warn("deploy: no command sent until joint states arrive ({})", h.reason());
            waitingLogged = true;
            safeTicks++;
            return;
        }
        double[] cmd = gate.command(d.wish(), d.wish() == null ? new JointStateAssembler.Health(false, d.reason()) : JointStateAssembler.Health.OK, measured);
        if (d.state() != DeployStateMachine.State.POLICY || gate.safe()) safeTicks++;
        long now = System.nanoTime();
        if (d.state() != DeployStateMachine.State.POLICY && d.state() != DeployStateMachine.State.STANDBY && now - lastSummaryNanos >= SUMMARY_PERIOD_NS) {
            LOG.warn("deploy: still {}: {}", d.state().wire(), d.reason());
            lastSummaryNanos = now;
        }
        for (int i = 0; i < cmd.length; i++) lastAction[i] = actionSpace.normalized(i, cmd[i]); // as the training environment keeps it
        publish(cmd);
    }

    private void publish(double[] cmd) {
        if (trajectoryPub != null) { // one point, reached one control period from now
            var positions = trajectoryMsg.getPoints().get(0).getPositions();
            positions.resetQuick();
            for (double c : cmd) positions.add(c);
            trajectoryPub.publish(trajectoryMsg);
        } else {
            commandMsg.getData().resetQuick();
            for (double c : cmd) commandMsg.getData().add(c);
            commandPub.publish(commandMsg);
        }
        lastCommand = cmd;
        published++;
    }

    /**
     * The last commands before the node goes away: the safe one (hold position, or zero
     * effort/velocity), so a controller that keeps its last command does not keep the policy's.
     * Nothing if nothing was ever sent (a position controller that never heard from us stays put).
     */
    private synchronized void publishStopCommand() {
        if (published == 0) return;
        for (int i = 0; i < measured.length; i++) measured[i] = assembler.position(task.actuatedJoints.get(i));
        JointStateAssembler.Health stopping = new JointStateAssembler.Health(false, "shutting down");
        // the stop ramps to its target at the rate limit (at most a second of periods), then goes out
        // three more times, so it is not one datagram sent just before the participant goes
        int settledFor = 0;
        for (int k = 0; settledFor < 3 && k < Math.max(3, Math.round(1e9 / periodNanos)); k++) {
            if (k > 0) LockSupport.parkNanos(periodNanos);
            publish(gate.command(null, stopping, measured));
            safeTicks++;
            settledFor = gate.settled() ? settledFor + 1 : 0;
        }
    }

    /**
     * The node's health since the previous report: the command rate achieved, missed deadlines,
     * whether the policy or the safe command is in control and why, dropped input, the policy.
     */
    private DiagnosticsPublisher.Status diagnosticStatus() {
        long now = System.nanoTime(), sent = published, safe = safeTicks;
        double seconds = (now - reportedAtNanos) / 1e9;
        double rate = (sent - reportedPublished) / seconds;
        long safeSinceReport = safe - reportedSafe;
        reportedAtNanos = now;
        reportedPublished = sent;
        reportedSafe = safe;
        DeployStateMachine.State state;
        String reason;
        synchronized (this) {
            state = states.state();
            reason = states.reason();
        }
        byte level = switch (state) {
            case POLICY -> gate.safe() ? DiagnosticsPublisher.WARN : DiagnosticsPublisher.OK;
            case PASSIVE, STANDBY -> DiagnosticsPublisher.WARN;
            case DAMPING, ESTOP -> DiagnosticsPublisher.ERROR;
        };
        String message = state != DeployStateMachine.State.POLICY ? state.wire() + ": " + reason : gate.safe() ? "policy: safe command: " + gate.reason() : "policy in control";
        Map<String, String> v = new LinkedHashMap<>();
        v.put("state", state.wire());
        v.put("state_reason", reason);
        v.put("command_rate_hz", String.format(Locale.ROOT, "%.1f", rate));
        v.put("target_rate_hz", String.format(Locale.ROOT, "%.1f", rateHz));
        v.put("missed_deadlines", String.valueOf(missedDeadlines()));
        v.put("safe_periods_since_last_report", String.valueOf(safeSinceReport));
        v.put("stale_inputs", String.valueOf(!gate.reason().equals("ok") && gate.reason().contains("stale")));
        v.put("dropped_messages", String.valueOf(input.dropped()));
        v.put("clamped_velocity_commands", String.valueOf(assembler.clampedCommands()));
        if (onMessage) v.put("unsynced_periods", String.valueOf(unsyncedTicks));
        v.put("commands_published", String.valueOf(sent));
        OnnxPolicy running;
        synchronized (this) {
            running = policy;
        }
        v.put("policy", running.path().getFileName().toString());
        v.put("policy_version", running.metadata().getOrDefault("ppo_node.policy_version", "0"));
        return new DiagnosticsPublisher.Status(level, message, v);
    }

    /** The latest target received (world frame), or null before the first. */
    public double[] target() {
        double[] t = target;
        return t == null ? null : t.clone();
    }

    /** Whether something other than the policy is in control (any state but POLICY, or the gate's safe command in it). */
    public boolean safe() {
        synchronized (this) {
            return states.state() != DeployStateMachine.State.POLICY || gate.safe();
        }
    }

    public DeployStateMachine.State state() {
        synchronized (this) {
            return states.state();
        }
    }

    /** Whether the last observation carried a fresh cmd_vel (false: the robot was commanded to stand still). */
    public boolean commandFresh() {
        return assembler.commandFresh();
    }

    /** Why the node is in its state (or, in POLICY, why the gate sends its safe command). */
    public String reason() {
        synchronized (this) {
            return states.state() == DeployStateMachine.State.POLICY && gate.safe() ? gate.reason() : states.reason();
        }
    }

    public double[] lastCommand() {
        return lastCommand == null ? null : lastCommand.clone();
    }

    public long published() {
        return published;
    }

    public long safeTicks() {
        return safeTicks;
    }

    public long missedDeadlines() {
        return loop == null ? 0 : loop.missedDeadlines();
    }

    private volatile boolean closed;

    /** Messages received that could not be taken (oversized or malformed) and were dropped. */
    public long droppedMessages() {
        return input.dropped();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (loop != null) loop.close();
            syncTimer.shutdownNow();
            if (diagnostics != null) diagnostics.close();
            publishStopCommand();
        }
        // Outside the monitor: with trigger joint_state a DDS listener thread may be waiting in tick()
        // for it, and destroying the node waits for that listener to return (a deadlock on Ctrl-C).
        Ros2.destroy(node, input);
    }
}
