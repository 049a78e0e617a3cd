package pponode.env;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import pponode.sim.embedded.EmbeddedSimulator;

/**
 * A {@link RobotTask} on the embedded simulator, as an {@link Env}. Actions are commands for the
 * actuated joints in the task's order, in physical units (rad, m, rad/s, N·m or N) bounded by the
 * URDF limits; anything outside is clamped before it reaches the simulator. The policy acts every
 * {@code decimation} physics steps; position and velocity commands go through a PD loop at the
 * physics rate (ros2_control-style command interfaces).
 */
public final class RobotEnv implements Env {
    private final RobotTask task;
    private final EmbeddedSimulator sim;
    private final EnvRng rng;
    private final int[] act, obs;
    private final int[] targetAxes;
    private final Space.Box obsSpace, actSpace;
    private final double[] q, qd, tau, target = new double[3], cmd;
    private final float[] lastAction;
    private final double[] obsQ, obsQd;
    private double[] tip = new double[3];
    private int t;

    public RobotEnv(RobotTask task, long seed) {
        this.task = task;
        sim = new EmbeddedSimulator(task.robot, task.physicsDt, task.gravity);
        rng = new EnvRng(seed);
        act = task.actuatedJoints.stream().mapToInt(sim::jointIndex).toArray();
        obs = task.observedJoints.stream().mapToInt(sim::jointIndex).toArray();
        targetAxes = task.targetAxes();
        q = new double[sim.dof()];
        qd = new double[sim.dof()];
        tau = new double[sim.dof()];
        cmd = new double[act.length];
        lastAction = new float[act.length];
        obsQ = new double[obs.length];
        obsQd = new double[obs.length];
        actSpace = task.actionSpace();
        obsSpace = task.observationSpace();
    }

    public RobotTask task() {
        return task;
    }

    public EmbeddedSimulator simulator() {
        return sim;
    }

    /** Observation terms and their sizes, in order (recorded in exported policies). */
    public java.util.List<java.util.Map<String, Object>> observationLayout() {
        java.util.List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (String term : task.observation) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("term", term);
            m.put("size", Observations.size(term, obs.length, targetAxes.length, act.length));
            out.add(m);
        }
        return out;
    }

    /** The last command sent to the simulator, after clamping to the limits (actuated-joint order). */
    public double[] lastCommand() {
        return cmd.clone();
    }

    @Override
    public Space observationSpace() {
        return obsSpace;
    }

    @Override
    public Space actionSpace() {
        return actSpace;
    }

    @Override
    public float[] reset(Long seed) {
        if (seed != null) rng.seed(seed);
        double[] q0 = new double[sim.dof()], qd0 = new double[sim.dof()];
        task.sampleStartState(rng, q0, qd0);
        sim.setState(q0, qd0);
        if (task.targetMin != null) sampleTarget();
        Arrays.fill(lastAction, 0f);
        t = 0;
        read();
        return observe();
    }

    /** Draws a new target without resetting the robot (a new goal for a running arm). */
    public void resampleTarget() {
        if (task.targetMin != null) {
            sampleTarget();
            read();
        }
    }

    private void sampleTarget() {
        task.sampleTarget(rng, target);
    }

    @Override
    public StepResult step(float[] action) {
        if (action.length != act.length) {
            throw new IllegalArgumentException(task.name + ": action has " + action.length + " values, the task actuates " + act.length + " joints "
                    + task.actuatedJoints);
        }
        for (int i = 0; i < act.length; i++) {
            if (!Float.isFinite(action[i])) throw new IllegalArgumentException(task.name + ": command for joint '" + task.actuatedJoints.get(i) + "' is " + action[i]);
            cmd[i] = clamp(action[i], actSpace.low()[i], actSpace.high()[i]); // nothing beyond the URDF limits reaches the robot
            lastAction[i] = actSpace.normalized(i, cmd[i]);
        }
        for (int k = 0; k < task.decimation; k++) {
            Arrays.fill(tau, 0);
            for (int i = 0; i < act.length; i++) {
                int j = act[i];
                double e = switch (task.commandInterface) {
                    case "position" -> task.kp[i] * (cmd[i] - sim.position(j)) - task.kd[i] * sim.velocity(j);
                    case "velocity" -> task.kd[i] * (cmd[i] - sim.velocity(j));
                    default -> cmd[i];
                };
                tau[j] = clamp(e, -sim.effortLimit(j), sim.effortLimit(j));
            }
            sim.step(tau);
        }
        t++;
        read();
        for (int i = 0; i < obs.length; i++) obsQd[i] = qd[obs[i]];
        double reward = task.reward(task.tipLink != null && task.targetMin != null ? distance() : 0, lastAction, obsQd);
        boolean terminated = task.terminated(name -> q[sim.jointIndex(name)]);
        boolean truncated = !terminated && t >= task.episodeSteps;
        return new StepResult(observe(), reward, terminated, truncated);
    }

    private void read() {
        sim.positions(q);
        sim.velocities(qd);
        if (task.tipLink != null) tip = sim.linkPoses().get(task.tipLink).p();
    }

    /** Distance from the tip link to the target (m). */
    public double distance() {
        double s = 0;
        for (int a : targetAxes) s += (tip[a] - target[a]) * (tip[a] - target[a]);
        return Math.sqrt(s);
    }

    private float[] observe() {
        float[] o = new float[obsSpace.flatDim()];
        for (int i = 0; i < obs.length; i++) {
            obsQ[i] = q[obs[i]];
            obsQd[i] = qd[obs[i]];
        }
        Observations.fill(task, targetAxes, obsQ, obsQd, tip, target, lastAction, o);
        return o;
    }

    /** The current target (world frame). */
    public double[] target() {
        return target.clone();
    }

    @Override
    public Map<String, Double> episodeMetrics() {
        return task.tipLink != null && task.targetMin != null ? Map.of("final_distance", distance()) : Map.of();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public boolean supportsSnapshot() {
        return true;
    }

    @Override
    public byte[] snapshot() {
        byte[] s = sim.snapshot(), r = rng.saveState();
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + s.length + 24 + 4 * lastAction.length + r.length);
        b.putInt(t).putInt(s.length).put(s);
        for (double x : target) b.putDouble(x);
        for (float a : lastAction) b.putFloat(a);
        b.put(r);
        return b.array();
    }

    @Override
    public void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        t = b.getInt();
        byte[] s = new byte[b.getInt()];
        b.get(s);
        sim.restore(s);
        for (int a = 0; a < 3; a++) target[a] = b.getDouble();
        for (int i = 0; i < lastAction.length; i++) lastAction[i] = b.getFloat();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        rng.restoreState(r);
        read();
    }

    @Override
    public void close() {
        sim.close();
    }
}
