package pponode.teleop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.env.RobotTask;
import pponode.sim.urdf.UrdfModel;

/**
 * A stand-in for a human operator of a planar two-link reacher, for simulation and tests: it
 * watches the fingertip's distance to the target and, when it grows (the policy is moving away)
 * while still far, takes over and drives the arm by analytic inverse kinematics, then hands back.
 * It speaks the operator protocol: each decision is an {@link OperatorCommand} in JSON, through the
 * same {@link CommandSink} (checks, deadman, sequence) as MQTT and ROS 2 commands.
 */
public final class ScriptedReacherOperator {
    private final CommandSink sink;
    private final List<String> joints;
    private final double l1, l2, lo1, hi1, lo2, hi2;
    private final int cosSin, target, tipToTarget;
    private final double growMargin, farEnough, doneWithin;
    private final int holdSteps;
    private long seq;
    private boolean inControl;
    private int held;
    private double best = Double.POSITIVE_INFINITY;

    /**
     * @param growMargin take over when the distance exceeds the episode's best by this much (m) …
     * @param farEnough  … and is larger than this (m)
     * @param doneWithin hand back when the fingertip is this close (m), or after {@code holdSteps}
     */
    public ScriptedReacherOperator(RobotTask task, List<Map<String, Object>> obsLayout, CommandSink sink,
                                   double growMargin, double farEnough, double doneWithin, int holdSteps) {
        if (task.actuatedJoints.size() != 2 || !task.commandInterface.equals("position")) {
            throw new IllegalArgumentException("the scripted operator drives planar 2-joint position-controlled arms; task " + task.name + " is not one");
        }
        this.sink = sink;
        this.joints = task.actuatedJoints;
        UrdfModel m = task.robot;
        UrdfModel.Joint j1 = m.joint(joints.get(0)), j2 = m.joint(joints.get(1));
        l1 = j2.origin().p()[0];
        l2 = m.parentJoint(task.tipLink).origin().p()[0];
        var box = task.actionSpace();
        lo1 = box.low()[0];
        hi1 = box.high()[0];
        lo2 = box.low()[1];
        hi2 = box.high()[1];
        int off = 0, cs = -1, tg = -1, tt = -1;
        for (Map<String, Object> t : obsLayout) {
            switch ((String) t.get("term")) {
                case "joint_pos_cos_sin" -> cs = off;
                case "target" -> tg = off;
                case "tip_to_target" -> tt = off;
                default -> { }
            }
            off += ((Number) t.get("size")).intValue();
        }
        if (cs < 0 || tg < 0 || tt < 0) throw new IllegalArgumentException("the scripted operator needs joint_pos_cos_sin, target and tip_to_target observations");
        cosSin = cs;
        target = tg;
        tipToTarget = tt;
        this.growMargin = growMargin;
        this.farEnough = farEnough;
        this.doneWithin = doneWithin;
        this.holdSteps = holdSteps;
        if (j1 == null) throw new IllegalStateException();
    }

    /** Looks at the robot before a control step and, as an operator would, sends a command or not. */
    public void observe(float[] obs, long nowMs) {
        double dx = obs[tipToTarget], dy = obs[tipToTarget + 1];
        double d = Math.hypot(dx, dy);
        if (!inControl) {
            if (d > best + growMargin && d > farEnough) {
                inControl = true;
                held = 0;
            }
            best = Math.min(best, d);
        } else if (d < doneWithin || held >= holdSteps) {
            inControl = false;
            best = d;
            send(false, null, nowMs);
        }
        if (inControl) {
            held++;
            send(true, ik(obs), nowMs);
        }
    }

    /** The episode ended: the next one starts without the operator. */
    public void episodeEnded(long nowMs) {
        if (inControl) send(false, null, nowMs);
        inControl = false;
        best = Double.POSITIVE_INFINITY;
    }

    private double[] ik(float[] obs) {
        double x = obs[target], y = obs[target + 1];
        double q1now = Math.atan2(obs[cosSin + 1], obs[cosSin]), q2now = Math.atan2(obs[cosSin + 3], obs[cosSin + 2]);
        double r2 = x * x + y * y;
        double c2 = Math.max(-1, Math.min(1, (r2 - l1 * l1 - l2 * l2) / (2 * l1 * l2)));
        double[] best2 = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int sign : new int[] {1, -1}) { // elbow up or down: the one nearer the current pose
            double q2 = sign * Math.acos(c2);
            double q1 = Math.atan2(y, x) - Math.atan2(l2 * Math.sin(q2), l1 + l2 * Math.cos(q2));
            q1 = Math.atan2(Math.sin(q1), Math.cos(q1));
            if (q1 < lo1 || q1 > hi1 || q2 < lo2 || q2 > hi2) continue;
            double cost = Math.abs(Math.atan2(Math.sin(q1 - q1now), Math.cos(q1 - q1now))) + Math.abs(q2 - q2now);
            if (cost < bestCost) {
                bestCost = cost;
                best2 = new double[] {q1, q2};
            }
        }
        if (best2 == null) best2 = new double[] {q1now, q2now};
        return new double[] {2 * (best2[0] - lo1) / (hi1 - lo1) - 1, 2 * (best2[1] - lo2) / (hi2 - lo2) - 1};
    }

    private void send(boolean takeover, double[] a, long nowMs) {
        Map<String, Double> actions = new LinkedHashMap<>();
        if (a != null) for (int i = 0; i < a.length; i++) actions.put(joints.get(i), Math.max(-1, Math.min(1, a[i])));
        sink.submit(new OperatorCommand("scripted", ++seq, nowMs, takeover, actions, null).toJson(), "scripted");
    }
}
