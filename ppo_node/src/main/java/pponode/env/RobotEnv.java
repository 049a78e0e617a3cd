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
    private final float[] lastAction, previousAction;
    /** The command before this step's (physical units): where a position-controlled robot starts is its first "previous command". */
    private final double[] previousCommand;
    /** This episode's largest per-joint command change, step by step (for median_command_step). */
    private final double[] commandSteps;
    private final double[] obsQ, obsQd;
    private double[] tip = new double[3];
    private int t;
    /** Per actuated joint: previous action (float), previous and current command (double). */
    private static final int SMOOTHNESS_STATE_BYTES = 4 + 8 + 8;

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
        previousAction = new float[act.length];
        previousCommand = new double[act.length];
        commandSteps = new double[task.episodeSteps];
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
        startFromRest();
        return observe();
    }

    /** A position command's "previous" value at the start is the joints' position (holding still); others start at zero. */
    private void startFromRest() {
        task.restAction(name -> q[sim.jointIndex(name)], previousAction);
        for (int i = 0; i < act.length; i++) previousCommand[i] = task.commandInterface.equals("position") ? clamp(q[act[i]], actSpace.low()[i], actSpace.high()[i]) : 0;
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
        double largestStep = 0;
        for (int i = 0; i < act.length; i++) {
            if (!Float.isFinite(action[i])) throw new IllegalArgumentException(task.name + ": command for joint '" + task.actuatedJoints.get(i) + "' is " + action[i]);
            if (t > 0) {
                previousAction[i] = lastAction[i];
                previousCommand[i] = cmd[i];
            }
            cmd[i] = clamp(action[i], actSpace.low()[i], actSpace.high()[i]); // nothing beyond the URDF limits reaches the robot
            lastAction[i] = actSpace.normalized(i, cmd[i]);
            largestStep = Math.max(largestStep, Math.abs(cmd[i] - previousCommand[i]));
        }
        if (t < commandSteps.length) commandSteps[t] = largestStep;
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
        double reward = task.reward(task.tipLink != null && task.targetMin != null ? distance() : 0, lastAction, previousAction, obsQd);
        boolean terminated = task.terminated(name -> q[sim.jointIndex(name)]);
        // the episode's time limit is the TimeLimit wrapper's (EnvRegistry.make), applied once
        return new StepResult(observe(), reward, terminated, false);
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
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        if (task.tipLink != null && task.targetMin != null) m.put("final_distance", distance());
        int n = Math.min(t, commandSteps.length);
        if (n > 0) {
            double[] steps = Arrays.copyOf(commandSteps, n);
            Arrays.sort(steps);
            m.put("median_command_step", n % 2 == 1 ? steps[n / 2] : (steps[n / 2 - 1] + steps[n / 2]) / 2);
        }
        return m;
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
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + s.length + 24 + 4 * lastAction.length + r.length + SMOOTHNESS_STATE_BYTES * act.length + 8 * commandSteps.length);
        b.putInt(t).putInt(s.length).put(s);
        for (double x : target) b.putDouble(x);
        for (float a : lastAction) b.putFloat(a);
        b.put(r);
        for (float a : previousAction) b.putFloat(a);
        for (double c : previousCommand) b.putDouble(c);
        for (double c : cmd) b.putDouble(c);
        for (double c : commandSteps) b.putDouble(c);
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
        int extra = SMOOTHNESS_STATE_BYTES * act.length + 8 * commandSteps.length;
        boolean withSmoothness = b.remaining() == rng.saveState().length + extra; // snapshots before action_rate lack it
        byte[] r = new byte[withSmoothness ? b.remaining() - extra : b.remaining()];
        b.get(r);
        rng.restoreState(r);
        read();
        if (withSmoothness) {
            for (int i = 0; i < act.length; i++) previousAction[i] = b.getFloat();
            for (int i = 0; i < act.length; i++) previousCommand[i] = b.getDouble();
            for (int i = 0; i < act.length; i++) cmd[i] = b.getDouble();
            for (int i = 0; i < commandSteps.length; i++) commandSteps[i] = b.getDouble();
        } else {
            System.arraycopy(lastAction, 0, previousAction, 0, act.length);
            for (int i = 0; i < act.length; i++) cmd[i] = actSpace.low()[i] + (lastAction[i] + 1) / 2 * (actSpace.high()[i] - actSpace.low()[i]);
            System.arraycopy(cmd, 0, previousCommand, 0, act.length);
        }
    }

    @Override
    public void close() {
        sim.close();
    }
}
