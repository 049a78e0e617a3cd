package pponode.ros;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.env.ObservationHistory;
import pponode.env.Observations;
import pponode.env.RobotTask;
import pponode.env.terms.ObservationTerm.Input;
import pponode.sim.BaseState;
import pponode.sim.urdf.UrdfModel;

/**
 * Turns joint states, as they arrive from one or more topics, into the task's observation. Joints
 * are matched by name: the order on the wire is irrelevant, extra joints are ignored. It tracks
 * when each joint was last heard from, so the caller can tell a fresh observation from a stale,
 * incomplete or non-finite one.
 */
public final class JointStateAssembler {
    private static final Logger LOG = LoggerFactory.getLogger(JointStateAssembler.class);
    /** Whether an observation could be built, and if not, why (names the joint). */
    public record Health(boolean ok, String reason) {
        static final Health OK = new Health(true, "ok");

        static Health bad(String reason) {
            return new Health(false, reason);
        }
    }

    private final Observations observations;
    /** The task's observation history (null: the current frame only), fed one frame per healthy assembly. */
    private final ObservationHistory history;
    private final float[] frame;
    private final int[] targetAxes;
    private final List<String> joints; // every movable joint of the robot (forward kinematics needs them)
    private final Map<String, Integer> index = new HashMap<>();
    private final double[] pos, vel, eff;
    private final boolean[] hasVel;
    private final long[] heardAt;
    private final int[] observed;
    private final boolean needsTip, needsVel, needsTarget;
    private final int[] all; // every movable joint's index: forward kinematics needs them all
    // the fingertip from the root-to-tip chain, in place: assemble runs every control period
    private final UrdfModel.Chain tipChain; // null when the task has no tip link
    private final double[] tipBuf = new double[3];
    private static final double[] NO_TIP = new double[3];
    /**
     * The base as the policy sees it: welded upright at the origin for a fixed-base task; for a
     * floating base, orientation and angular velocity from the IMU and linear velocity from the
     * odometry (both turned into the world frame BaseState keeps).
     */
    private final BaseState base = new BaseState();
    private final double[] q, qd;
    /** The velocity command (v_x, v_y, yaw rate) the observation carries: the latest fresh cmd_vel, else zero. */
    private final double[] command = new double[3], commandHeard = new double[3];
    private final double[] bodyVelocity = new double[3], bodyRate = new double[3];
    private final boolean needsImu, needsOdometry, needsCommand;
    private long imuAt, odometryAt, commandAt;
    private final long commandTimeoutNanos;
    private boolean commandFresh;
    private long extraNames;
    /** Physical bounds: per joint the largest believable speed (rad/s or m/s; ∞ without a URDF limit), the IMU's and odometry's. */
    private final double[] maxJointVelocity;
    private final double maxAngularVelocity, maxLinearVelocity;
    /** The velocity command's range per axis: the task's command ranges, and zero (standing still). */
    private final double[] commandLow = new double[3], commandHigh = new double[3];
    private long clampedCommands;
    private boolean clamping;
    /** Header stamps (ns) of the latest joint state, IMU and odometry messages; 0 when unstamped. */
    private long jointStamp, imuStamp, odometryStamp;

    /**
     * Assembles {@code task}'s observation from what a robot publishes, refusing readings beyond the
     * physical bounds {@code p} sets (velocity_limit_factor, imu_max_angular_velocity,
     * odom_max_linear_velocity) and clamping the velocity command to the task's command ranges.
     */
    public JointStateAssembler(RobotTask task, RosParams p) {
        commandTimeoutNanos = Math.round(p.cmdVelTimeoutMs * 1e6);
        maxAngularVelocity = p.imuMaxAngularVelocity;
        maxLinearVelocity = p.odomMaxLinearVelocity;
        if (task.commands != null) {
            for (int a = 0; a < 3; a++) {
                commandLow[a] = Math.min(0, task.commands.ranges()[a][0]);
                commandHigh[a] = Math.max(0, task.commands.ranges()[a][1]);
            }
        }
        Set<Input> inputs = task.observationInputs();
        needsImu = task.floatingBase; // the tilt guard reads it whatever the policy observes
        needsOdometry = task.floatingBase && inputs.contains(Input.BASE_LINEAR_VELOCITY);
        needsCommand = task.commands != null;
        observations = new Observations(task);
        history = task.newHistory();
        frame = new float[task.frameSpace().flatDim()];
        this.targetAxes = task.targetAxes();
        joints = task.robot.movableJoints().stream().map(UrdfModel.Joint::name).toList();
        for (int i = 0; i < joints.size(); i++) index.put(joints.get(i), i);
        pos = new double[joints.size()];
        vel = new double[joints.size()];
        eff = new double[joints.size()];
        hasVel = new boolean[joints.size()];
        heardAt = new long[joints.size()];
        observed = task.observedJoints.stream().mapToInt(index::get).toArray();
        needsTip = inputs.contains(Input.TIP);
        needsVel = inputs.contains(Input.JOINT_VELOCITIES);
        needsTarget = inputs.contains(Input.TARGET);
        all = new int[joints.size()];
        Arrays.setAll(all, i -> i);
        tipChain = task.tipLink == null ? null : task.robot.chain(task.tipLink, joints);
        q = new double[observed.length];
        qd = new double[observed.length];
        maxJointVelocity = task.robot.movableJoints().stream()
                .mapToDouble(j -> j.velocity() > 0 && Double.isFinite(j.velocity()) ? p.velocityLimitFactor * j.velocity() : Double.POSITIVE_INFINITY).toArray();
    }

    /** Merges one JointState message received at {@code nanos} (System.nanoTime). */
    public void update(List<String> names, double[] position, double[] velocity, long nanos) {
        update(names, position, position.length, velocity, velocity.length, new double[0], 0, nanos);
    }

    /**
     * As above, with efforts, and the first {@code positions}, {@code velocities} and
     * {@code efforts} entries of the arrays being the message's (the arrays are reused between
     * messages). A joint past the end of the position array reads NaN, so the watchdog names it;
     * one without an effort reads NaN (not measured).
     */
    public synchronized void update(List<String> names, double[] position, int positions, double[] velocity, int velocities, double[] effort, int efforts,
            long nanos) {
        for (int k = 0; k < names.size(); k++) {
            Integer i = index.get(names.get(k));
            if (i == null) {
                extraNames++;
                continue;
            }
            pos[i] = k < positions ? position[k] : Double.NaN;
            hasVel[i] = k < velocities;
            vel[i] = hasVel[i] ? velocity[k] : Double.NaN;
            eff[i] = k < efforts ? effort[k] : Double.NaN;
            heardAt[i] = nanos;
        }
    }

    /**
     * One IMU reading: orientation (unit quaternion w, x, y, z; base to world) and angular velocity
     * in the base frame (rad/s), as sensor_msgs/Imu carries them. A non-finite or non-unit
     * quaternion is stored as is and refused when the observation is built.
     */
    public synchronized void updateImu(double w, double x, double y, double z, double wx, double wy, double wz, long nanos) {
        base.orientation[0] = w;
        base.orientation[1] = x;
        base.orientation[2] = y;
        base.orientation[3] = z;
        bodyRate[0] = wx;
        bodyRate[1] = wy;
        bodyRate[2] = wz;
        imuAt = nanos;
    }

    /** One odometry reading: the base's linear velocity in the base frame (nav_msgs/Odometry's twist, child frame), m/s. */
    public synchronized void updateOdometry(double vx, double vy, double vz, long nanos) {
        bodyVelocity[0] = vx;
        bodyVelocity[1] = vy;
        bodyVelocity[2] = vz;
        odometryAt = nanos;
    }

    /** One geometry_msgs/Twist on cmd_vel: linear x, y (m/s) and angular z (rad/s), base frame. */
    public synchronized void updateCommand(double vx, double vy, double wz, long nanos) {
        commandHeard[0] = vx;
        commandHeard[1] = vy;
        commandHeard[2] = wz;
        commandAt = nanos;
    }

    /** Whether the last observation built used a fresh cmd_vel (false: it commanded standing still). */
    public synchronized boolean commandFresh() {
        return commandFresh;
    }

    /** Joint names in messages that the robot does not have (ignored). */
    public synchronized long extraNames() {
        return extraNames;
    }

    /** Latest position of a joint, NaN if never heard. */
    public synchronized double position(String joint) {
        Integer i = index.get(joint);
        return i == null || heardAt[i] == 0 ? Double.NaN : pos[i];
    }

    /** Latest velocity of a joint, NaN if never heard or not sent. */
    public synchronized double velocity(String joint) {
        Integer i = index.get(joint);
        return i == null || heardAt[i] == 0 || !hasVel[i] ? Double.NaN : vel[i];
    }

    /** Latest effort of a joint, NaN if never heard or not sent. */
    public synchronized double effort(String joint) {
        Integer i = index.get(joint);
        return i == null || heardAt[i] == 0 ? Double.NaN : eff[i];
    }

    /**
     * The base's roll and pitch (rad) from the latest IMU orientation, into {@code out}; NaN for a
     * fixed base or before the first reading.
     */
    public synchronized void rollPitch(double[] out) {
        double w = base.orientation[0], x = base.orientation[1], y = base.orientation[2], z = base.orientation[3];
        if (!needsImu || imuAt == 0) {
            out[0] = out[1] = Double.NaN;
            return;
        }
        out[0] = Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
        out[1] = Math.asin(Math.max(-1, Math.min(1, 2 * (w * y - z * x))));
    }

    /** The next observation starts the history over (every past frame is that one), as an episode's first does in training. */
    public synchronized void restartHistory() {
        if (history != null) history.restart();
    }

    /**
     * Builds the observation into {@code out} (with the task's history: this period's frame
     * stacked with the past ones, in the task's order) if every joint it needs was heard within
     * {@code timeoutNanos} of {@code now} and is finite; otherwise says which joint is the problem.
     */
    public synchronized Health assemble(long now, long timeoutNanos, double[] target, float[] lastAction, float[] out) {
        int[] needed = needsTip ? all : observed;
        for (int i : needed) {
            String j = joints.get(i);
            if (heardAt[i] == 0) return Health.bad("no joint state received yet for joint '" + j + "'");
            long age = now - heardAt[i];
            if (age > timeoutNanos) return Health.bad(String.format("joint state for '%s' is stale (%.1f ms old, timeout %.1f ms)", j, age / 1e6, timeoutNanos / 1e6));
            if (!Double.isFinite(pos[i])) return Health.bad("joint '" + j + "' position is " + pos[i]);
        }
        for (int k = 0; k < observed.length; k++) {
            int i = observed[k];
            q[k] = pos[i];
            if (needsVel) {
                if (!hasVel[i]) return Health.bad("joint state for '" + joints.get(i) + "' has no velocity, which the policy observes");
                if (!Double.isFinite(vel[i])) return Health.bad("joint '" + joints.get(i) + "' velocity is " + vel[i]);
                if (Math.abs(vel[i]) > maxJointVelocity[i]) {
                    return Health.bad("joint '" + joints.get(i) + "' velocity " + vel[i] + " is beyond velocity_limit_factor × its URDF limit (" + maxJointVelocity[i] + ")");
                }
            }
            qd[k] = needsVel ? vel[i] : 0;
        }
        double[] tip = NO_TIP;
        if (needsTip) {
            tipChain.origin(pos, tipBuf);
            tip = tipBuf;
        }
        if (needsTarget && target == null) return Health.bad("no target received yet");
        if (needsImu) {
            Health h = fresh("IMU", imuAt, now, timeoutNanos);
            if (!h.ok()) return h;
            double[] o = base.orientation;
            double norm = Math.sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2] + o[3] * o[3]);
            if (!(Math.abs(norm - 1) < 1e-3) || !Double.isFinite(bodyRate[0] + bodyRate[1] + bodyRate[2])) {
                return Health.bad("IMU reading is not usable (orientation norm " + norm + ", angular velocity " + Arrays.toString(bodyRate) + ")");
            }
            double rate = Math.sqrt(bodyRate[0] * bodyRate[0] + bodyRate[1] * bodyRate[1] + bodyRate[2] * bodyRate[2]);
            if (rate > maxAngularVelocity) return Health.bad("IMU angular velocity " + rate + " rad/s is beyond imu_max_angular_velocity (" + maxAngularVelocity + ")");
            toWorld(bodyRate, base.angularVelocity);
        }
        if (needsOdometry) {
            Health h = fresh("odometry", odometryAt, now, timeoutNanos);
            if (!h.ok()) return h;
            if (!Double.isFinite(bodyVelocity[0] + bodyVelocity[1] + bodyVelocity[2])) return Health.bad("odometry velocity is " + Arrays.toString(bodyVelocity));
            double speed = Math.sqrt(bodyVelocity[0] * bodyVelocity[0] + bodyVelocity[1] * bodyVelocity[1] + bodyVelocity[2] * bodyVelocity[2]);
            if (speed > maxLinearVelocity) return Health.bad("odometry velocity " + speed + " m/s is beyond odom_max_linear_velocity (" + maxLinearVelocity + ")");
            toWorld(bodyVelocity, base.linearVelocity);
        }
        if (needsCommand) {
            // ROS convention (twist_mux, diff_drive_controller): a cmd_vel that stopped coming means stop
            commandFresh = commandAt != 0 && now - commandAt <= commandTimeoutNanos && Double.isFinite(commandHeard[0] + commandHeard[1] + commandHeard[2]);
            // the policy only knows the commands it trained on: beyond the task's ranges, the nearest of them
            boolean clamped = false;
            for (int a = 0; a < 3; a++) {
                command[a] = commandFresh ? Math.max(commandLow[a], Math.min(commandHigh[a], commandHeard[a])) : 0;
                clamped |= commandFresh && command[a] != commandHeard[a];
            }
            if (clamped && !clamping) {
                LOG.warn("cmd_vel ({}, {}, {}) is outside the task's command ranges: clamped to ({}, {}, {})", commandHeard[0], commandHeard[1], commandHeard[2],
                        command[0], command[1], command[2]);
            }
            if (clamped) clampedCommands++;
            clamping = clamped;
        }
        if (history == null) {
            observations.fill(targetAxes, q, qd, tip, target == null ? NO_TIP : target, lastAction, base, command, out);
        } else {
            observations.fill(targetAxes, q, qd, tip, target == null ? NO_TIP : target, lastAction, base, command, frame);
            history.push(frame, out);
        }
        return Health.OK;
    }

    private static Health fresh(String what, long at, long now, long timeoutNanos) {
        if (at == 0) return Health.bad("no " + what + " reading received yet");
        long age = now - at;
        if (age > timeoutNanos) return Health.bad(String.format("%s reading is stale (%.1f ms old, timeout %.1f ms)", what, age / 1e6, timeoutNanos / 1e6));
        return Health.OK;
    }

    /** A base-frame vector in the world frame: rotated by the IMU's orientation. */
    private void toWorld(double[] body, double[] out) {
        double w = base.orientation[0], x = base.orientation[1], y = base.orientation[2], z = base.orientation[3];
        double tx = 2 * (y * body[2] - z * body[1]), ty = 2 * (z * body[0] - x * body[2]), tz = 2 * (x * body[1] - y * body[0]);
        out[0] = body[0] + w * tx + (y * tz - z * ty);
        out[1] = body[1] + w * ty + (z * tx - x * tz);
        out[2] = body[2] + w * tz + (x * ty - y * tx);
    }

    public synchronized void stampJointState(long stampNanos) {
        jointStamp = stampNanos;
    }

    public synchronized void stampImu(long stampNanos) {
        imuStamp = stampNanos;
    }

    public synchronized void stampOdometry(long stampNanos) {
        odometryStamp = stampNanos;
    }

    /**
     * Whether the base readings the task needs (IMU, odometry) are stamped no earlier than the
     * latest joint state: the observation then sees one instant, as in training. Unstamped
     * messages cannot be matched and count as caught up.
     */
    public synchronized boolean baseCaughtUp() {
        if (jointStamp == 0) return true;
        return (!needsImu || imuStamp == 0 || imuStamp >= jointStamp) && (!needsOdometry || odometryStamp == 0 || odometryStamp >= jointStamp);
    }

    /** Observations built with a cmd_vel clamped to the task's command ranges. */
    public synchronized long clampedCommands() {
        return clampedCommands;
    }
}
