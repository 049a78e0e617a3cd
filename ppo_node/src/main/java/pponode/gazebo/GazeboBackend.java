package pponode.gazebo;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.Space;
import pponode.sim.BaseState;
import pponode.sim.RobotBackend;
import pponode.sim.RobotUnavailableException;
import pponode.sim.gazebo.GazeboNode;
import pponode.sim.gazebo.GazeboTimeoutException;
import pponode.sim.gazebo.msgs.Contact;
import pponode.sim.gazebo.msgs.Contacts;
import pponode.sim.gazebo.msgs.Header;
import pponode.sim.gazebo.msgs.Joint;
import pponode.sim.gazebo.msgs.JointWrench;
import pponode.sim.gazebo.msgs.Model;
import pponode.sim.gazebo.msgs.Odometry;
import pponode.sim.gazebo.msgs.Time;
import pponode.sim.gazebo.msgs.Vector3d;
import pponode.sim.gazebo.msgs.WorldControl;
import pponode.sim.gazebo.msgs.WorldReset;
import pponode.sim.urdf.UrdfModel;

/**
 * A Gazebo world as a {@link RobotBackend}, stepped in lockstep through the Gazebo Transport
 * bridge: a {@link RobotEnv} over it has the same task YAML, joints (by name), observations and
 * rewards as over the embedded simulator, so a task trains in either.
 *
 * <p>One control step publishes the commands (gz-sim's joint controller topics), asks
 * {@code /world/<w>/control} for {@code pause + multi_step = decimation} and waits for the
 * {@code joint_state} stamped at the target sim time: the service's {@code true} only means
 * "queued". A reset asks for {@code reset{all}}; where the world rewinds time only (Gazebo
 * Fortress) or the task wants a randomised start, the joints are driven to the start state with a
 * PD loop in lockstep, then time is rewound again.
 *
 * <p>A world that stops answering (crashed, restarted) fails the step it interrupted with a
 * {@link RobotUnavailableException} after {@code step_timeout_ms}: the run decides whether to go on
 * without it. The next reset waits for the world up to {@code reconnect_timeout_ms} and starts in
 * the world that came back; past that timeout the error names the world, partition and topics:
 * never a silent hang.
 */
public final class GazeboBackend implements RobotBackend {
    private static final Logger LOG = LoggerFactory.getLogger(GazeboBackend.class);
    private static final pponode.sim.gazebo.msgs.Boolean BOOL = pponode.sim.gazebo.msgs.Boolean.getDefaultInstance();

    private final RobotTask task;
    private final GazeboSettings cfg;
    private final GazeboNode node;
    private final List<GazeboNode.Publisher<pponode.sim.gazebo.msgs.Double>> commandPubs;
    private final Space.Box actSpace;
    private final double[] cmd;
    private final List<String> joints; // movable joints of the URDF, in URDF order
    private final int[] actIdx; // actuated joints as indices into joints
    private final Map<String, UrdfModel.Chain> chains = new HashMap<>(); // forward kinematics per link asked for
    private final double[] q, qd, effort;
    private final long stepNs;
    private final WorldControl stepRequest;
    private final GazeboNode.SyncSubscriber<Model> states;
    /** A floating base's odometry (gz-sim's OdometryPublisher), read with each joint state; null for a fixed base. */
    private final GazeboNode.SyncSubscriber<Odometry> odometry;
    private final BaseState base = new BaseState();
    /** The contacts of the last physics step (the DART world's, in a world with ground); null when the task has no ground. */
    private final GazeboNode.SyncSubscriber<Contacts> contacts;
    private final Map<String, double[]> contactForces = new HashMap<>();
    private final double[] bodyVelocity = new double[3];
    private Model latest;
    private long simTimeNs;
    private boolean connected, everConnected;
    /** Why the world was last lost (for the error if it does not come back). */
    private String lostCause = "";
    private int worldLosses, restores;
    private boolean startNoiseNoted;

    /** The world for {@code task}: its decimation, command interface, joints and limits. */
    public GazeboBackend(RobotTask task, GazeboSettings cfg) {
        this.task = task;
        this.cfg = cfg.forTask(task);
        actSpace = task.actionSpace();
        cmd = new double[task.actuatedJoints.size()];
        joints = task.robot.movableJoints().stream().map(UrdfModel.Joint::name).toList();
        q = new double[joints.size()];
        qd = new double[joints.size()];
        effort = new double[joints.size()];
        actIdx = task.actuatedJoints.stream().mapToInt(joints::indexOf).toArray();
        stepNs = Math.round(task.decimation * task.physicsDt * 1e9);
        stepRequest = WorldControl.newBuilder().setPause(true).setMultiStep(task.decimation).build();
        node = new GazeboNode(cfg.transport());
        states = node.subscribeSync(cfg.jointStateTopic(), Model.getDefaultInstance());
        odometry = task.floatingBase ? node.subscribeSync(cfg.odometryTopic(), Odometry.getDefaultInstance()) : null;
        boolean ground = task.floatingBase || (task.contact != null && task.contact.ground());
        contacts = ground ? node.subscribeSync(cfg.contactsTopic(), Contacts.getDefaultInstance()) : null;
        commandPubs = task.actuatedJoints.stream()
                .map(j -> node.advertise(cfg.commandTopic(task.commandInterface, j), pponode.sim.gazebo.msgs.Double.getDefaultInstance())).toList();
    }

    public GazeboNode node() {
        return node;
    }

    @Override
    public List<String> joints() {
        return joints;
    }

    /** How often the world was lost and found again, and how often joints had to be driven to the start state. */
    public int worldLosses() {
        return worldLosses;
    }

    public int restores() {
        return restores;
    }

    private String where() {
        return "Gazebo world '" + cfg.world + "' (partition '" + node.options().partition() + "', IP " + node.options().hostIp() + ", service "
                + cfg.controlService() + ", joint states " + cfg.jointStateTopic() + ")";
    }

    @Override
    public void reset(double[] q0, double[] qd0) {
        long deadline = System.currentTimeMillis() + cfg.reconnectTimeoutMs;
        String lostBecause = lostCause;
        while (true) {
            try {
                if (!connected && everConnected) awaitWorld(lostBecause, deadline); // a lost world: its control service first, within the reconnect time
                resetWorld(q0, qd0);
                return;
            } catch (GazeboTimeoutException e) {
                if (!everConnected) throw new IllegalStateException("cannot reach the " + where() + ": " + e.getMessage(), e);
                if (connected) lost(e);
                lostBecause = e.getMessage();
            }
        }
    }

    private void resetWorld(double[] q0, double[] qd0) throws GazeboTimeoutException {
        if (!connected) connect();
        Arrays.fill(cmd, 0);
        publishCommands(false);
        control(WorldControl.newBuilder().setPause(true).setReset(WorldReset.newBuilder().setAll(true)).build());
        Model m = awaitState(0, true);
        read(m);
        if (task.floatingBase) {
            // A legged robot is not driven to a drawn start: it stands on the ground, and its joints
            // sag under the PD. It starts where the world's reset puts it (gazebo-world: the task's
            // stance at reset.base_position), without the task's start noise.
            if (!atStart(q0, qd0) && !startNoiseNoted) {
                startNoiseNoted = true;
                LOG.info("{}: a floating base starts at the world's own reset state, not at the task's drawn start", where());
            }
            return;
        }
        if (!atStart(q0, qd0)) {
            // the world kept its model state (Fortress) or the task starts elsewhere: drive the joints there
            restores++;
            for (int k = 0; !atStart(q0, qd0); k++) {
                if (k >= cfg.restoreMaxSteps) {
                    throw new IllegalStateException(where() + ": could not bring the joints to the start state " + Arrays.toString(q0) + " in "
                            + cfg.restoreMaxSteps + " control steps (now " + Arrays.toString(q) + "); tune restore_kp/restore_kd/restore_pos_tol");
                }
                for (int i = 0; i < cmd.length; i++) {
                    int j = actIdx[i];
                    double e = q0[j] - q[j], ed = qd0[j] - qd[j];
                    double c = switch (task.commandInterface) {
                        case "position" -> q0[j];
                        case "velocity" -> qd0[j] + cfg.restoreKp / Math.max(cfg.restoreKd, 1e-9) * e;
                        default -> cfg.restoreKp * e + cfg.restoreKd * ed;
                    };
                    cmd[i] = Math.max(actSpace.low()[i], Math.min(actSpace.high()[i], c));
                }
                publishCommands(true);
                control(stepRequest);
                read(awaitState(simTimeNs + stepNs, false));
            }
            Arrays.fill(cmd, 0);
            publishCommands(false);
            control(WorldControl.newBuilder().setPause(true).setReset(WorldReset.newBuilder().setTimeOnly(true)).build());
            read(awaitState(0, true));
        }
    }

    private boolean atStart(double[] q0, double[] qd0) {
        for (int i = 0; i < q.length; i++) {
            double dq = q[i] - q0[i];
            if (task.robot.movableJoints().get(i).type() == UrdfModel.JointType.CONTINUOUS) dq = Math.IEEEremainder(dq, 2 * Math.PI);
            if (Math.abs(dq) > cfg.restorePosTol || Math.abs(qd[i] - qd0[i]) > cfg.restoreVelTol) return false;
        }
        return true;
    }

    /**
     * One backend of this JVM connects at a time. With N worlds, N backends connected at once from
     * the vector env's threads, and in one of three clean-clone suite runs one of them heard no
     * joint state for its whole timeout (cause not found). Connecting one after another takes the
     * simultaneous setup of several transport nodes out of the suspects; it costs nothing after.
     */
    private static final Object CONNECTING = new Object();

    private void connect() throws GazeboTimeoutException {
        synchronized (CONNECTING) {
            connectAlone();
        }
    }

    private void connectAlone() throws GazeboTimeoutException {
        long end = System.currentTimeMillis() + cfg.connectTimeoutMs;
        // the world must be reachable both ways: its control service, its joint states, and it subscribed to our commands
        node.request(cfg.controlService(), WorldControl.newBuilder().setPause(true).build(), BOOL, cfg.connectTimeoutMs);
        try {
            for (var p : commandPubs) {
                if (!p.awaitSubscribers(Math.max(1, end - System.currentTimeMillis()))) {
                    throw new GazeboTimeoutException(where() + ": the world does not subscribe to our command topics within " + cfg.connectTimeoutMs
                            + " ms; is the model's joint controller plugin loaded (" + cfg.commandTopic(task.commandInterface, task.actuatedJoints.get(0)) + ")?");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GazeboTimeoutException("interrupted while connecting to " + where());
        }
        // Tell the world, well before the first step, that every joint's commands come stamped: one
        // stamped for no time it will reach (−1 s). A world that honours stamps then waits for each
        // joint's command from the first step on, not only for joints it has heard a stamp from.
        Arrays.fill(cmd, 0);
        publishCommands(-1_000_000_000L);
        // and its joint states flowing to us, before a reset whose state must not be missed
        Model first = states.receive(Math.max(1, end - System.currentTimeMillis()));
        if (first == null) {
            throw new GazeboTimeoutException(where() + ": no joint states within " + cfg.connectTimeoutMs + " ms; is the JointStatePublisher system loaded for model '"
                    + cfg.model + "'?");
        }
        latest = first;
        connected = true;
        everConnected = true;
        LOG.info("connected to {}", where());
    }

    /** The world stopped answering: counted and said once; the next reset waits for it. */
    private void lost(GazeboTimeoutException cause) {
        connected = false;
        worldLosses++;
        lostCause = cause.getMessage();
        LOG.warn("{} stopped answering ({})", where(), cause.getMessage());
    }

    /** Returns once the lost world's control service answers; past {@code deadline} the world is unavailable. */
    private void awaitWorld(String cause, long deadline) {
        LOG.info("waiting up to {} s for {} to come back", Math.max(0, deadline - System.currentTimeMillis()) / 1000, where());
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new RobotUnavailableException(where() + " was lost and did not come back within " + cfg.reconnectTimeoutMs + " ms: " + cause);
            }
            try {
                node.request(cfg.controlService(), WorldControl.newBuilder().setPause(true).build(), BOOL, Math.min(left, cfg.stepTimeoutMs));
                LOG.info("{} is back", where());
                return;
            } catch (GazeboTimeoutException again) {
                // keep waiting: after a crash the dead process is forgotten after 3 s of silence
            }
        }
    }

    @Override
    public boolean step(double[] commands) {
        System.arraycopy(commands, 0, cmd, 0, cmd.length);
        try {
            publishCommands(true);
            control(stepRequest);
            read(awaitState(simTimeNs + stepNs, false));
            return true;
        } catch (GazeboTimeoutException e) {
            lost(e);
            String detail = e.getMessage().startsWith(where() + ": ") ? e.getMessage().substring(where().length() + 2) : e.getMessage();
            throw new RobotUnavailableException(where() + " stopped answering: " + detail, e);
        }
    }

    /**
     * The commands, each stamped with the sim time it is meant for: a world that honours the stamp
     * (the DART world) starts the next multi_step only once they are in, so a run repeats exactly;
     * gz-sim's controllers ignore it. Commands no step follows (the zeros before a reset) go
     * unstamped: they must not stand in for the ones the next step waits for.
     */
    private void publishCommands(boolean forTheNextStep) {
        publishCommands(forTheNextStep ? Long.valueOf(simTimeNs) : null);
    }

    /** The commands stamped {@code stampNs} (null: unstamped). */
    private void publishCommands(Long stampNs) {
        Header stamp = stampNs == null ? null
                : Header.newBuilder().setStamp(Time.newBuilder().setSec(Math.floorDiv(stampNs, 1_000_000_000L)).setNsec((int) Math.floorMod(stampNs, 1_000_000_000L))).build();
        for (int i = 0; i < cmd.length; i++) {
            var c = pponode.sim.gazebo.msgs.Double.newBuilder().setData(cmd[i]);
            if (stamp != null) c.setHeader(stamp);
            commandPubs.get(i).publish(c.build());
        }
    }

    private void control(WorldControl req) throws GazeboTimeoutException {
        pponode.sim.gazebo.msgs.Boolean ok = node.request(cfg.controlService(), req, BOOL, cfg.stepTimeoutMs);
        if (ok == null || !ok.getData()) throw new IllegalStateException(where() + " refused " + req.toString().replace('\n', ' '));
    }

    /**
     * The first joint state stamped at {@code stampNs} or later ({@code exact}: at exactly it, for
     * a reset to 0) that arrived after this call.
     */
    private Model awaitState(long stampNs, boolean exact) throws GazeboTimeoutException {
        long end = System.nanoTime() + cfg.stepTimeoutMs * 1_000_000L;
        Model m = latest;
        while (true) {
            if (m != null) {
                long s = stamp(m);
                if (exact ? s == stampNs : s >= stampNs) {
                    if (!exact && s > stampNs + stepNs / 2) {
                        throw new IllegalStateException(where() + ": a multi_step of " + task.decimation + " iterations advanced sim time to " + s
                                + " ns, expected " + stampNs + " ns: the world's physics step differs from the task's physics_dt " + task.physicsDt + " s");
                    }
                    simTimeNs = s;
                    latest = m;
                    if (odometry != null) readBase(s, end);
                    if (contacts != null) readContacts(s, end);
                    return m;
                }
            }
            long left = end - System.nanoTime();
            Model next = left > 0 ? states.receive(Math.max(1, left / 1_000_000)) : null;
            if (next == null && System.nanoTime() >= end) {
                throw new GazeboTimeoutException(where() + ": no joint state stamped " + (exact ? "at " : "at or after ") + stampNs / 1e9 + " s within "
                        + cfg.stepTimeoutMs + " ms" + (m == null ? " (none received at all)" : " (last at " + m.getHeader().getStamp().getSec() + " s "
                        + m.getHeader().getStamp().getNsec() + " ns)"));
            }
            if (next != null) m = next;
        }
    }

    private static long stamp(Model m) {
        return stamp(m.getHeader());
    }

    private static long stamp(Header h) {
        return h.getStamp().getSec() * 1_000_000_000L + h.getStamp().getNsec();
    }

    /** The base's state from the odometry stamped {@code stampNs} (the world publishes it with each joint state). */
    private void readBase(long stampNs, long endNanos) throws GazeboTimeoutException {
        while (true) {
            long left = endNanos - System.nanoTime();
            Odometry o = left > 0 ? odometry.receive(Math.max(1, left / 1_000_000)) : null;
            if (o == null) {
                throw new GazeboTimeoutException(where() + ": no odometry stamped at " + stampNs / 1e9 + " s on " + cfg.odometryTopic() + " within " + cfg.stepTimeoutMs
                        + " ms; is the OdometryPublisher system loaded for model '" + cfg.model + "'?");
            }
            if (stamp(o.getHeader()) != stampNs) continue; // an earlier one still queued (or one of the timeline before a reset)
            var p = o.getPose();
            base.position[0] = p.getPosition().getX();
            base.position[1] = p.getPosition().getY();
            base.position[2] = p.getPosition().getZ();
            base.orientation[0] = p.getOrientation().getW();
            base.orientation[1] = p.getOrientation().getX();
            base.orientation[2] = p.getOrientation().getY();
            base.orientation[3] = p.getOrientation().getZ();
            // gz-sim's odometry twist is in the robot's frame; BaseState keeps the world's
            var t = o.getTwist();
            bodyVelocity[0] = t.getLinear().getX();
            bodyVelocity[1] = t.getLinear().getY();
            bodyVelocity[2] = t.getLinear().getZ();
            base.toWorld(bodyVelocity, base.linearVelocity);
            bodyVelocity[0] = t.getAngular().getX();
            bodyVelocity[1] = t.getAngular().getY();
            bodyVelocity[2] = t.getAngular().getZ();
            base.toWorld(bodyVelocity, base.angularVelocity);
            return;
        }
    }

    /** Each link's summed contact force (world frame) from the contacts stamped {@code stampNs}. */
    private void readContacts(long stampNs, long endNanos) throws GazeboTimeoutException {
        while (true) {
            long left = endNanos - System.nanoTime();
            Contacts c = left > 0 ? contacts.receive(Math.max(1, left / 1_000_000)) : null;
            if (c == null) {
                throw new GazeboTimeoutException(where() + ": no contacts stamped at " + stampNs / 1e9 + " s on " + cfg.contactsTopic() + " within " + cfg.stepTimeoutMs + " ms");
            }
            if (stamp(c.getHeader()) != stampNs) continue; // an earlier one still queued
            for (double[] f : contactForces.values()) Arrays.fill(f, 0);
            for (Contact contact : c.getContactList()) {
                for (JointWrench w : contact.getWrenchList()) {
                    add(w.getBody1Name(), w.getBody1Wrench().getForce());
                    add(w.getBody2Name(), w.getBody2Wrench().getForce());
                }
            }
            return;
        }
    }

    private void add(String link, Vector3d f) {
        double[] sum = contactForces.computeIfAbsent(link, l -> new double[3]);
        sum[0] += f.getX();
        sum[1] += f.getY();
        sum[2] += f.getZ();
    }

    @Override
    public boolean reportsContacts() {
        return contacts != null;
    }

    @Override
    public void contactForce(String link, double[] out) {
        double[] f = contactForces.get(link);
        if (f == null) Arrays.fill(out, 0, 3, 0);
        else System.arraycopy(f, 0, out, 0, 3);
    }

    @Override
    public void baseState(BaseState out) {
        if (odometry == null) out.setFixed();
        else out.copyFrom(base);
    }

    private final Map<String, Integer> index = new HashMap<>();

    private void read(Model m) {
        boolean[] seen = new boolean[joints.size()];
        for (Joint j : m.getJointList()) {
            Integer i = index.computeIfAbsent(j.getName(), n -> joints.indexOf(n));
            if (i < 0) continue; // a joint the task's robot does not have (a gripper, a wheel): not ours
            double p = j.getAxis1().getPosition(), v = j.getAxis1().getVelocity();
            if (!Double.isFinite(p) || !Double.isFinite(v)) throw new IllegalStateException(where() + ": joint '" + j.getName() + "' reports position " + p + ", velocity " + v);
            q[i] = p;
            qd[i] = v;
            effort[i] = j.getAxis1().getForce();
            seen[i] = true;
        }
        for (int i = 0; i < seen.length; i++) {
            if (!seen[i]) {
                throw new IllegalStateException(where() + ": joint '" + joints.get(i) + "' of " + task.robotSource + " is missing from the joint states of model '" + m.getName()
                        + "' (joints there: " + m.getJointList().stream().map(Joint::getName).toList() + ")");
            }
        }
    }

    @Override
    public void positions(double[] out) {
        System.arraycopy(q, 0, out, 0, q.length);
    }

    @Override
    public void velocities(double[] out) {
        System.arraycopy(qd, 0, out, 0, qd.length);
    }

    /**
     * The joint state's {@code axis1.force}: the effort the DART world applied in the last physics
     * step. (Stock gz-sim's JointStatePublisher fills it only where a system sets the joint's force
     * component; elsewhere it reads 0.)
     */
    @Override
    public boolean reportsEfforts() {
        return true;
    }

    @Override
    public void efforts(double[] out) {
        System.arraycopy(effort, 0, out, 0, effort.length);
    }

    /** Forward kinematics from the last joint state (the URDF's chain to the link). */
    @Override
    public void linkPosition(String link, double[] out) {
        chains.computeIfAbsent(link, l -> task.robot.chain(l, joints)).origin(q, out);
    }

    @Override
    public void close() {
        node.close();
    }
}
