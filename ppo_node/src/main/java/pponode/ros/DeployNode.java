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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;
import us.ihmc.ros2.ROS2QosProfile;

/**
 * Runs an exported policy on a robot over ROS 2: joint states in (by name, from any number of
 * topics), the policy at the control rate from the file's metadata, commands out as
 * {@code std_msgs/Float64MultiArray} in the controller's joint order (or, for position
 * controllers, {@code trajectory_msgs/JointTrajectory} with joint names and one point).
 *
 * <p>Safety: commands are clamped to the joint limits; when joint states are older than
 * {@code watchdog_periods} control periods, incomplete or non-finite, the configured safe command
 * goes out instead (zero effort/velocity, or hold position) and the reason is logged; an e-stop
 * ({@code std_msgs/Bool} true) latches the safe command until released (false).
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
    private final ROS2Node node;
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
    private final double[] low, high;
    private final float[] robotObs, policyObs, policyAction, robotAction, lastAction;
    private final double[] measured;
    private volatile double[] target;
    private volatile double[] lastCommand;
    private volatile long published, safeTicks;
    private static final Pattern NUMBERS = Pattern.compile("-?[0-9][0-9.]*");
    static final long SUMMARY_PERIOD_NS = 10_000_000_000L;
    private final double rateHz;
    private final DiagnosticsPublisher diagnostics; // null with diagnostics_period_ms 0
    private long reportedAtNanos = System.nanoTime(), reportedPublished, reportedSafe;
    private String lastCause = "";
    private long safeSince, lastSummaryNanos;

    public DeployNode(RosParams p, OnnxPolicy policy, RobotTask task) {
        this.policy = policy;
        this.task = task;
        this.params = p;
        remap = Compatibility.check(policy, task, Deployment.metadata(p.task));
        assembler = new JointStateAssembler(task, p);
        double rate = Double.parseDouble(policy.metadata().get("ppo_node.control_rate_hz"));
        int n = task.actuatedJoints.size();
        Space.Box limits = task.actionSpace(); // the command interface's URDF limits
        low = new double[n];
        high = new double[n];
        for (int i = 0; i < n; i++) {
            low[i] = limits.low()[i];
            high[i] = limits.high()[i];
        }
        gate = new SafetyGate(task.commandInterface, low, high, rateLimits(p, task), p.lowPassAlpha, 1.0 / rate);
        timeoutNanos = Math.round(p.watchdogPeriods * 1e9 / rate);
        robotObs = new float[policy.observationSize()];
        policyObs = new float[policy.observationSize()];
        policyAction = new float[n];
        robotAction = new float[n];
        lastAction = new float[n];
        measured = new double[n];
        node = Ros2.node(p);
        onMessage = p.trigger.equals("joint_state");
        syncWindowNanos = Math.round(p.syncWindowMs * 1e6);
        Ros2.subscribeJointStates(node, input, p, assembler, now -> {
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

    /** Each e-stop writer's newest sample applied (its sequence number): a copy or an older one is ignored. */
    private final Map<String, Long> estopSequence = new HashMap<>();

    private synchronized void onEstop(boolean engaged, String writer, long sequence) {
        Long seen = estopSequence.get(writer);
        if (seen != null && sequence <= seen) return;
        estopSequence.put(writer, sequence);
        if (engaged != gate.estopLatched()) LOG.warn("deploy: e-stop {}", engaged ? "ENGAGED: publishing the safe command" : "released");
        gate.estop(engaged);
    }

    /**
     * Each joint's command rate limit (per second): max_rate when set (0: none), else, for position
     * commands, the joint's URDF velocity limit, so a command moves no faster than the joint can.
     * (Velocity and effort have no URDF rate limit: none unless max_rate is set.)
     */
    static double[] rateLimits(RosParams p, RobotTask task) {
        double[] limits = new double[task.actuatedJoints.size()];
        for (int i = 0; i < limits.length; i++) {
            if (!Double.isNaN(p.maxRate)) limits[i] = p.maxRate;
            else if (task.commandInterface.equals("position")) limits[i] = task.robot.joint(task.actuatedJoints.get(i)).velocity();
        }
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
                    OnnxPolicy old = swap(OnnxPolicy.load(file));
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

    /**
     * Logs when the node starts or stops sending the safe command, or its cause changes, and every
     * SUMMARY_PERIOD_NS while it stays safe: a stale input is one line, not one per control period.
     * (A reason's numbers, such as the age of a stale state, do not make it a new cause.)
     */
    private void logTransitions() {
        long now = System.nanoTime();
        String cause = gate.safe() ? NUMBERS.matcher(gate.reason()).replaceAll("#") : "ok";
        if (!cause.equals(lastCause)) {
            if (gate.safe()) LOG.warn("deploy: safe command ({}): {}", task.commandInterface.equals("position") ? "hold position" : "zero " + task.commandInterface, gate.reason());
            else LOG.info("deploy: policy in control");
            lastCause = cause;
            safeSince = safeTicks;
            lastSummaryNanos = now;
        } else if (gate.safe() && now - lastSummaryNanos >= SUMMARY_PERIOD_NS) {
            LOG.warn("deploy: still sending the safe command, {} periods so far: {}", safeTicks - safeSince, gate.reason());
            lastSummaryNanos = now;
        }
    }

    /** One control period: observation → policy → safety gate → command. */
    synchronized void tick() {
        if (closed) return; // a joint state arriving during shutdown: the stop command was the last
        JointStateAssembler.Health h = assembler.assemble(System.nanoTime(), timeoutNanos, target, lastAction, robotObs);
        for (int i = 0; i < measured.length; i++) measured[i] = assembler.position(task.actuatedJoints.get(i));
        float[] action = null;
        if (h.ok()) {
            remap.observation(robotObs, policyObs);
            policy.act(policyObs, policyAction);
            remap.action(policyAction, robotAction);
            action = robotAction;
        }
        if (action == null && published == 0 && task.commandInterface.equals("position") && Arrays.stream(measured).anyMatch(Double::isNaN)) {
            // Nothing sent yet and the joints never heard: there is no position to hold, and any
            // number sent to a position controller would move the robot. Stay silent until then.
            // (Later, a joint that turns NaN holds the last command sent.)
            if (!"waiting".equals(lastCause)) {
                LOG.warn("deploy: no command sent until joint states arrive ({})", h.reason());
                lastCause = "waiting";
            }
            safeTicks++;
            return;
        }
        double[] cmd = gate.command(action, h, measured);
        if (gate.safe()) safeTicks++;
        logTransitions();
        for (int i = 0; i < cmd.length; i++) lastAction[i] = (float) (2 * (cmd[i] - low[i]) / (high[i] - low[i]) - 1);
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
        gate.estop(true);
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
        String state = sent == 0 ? "waiting" : gate.estopLatched() ? "estop" : gate.safe() ? "safe" : "policy";
        byte level = state.equals("policy") ? DiagnosticsPublisher.OK : DiagnosticsPublisher.WARN;
        String message = switch (state) {
            case "waiting" -> "no command sent yet: waiting for joint states";
            case "policy" -> "policy in control";
            default -> "safe command: " + gate.reason();
        };
        Map<String, String> v = new LinkedHashMap<>();
        v.put("state", state);
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

    public boolean safe() {
        return gate.safe();
    }

    /** Whether the last observation carried a fresh cmd_vel (false: the robot was commanded to stand still). */
    public boolean commandFresh() {
        return assembler.commandFresh();
    }

    public String reason() {
        return gate.reason();
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
