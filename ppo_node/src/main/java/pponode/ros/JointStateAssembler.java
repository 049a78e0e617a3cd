package pponode.ros;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pponode.env.Observations;
import pponode.env.RobotTask;
import pponode.sim.BaseState;
import pponode.sim.urdf.UrdfModel;

/**
 * Turns joint states, as they arrive from one or more topics, into the task's observation. Joints
 * are matched by name: the order on the wire is irrelevant, extra joints are ignored. It tracks
 * when each joint was last heard from, so the caller can tell a fresh observation from a stale,
 * incomplete or non-finite one.
 */
public final class JointStateAssembler {
    /** Whether an observation could be built, and if not, why (names the joint). */
    public record Health(boolean ok, String reason) {
        static final Health OK = new Health(true, "ok");

        static Health bad(String reason) {
            return new Health(false, reason);
        }
    }

    private final Observations observations;
    private final int[] targetAxes;
    private final List<String> joints; // every movable joint of the robot (forward kinematics needs them)
    private final Map<String, Integer> index = new HashMap<>();
    private final double[] pos, vel;
    private final boolean[] hasVel;
    private final long[] heardAt;
    private final int[] observed;
    private final boolean needsTip, needsVel, needsTarget;
    private final int[] all; // every movable joint's index: forward kinematics needs them all
    // the fingertip from the root-to-tip chain, in place: assemble runs every control period
    private final UrdfModel.Chain tipChain; // null when the task has no tip link
    private final double[] tipBuf = new double[3];
    private static final double[] NO_TIP = new double[3];
    /** The robots a task names are fixed-base URDFs: the base is welded upright at the origin. */
    private final BaseState base = new BaseState();
    private final double[] q, qd;
    /** Fixed-base tasks have no velocity command. */
    private final double[] command = new double[3];
    private long extraNames;

    public JointStateAssembler(RobotTask task) {
        if (task.floatingBase || task.commandRanges != null) {
            // joint states alone cannot observe a floating base: it needs an IMU, odometry and cmd_vel
            throw new IllegalArgumentException(task.source + ": a floating-base task needs base orientation, velocity and velocity commands (sensor_msgs/Imu, "
                    + "nav_msgs/Odometry, cmd_vel), which the ROS 2 node does not subscribe to yet; it runs fixed-base tasks");
        }
        observations = new Observations(task);
        this.targetAxes = task.targetAxes();
        joints = task.robot.movableJoints().stream().map(UrdfModel.Joint::name).toList();
        for (int i = 0; i < joints.size(); i++) index.put(joints.get(i), i);
        pos = new double[joints.size()];
        vel = new double[joints.size()];
        hasVel = new boolean[joints.size()];
        heardAt = new long[joints.size()];
        observed = task.observedJoints.stream().mapToInt(index::get).toArray();
        needsTip = task.observation.contains("tip_to_target") || task.observation.contains("tip_position");
        needsVel = task.observation.contains("joint_vel");
        needsTarget = task.observation.contains("target") || task.observation.contains("tip_to_target");
        all = new int[joints.size()];
        Arrays.setAll(all, i -> i);
        tipChain = task.tipLink == null ? null : task.robot.chain(task.tipLink, joints);
        q = new double[observed.length];
        qd = new double[observed.length];
    }

    /** Merges one JointState message received at {@code nanos} (System.nanoTime). */
    public void update(List<String> names, double[] position, double[] velocity, long nanos) {
        update(names, position, position.length, velocity, velocity.length, nanos);
    }

    /**
     * As above, with the first {@code positions} and {@code velocities} entries of the arrays being
     * the message's (the arrays are reused between messages). A joint past the end of the position
     * array reads NaN, so the watchdog names it.
     */
    public synchronized void update(List<String> names, double[] position, int positions, double[] velocity, int velocities, long nanos) {
        for (int k = 0; k < names.size(); k++) {
            Integer i = index.get(names.get(k));
            if (i == null) {
                extraNames++;
                continue;
            }
            pos[i] = k < positions ? position[k] : Double.NaN;
            hasVel[i] = k < velocities;
            vel[i] = hasVel[i] ? velocity[k] : Double.NaN;
            heardAt[i] = nanos;
        }
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

    /** The tip link's position from the latest joint positions, into {@code out} (length 3). */
    public synchronized void tipPosition(double[] out) {
        tipChain.origin(pos, out);
    }

    /**
     * Builds the observation into {@code out} if every joint it needs was heard within
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
            }
            qd[k] = needsVel ? vel[i] : 0;
        }
        double[] tip = NO_TIP;
        if (needsTip) {
            tipChain.origin(pos, tipBuf);
            tip = tipBuf;
        }
        if (needsTarget && target == null) return Health.bad("no target received yet");
        observations.fill(targetAxes, q, qd, tip, target == null ? NO_TIP : target, lastAction, base, command, out);
        return Health.OK;
    }
}
