package pponode.env;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.env.terms.StepState;
import pponode.sim.BaseState;
import pponode.sim.Perturbation;
import pponode.sim.RobotBackend;
import pponode.sim.RobotBackends;

/**
 * A {@link RobotTask} as an {@link Env}, over any {@link RobotBackend}: the embedded simulator, a
 * Gazebo world or a robot on ROS 2. Everything the task defines lives here once: the action check
 * (commands for the actuated joints in the task's order, physical units, clamped to the URDF
 * limits before they reach the robot), the start state and target draws, the observation, the
 * reward terms, terminations and episode metrics. The backend only moves the robot one control
 * period and reports its joints; the time limit is the {@link TimeLimit} wrapper's ({@link #make}).
 */
public final class RobotEnv implements Env {
    private final RobotTask task;
    private final RobotBackend robot;
    private final List<String> joints;
    private final EnvRng rng;
    private final int[] act, obs;
    private final int[] targetAxes;
    private final Space.Box obsSpace, actSpace;
    private final double[] q, qd, target = new double[3], tip = new double[3], cmd;
    private final float[] lastAction, previousAction;
    /** What the reward terms see; q, qd, lastAction and previousAction are its arrays. */
    private final StepState step;
    /** The command before this step's (physical units): where a position-controlled robot starts is its first "previous command". */
    private final double[] previousCommand;
    /** This episode's largest per-joint command change, step by step (for median_command_step). */
    private final double[] commandSteps;
    private final double[] obsQ, obsQd;
    private final Observations observations;
    /** The task's observation history (null: the current frame only) and the frame it stacks. */
    private final ObservationHistory history;
    private final float[] frame;
    private final List<String> contactLinks;
    private final double[] force = new double[3];
    private final BaseState baseStart = new BaseState();
    private final double[] bodyVelocity = new double[3];
    /** This episode's sums of the base's forward velocity and of its planar distance from the command (tasks with commands). */
    private double sumForwardVelocity, sumTrackingError;
    // yaw-rate tracking: an evaluation metric, left out of snapshots so their layout stays that of earlier checkpoints
    private double sumYawRate, sumYawRateError;
    /** The episode's physics under the task's randomization (Perturbation.NONE without one), and a push's velocity change. */
    private Perturbation perturbation = Perturbation.NONE;
    private final double[] push = new double[3];
    private boolean evaluation;
    private final double[] bodyRate = new double[3];
    private int t;
    /**
     * Per actuated joint, the largest change of a position command in one control period: the URDF
     * velocity limit times the period, as the deploy node's safety gate limits it by default, so a
     * policy trains under the actuation it is deployed with (+∞ for other interfaces).
     */
    /** Clamp and rate limit: the command path the deploy node's safety gate applies on the robot. */
    private final CommandShaper shaper;
    private final double[] wish;
    /** Per actuated joint: previous action (float), previous and current command (double). */
    private static final int SMOOTHNESS_STATE_BYTES = 4 + 8 + 8;

    /** {@code task} on the default simulator (the embedded one). */
    public RobotEnv(RobotTask task, long seed) {
        this(task, simulator(task, RobotBackends.EMBEDDED), seed);
    }

    public RobotEnv(RobotTask task, RobotBackend robot, long seed) {
        this.task = task;
        this.robot = robot;
        rng = new EnvRng(seed);
        joints = List.copyOf(robot.joints());
        act = task.actuatedJoints.stream().mapToInt(joints::indexOf).toArray();
        obs = task.observedJoints.stream().mapToInt(joints::indexOf).toArray();
        targetAxes = task.targetAxes();
        double[] lower = joints.stream().mapToDouble(j -> task.robot.joint(j).lower()).toArray();
        double[] upper = joints.stream().mapToDouble(j -> task.robot.joint(j).upper()).toArray();
        contactLinks = task.contactLinks();
        step = new StepState(act, obs, lower, upper, 1.0 / task.controlRateHz, contactLinks.size());
        if (!contactLinks.isEmpty() && !robot.reportsContacts()) {
            throw new IllegalArgumentException(task.source + ": terms read the contacts of " + contactLinks + ", which " + robot.getClass().getSimpleName() + " does not report");
        }
        if (task.randomization != null && !robot.perturbable()) {
            throw new IllegalArgumentException(task.source + ": 'randomization' changes the robot's physics each episode, which " + robot.getClass().getSimpleName()
                    + " cannot (a simulator in this process can: train it in the embedded simulator)");
        }
        String needsEfforts = task.termUsingEfforts();
        if (needsEfforts != null && !robot.reportsEfforts()) {
            throw new IllegalArgumentException(task.source + ": reward term '" + needsEfforts + "' needs joint efforts, which " + robot.getClass().getSimpleName()
                    + " does not report");
        }
        q = step.q;
        qd = step.qd;
        cmd = new double[act.length];
        lastAction = step.action;
        previousAction = step.previousAction;
        previousCommand = new double[act.length];
        wish = new double[act.length];
        commandSteps = new double[task.episodeSteps];
        obsQ = new double[obs.length];
        obsQd = new double[obs.length];
        observations = new Observations(task);
        actSpace = task.actionSpace();
        shaper = CommandShaper.forTask(task, CommandShaper.urdfRateLimits(task), 1.0, task.controlRateHz);
        obsSpace = task.observationSpace();
        history = task.newHistory();
        frame = new float[task.frameSpace().flatDim()];
    }

    /** Simulator {@code name} ({@link RobotBackends}) set up as {@code task} says (physics step, gravity, command interface, PD gains, control rate). */
    public static RobotBackend simulator(RobotTask task, String name) {
        return RobotBackends.create(name, task.backendSpec());
    }

    /** {@code task} on {@code robot}, its episodes truncated at the task's {@code episode_steps}. */
    public static Env make(RobotTask task, RobotBackend robot, long seed) {
        return new TimeLimit(new RobotEnv(task, robot, seed), task.episodeSteps);
    }

    public RobotTask task() {
        return task;
    }

    public RobotBackend backend() {
        return robot;
    }

    /** Observation terms and their sizes, in order (recorded in exported policies). */
    public List<Map<String, Object>> observationLayout() {
        return ObservationHistory.layout(task.observation, task.observation.stream().mapToInt(term -> Observations.size(task, term)).toArray(), task.history);
    }

    /** The last command sent to the robot, after clamping to the limits (actuated-joint order). */
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
        double[] q0 = new double[q.length], qd0 = new double[q.length];
        task.sampleStartState(rng, q0, qd0); // then the target: one random stream, so every backend starts alike
        if (task.targetMin != null) task.sampleTarget(rng, target);
        if (task.commands != null) task.commands.sample(rng, step.command);
        if (task.randomization != null) { // drawn last: a task without one keeps its random stream
            perturbation = task.randomization.draw(rng, act.length);
            robot.perturb(perturbation);
        }
        if (task.floatingBase) {
            baseStart.setFixed();
            System.arraycopy(task.baseStartPosition, 0, baseStart.position, 0, 3);
            robot.reset(q0, qd0, baseStart);
        } else {
            robot.reset(q0, qd0);
        }
        Arrays.fill(step.airTime, 0);
        sumForwardVelocity = sumTrackingError = sumYawRate = sumYawRateError = 0;
        Arrays.fill(lastAction, 0f);
        t = 0;
        read();
        System.arraycopy(qd, 0, step.previousQd, 0, qd.length);
        startFromRest();
        if (history != null) history.restart(); // every past frame is the first one
        return observe();
    }

    /** A position command's "previous" value at the start is the joints' position (holding still); others start at zero. */
    private void startFromRest() {
        task.restAction(name -> q[joints.indexOf(name)], previousAction);
        for (int i = 0; i < act.length; i++) wish[i] = q[act[i]];
        shaper.restCommand(wish, wish, previousCommand);
    }

    /** Draws a new target without resetting the robot (a new goal for a running arm). */
    public void resampleTarget() {
        if (task.targetMin != null) {
            task.sampleTarget(rng, target);
            read();
        }
    }

    @Override
    public StepResult step(float[] action) {
        if (action.length != act.length) {
            throw new IllegalArgumentException(task.name + ": action has " + action.length + " values, the task actuates " + act.length + " joints "
                    + task.actuatedJoints);
        }
        for (int i = 0; i < act.length; i++) {
            if (!Float.isFinite(action[i])) throw new IllegalArgumentException(task.name + ": command for joint '" + task.actuatedJoints.get(i) + "' is " + action[i]);
            if (t > 0) {
                previousAction[i] = lastAction[i];
                previousCommand[i] = cmd[i];
            }
            wish[i] = action[i];
        }
        shaper.shape(previousCommand, wish, false, cmd); // nothing beyond the URDF limits reaches the robot
        double largestStep = 0;
        for (int i = 0; i < act.length; i++) {
            lastAction[i] = actSpace.normalized(i, cmd[i]);
            largestStep = Math.max(largestStep, Math.abs(cmd[i] - previousCommand[i]));
        }
        if (t < commandSteps.length) commandSteps[t] = largestStep;
        System.arraycopy(qd, 0, step.previousQd, 0, qd.length);
        if (task.randomization != null && task.randomization.pushes() && t > 0 && t % task.randomization.pushSteps() == 0) {
            task.randomization.drawPush(rng, push);
            robot.push(push);
        }
        if (!robot.step(cmd)) {
            // the period was lost (the simulator diverged and rolled back): keep what the episode collected, end it as truncated
            read();
            return new StepResult(observe(), reward(), false, true);
        }
        t++;
        read();
        if (task.commands != null) {
            step.base.toBody(step.base.linearVelocity, bodyVelocity);
            sumForwardVelocity += bodyVelocity[0];
            sumTrackingError += Math.hypot(bodyVelocity[0] - step.command[0], bodyVelocity[1] - step.command[1]);
            step.base.toBody(step.base.angularVelocity, bodyRate);
            sumYawRate += bodyRate[2];
            sumYawRateError += Math.abs(bodyRate[2] - step.command[2]);
        }
        double reward = reward();
        boolean terminated = task.terminated(step);
        // as Isaac Lab's command manager: the step is rewarded under its command, the next observation sees the new one
        if (task.commands != null && task.commands.resampleDue(t)) task.commands.sample(rng, step.command);
        return new StepResult(observe(), reward, terminated, false);
    }

    private double reward() {
        step.distance = task.tipLink != null && task.targetMin != null ? distance() : Double.NaN;
        return task.reward(step);
    }

    private void read() {
        robot.positions(q);
        robot.velocities(qd);
        if (task.tipLink != null) robot.linkPosition(task.tipLink, tip);
        robot.baseState(step.base);
        if (robot.reportsEfforts()) robot.efforts(step.effort);
        for (int k = 0; k < contactLinks.size(); k++) {
            robot.contactForce(contactLinks.get(k), force);
            System.arraycopy(force, 0, step.contactForce, 3 * k, 3);
        }
        double[] given = robot.target();
        if (given != null) System.arraycopy(given, 0, target, 0, 3);
    }

    /** Distance from the tip link to the target (m). */
    public double distance() {
        double s = 0;
        for (int a : targetAxes) s += (tip[a] - target[a]) * (tip[a] - target[a]);
        return Math.sqrt(s);
    }

    /** This period's frame (its noise drawn once, so the history keeps what the policy saw), stacked with the past ones. */
    private float[] observe() {
        float[] o = new float[obsSpace.flatDim()];
        float[] f = history == null ? o : frame;
        for (int i = 0; i < obs.length; i++) {
            obsQ[i] = q[obs[i]];
            obsQd[i] = qd[obs[i]];
        }
        observations.fill(targetAxes, obsQ, obsQd, tip, target, lastAction, step.base, step.command, f);
        if (!evaluation) {
            for (RobotTask.ObservationNoise n : task.noise) {
                for (int k = n.offset(); k < n.offset() + n.size(); k++) f[k] += (float) (n.gaussian() ? n.scale() * rng.gaussian() : rng.uniform(-n.scale(), n.scale()));
            }
        }
        if (history != null) history.push(f, o);
        return o;
    }

    /** Evaluation sees the clean observation: no noise. */
    @Override
    public void evaluation(boolean on) {
        evaluation = on;
    }

    /** The current target (world frame). */
    public double[] target() {
        return target.clone();
    }

    @Override
    public Map<String, Double> episodeMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (task.tipLink != null && task.targetMin != null) m.put("final_distance", distance());
        if (task.commands != null && t > 0) {
            m.put("command_vx", step.command[0]);
            m.put("mean_vx", sumForwardVelocity / t);
            m.put("command_yaw_rate", step.command[2]);
            m.put("mean_yaw_rate", sumYawRate / t);
            m.put("mean_yaw_rate_error", sumYawRateError / t);
            m.put("mean_velocity_error", sumTrackingError / t);
            m.put("episode_seconds", t * step.dt);
        }
        if (task.randomization != null) m.putAll(task.randomization.metrics(perturbation));
        int n = Math.min(t, commandSteps.length);
        if (n > 0) {
            double[] steps = Arrays.copyOf(commandSteps, n);
            Arrays.sort(steps);
            m.put("median_command_step", n % 2 == 1 ? steps[n / 2] : (steps[n / 2 - 1] + steps[n / 2]) / 2);
        }
        return m;
    }

    @Override
    public Map<String, Object> definition() {
        return task.definition();
    }

    @Override
    public boolean supportsSnapshot() {
        return robot.supportsSnapshot();
    }

    @Override
    public byte[] snapshot() {
        byte[] s = robot.snapshot(), r = rng.saveState();
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + s.length + 24 + 4 * lastAction.length + r.length + stepStateBytes());
        b.putInt(t).putInt(s.length).put(s);
        for (double x : target) b.putDouble(x);
        for (float a : lastAction) b.putFloat(a);
        b.put(r);
        for (float a : previousAction) b.putFloat(a);
        for (double c : previousCommand) b.putDouble(c);
        for (double c : cmd) b.putDouble(c);
        for (double c : commandSteps) b.putDouble(c);
        for (double v : step.previousQd) b.putDouble(v);
        if (task.commands != null) {
            for (double c : step.command) b.putDouble(c);
            b.putDouble(sumForwardVelocity).putDouble(sumTrackingError);
        }
        for (double a : step.airTime) b.putDouble(a);
        if (history != null) b.put(history.snapshot());
        return b.array();
    }

    @Override
    public void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        t = b.getInt();
        byte[] s = new byte[b.getInt()];
        b.get(s);
        robot.restore(s);
        for (int a = 0; a < 3; a++) target[a] = b.getDouble();
        for (int i = 0; i < lastAction.length; i++) lastAction[i] = b.getFloat();
        int extra = stepStateBytes();
        boolean withSmoothness = b.remaining() == rng.saveState().length + extra; // snapshots from before the reward terms lack it
        byte[] r = new byte[withSmoothness ? b.remaining() - extra : b.remaining()];
        b.get(r);
        rng.restoreState(r);
        read();
        if (withSmoothness) {
            for (int i = 0; i < act.length; i++) previousAction[i] = b.getFloat();
            for (int i = 0; i < act.length; i++) previousCommand[i] = b.getDouble();
            for (int i = 0; i < act.length; i++) cmd[i] = b.getDouble();
            for (int i = 0; i < commandSteps.length; i++) commandSteps[i] = b.getDouble();
            for (int i = 0; i < step.previousQd.length; i++) step.previousQd[i] = b.getDouble();
            if (task.commands != null) {
                for (int a = 0; a < 3; a++) step.command[a] = b.getDouble();
                sumForwardVelocity = b.getDouble();
                sumTrackingError = b.getDouble();
            }
            for (int k = 0; k < step.airTime.length; k++) step.airTime[k] = b.getDouble();
            if (history != null) history.restore(b);
        } else {
            System.arraycopy(lastAction, 0, previousAction, 0, act.length);
            for (int i = 0; i < act.length; i++) cmd[i] = actSpace.low()[i] + (lastAction[i] + 1) / 2 * (actSpace.high()[i] - actSpace.low()[i]);
            System.arraycopy(cmd, 0, previousCommand, 0, act.length);
            System.arraycopy(qd, 0, step.previousQd, 0, qd.length);
        }
    }

    /**
     * The snapshot's bytes after the random state: previous action and commands, this episode's
     * command steps, the previous velocities, and where the task has them, the velocity command
     * with the episode's tracking sums, the feet air times, and the observation history.
     */
    private int stepStateBytes() {
        return SMOOTHNESS_STATE_BYTES * act.length + 8 * commandSteps.length + 8 * qd.length + (task.commands != null ? 40 : 0) + 8 * step.airTime.length
                + (history != null ? history.snapshotBytes() : 0);
    }

    @Override
    public void close() {
        robot.close();
    }
}
