package pponode.env;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.settings.Settings;
import pponode.env.terms.ObservationTerm;
import pponode.env.terms.ObservationTerm.Input;
import pponode.env.terms.ObservationTerms;
import pponode.env.terms.RewardTerm;
import pponode.env.terms.RewardTerms;
import pponode.env.terms.StepState;
import pponode.env.terms.TermParams;
import pponode.env.terms.TerminationTerm;
import pponode.env.terms.TerminationTerms;
import pponode.sim.BackendSpec;
import pponode.sim.actuator.ActuatorModel;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.UrdfModel;

/**
 * A robot task read from YAML: which URDF, which joints are observed and actuated (by name), the
 * observation terms, weighted reward terms, termination terms, episode length, control rate and
 * command interface. Adding a robot is a URDF plus one of these files; see urdf/tasks/.
 * Every problem is reported with the task file's name and the offending key or joint.
 */
public final class RobotTask {
    private static final Logger LOG = LoggerFactory.getLogger(RobotTask.class);
    /** The sections a task file may have beside {@link TaskSettings}' keys. */
    private static final Set<String> SECTIONS = Set.of("gravity", "actuated_joints", "observed_joints", "pd_gains", "observation", "target", "reset", "reward",
            "termination", "learner", "contact", "default_joint_pos", "commands", "randomization", "noise", "history", "actuators");
    private static final Set<String> KEYS = union(TaskSettings.keys(), SECTIONS);
    private static final Set<String> PD_KEYS = Set.of("kp", "kd"), TARGET_KEYS = Set.of("min", "max", "radius"),
            RESET_KEYS = Set.of("joint_pos_noise", "joint_vel_noise", "base_position"),
            RANDOMIZATION_KEYS = Set.of("kp_scale", "kd_scale", "motor_strength", "action_delay_steps", "friction_scale", "mass_scale", "push",
                    "base_added_mass", "base_com_offset", "restitution", "joint_damping", "joint_friction", "stance_offset", "observation_delay_steps",
                    "link_mass_scale");

    public final String name;
    public final String source;
    /** Typed reads of the file's values, its mistakes named by their path in it. */
    private final TaskReader in;
    /** SHA-256 of the task file's text, recorded in exported policies. */
    public final String sha256;
    public final UrdfModel robot;
    public final String robotSource;
    public final double physicsDt;
    public final double controlRateHz;
    public final int decimation;
    public final int episodeSteps;
    public final double[] gravity;
    public final String commandInterface;
    public final List<String> actuatedJoints;
    public final List<String> observedJoints;
    public final double[] kp, kd;
    public final List<String> observation;
    public final String tipLink;
    public final double[] targetMin, targetMax;
    public final double targetRadiusMin, targetRadiusMax;
    public final double resetPosNoise, resetVelNoise;
    /** The reward terms' weights by name, in file order. */
    public final Map<String, Double> reward;
    /** A reward term as configured: its name, weight and the term itself. */
    public record WeightedTerm(String name, double weight, RewardTerm term) {}

    private final List<WeightedTerm> rewardTerms = new ArrayList<>();
    /** A termination term as configured: its name and the term. */
    public record NamedTermination(String name, TerminationTerm term) {}

    private final List<NamedTermination> terminations = new ArrayList<>();
    /** Learner settings for this task ({@code learner:}, PPOConfig keys), applied over the defaults for robot tasks. */
    public final Map<String, Object> learner;
    /** {@code base: floating}: the URDF's root is a free body (a legged robot); {@code fixed} (the default) welds it to the world. */
    public final boolean floatingBase;
    /** How the robot touches the world ({@code contact:}); null: it touches nothing. */
    public final ContactSettings contact;
    /** Every movable joint's default position (URDF order): the start state's centre and, with {@code action_scale}, the position commands' centre. */
    public final double[] defaultJointPos;
    /** Position commands span default ± this (rad or m) instead of the joint limits; NaN: the limits. */
    public final double actionScale;
    /** Where a floating base starts (world frame, m). */
    public final double[] baseStartPosition;
    /** Velocity commands (v_x, v_y, yaw rate) and how they are drawn; null: no commands. */
    public final VelocityCommands commands;
    /** Domain randomization drawn at each episode start; null: the robot as modelled. */
    public final Randomization randomization;

    /** Noise added to one observation term's slice in training: uniform in ±scale, or Gaussian with standard deviation scale (the term's units). */
    public record ObservationNoise(String term, int offset, int size, boolean gaussian, double scale) {}

    /** {@code actuators:}: each actuated joint's motor model (command order); null: ideal PD for all. */
    public final List<ActuatorModel> actuators;
    /** {@code history:}: how many past frames of each observation term the policy sees, and their order; null: the current frame only. */
    public final ObservationHistory.Spec history;
    /** The task's observation noise, in observation order; empty: none. */
    public final List<ObservationNoise> noise;
    /** The parsed file and its robot loader, to derive a task that differs in one setting ({@link #withCommand}). */
    private final Map<String, Object> yaml;
    private final RobotLoader loader;
    /** The links whose contact forces the terms read, in the order of {@link StepState#contactForce}. */
    private final List<String> contactLinks = new ArrayList<>();

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    @SuppressWarnings("unchecked")
    RobotTask(Map<String, Object> y, String source, String sha256, RobotLoader loader) throws IOException {
        this.source = source;
        this.in = new TaskReader(source);
        this.sha256 = sha256;
        this.yaml = y;
        this.loader = loader;
        if (y.containsKey("terminate_when")) throw in.err("'terminate_when' is now 'termination.joint_bounds' (joint: [low, high] under it)");
        in.knownKeys(y, KEYS, "");
        TaskSettings top = TaskSettings.read(y, in);
        name = top.name;
        robotSource = top.robot;
        robot = loader.load(robotSource);
        for (String w : robot.warnings()) LOG.warn(w);
        physicsDt = top.physicsDt;
        controlRateHz = top.controlRateHz;
        double dec = 1.0 / (controlRateHz * physicsDt);
        decimation = (int) Math.round(dec);
        if (decimation < 1 || Math.abs(dec - decimation) > 1e-6) {
            throw in.err("'control_rate_hz' " + controlRateHz + " is not an integer divisor of the physics rate " + 1 / physicsDt + " Hz");
        }
        episodeSteps = top.episodeSteps;
        gravity = in.vec(y.get("gravity"), "gravity", 3, new double[] {0, 0, -9.81});
        commandInterface = top.commandInterface;
        TaskSections sections = new TaskSections(in, robot, robotSource, source);
        actuatedJoints = sections.joints(y, "actuated_joints");
        observedJoints = sections.joints(y, "observed_joints");
        Map<String, Object> gains = in.section(y, "pd_gains", PD_KEYS);
        kp = in.nonNegative(in.vec(gains.get("kp"), "pd_gains.kp", actuatedJoints.size(), null), "pd_gains.kp");
        kd = in.nonNegative(in.vec(gains.get("kd"), "pd_gains.kd", actuatedJoints.size(), null), "pd_gains.kd");
        if (!commandInterface.equals("effort") && kd == null) throw in.err("'" + commandInterface + "' commands need 'pd_gains' (kd, and kp for position)");
        if (commandInterface.equals("position") && kp == null) throw in.err("position commands need 'pd_gains.kp'");
        for (String j : actuatedJoints) {
            UrdfModel.Joint jt = robot.joint(j);
            if (commandInterface.equals("position") && !Double.isFinite(jt.lower())) {
                throw in.err("joint '" + j + "' has no position limits (" + jt.type() + "), so position commands cannot be scaled to them");
            }
            if (commandInterface.equals("effort") && !Double.isFinite(jt.effort())) throw in.err("joint '" + j + "' has no effort limit in " + robotSource);
            if (commandInterface.equals("velocity") && !Double.isFinite(jt.velocity())) throw in.err("joint '" + j + "' has no velocity limit in " + robotSource);
        }
        observation = new ArrayList<>();
        for (Object o : in.list(y.get("observation"), "observation")) {
            String t = String.valueOf(o);
            if (ObservationTerms.get(t) == null) {
                throw in.err("unknown observation term '" + t + "'" + Settings.suggestion(t, ObservationTerms.names()) + "; known: " + new TreeSet<>(ObservationTerms.names()));
            }
            observation.add(t);
        }
        if (observation.isEmpty()) throw in.err("'observation' lists no terms");
        tipLink = top.tipLink;
        if (tipLink != null) {
            try {
                robot.link(tipLink);
            } catch (IllegalArgumentException e) {
                throw in.err("'tip_link' names link '" + tipLink + "', which " + robotSource + " does not have");
            }
        }
        Map<String, Object> target = y.containsKey("target") ? in.section(y, "target", TARGET_KEYS) : null;
        Set<Input> inputs = observationInputs();
        if (inputs.contains(Input.TARGET) && target == null) throw in.err("observation " + observation + " reads a target: the task needs 'target'");
        if (inputs.contains(Input.TIP) && tipLink == null) throw in.err("observation " + observation + " reads the tip's position: the task needs 'tip_link'");
        targetMin = target == null ? null : in.vec(target.get("min"), "target.min", 3, null);
        targetMax = target == null ? null : in.vec(target.get("max"), "target.max", 3, null);
        double[] radius = target == null ? null : in.vec(target.get("radius"), "target.radius", 2, new double[] {0, Double.POSITIVE_INFINITY});
        targetRadiusMin = radius == null ? 0 : radius[0];
        targetRadiusMax = radius == null ? 0 : radius[1];
        if (target != null && (targetMin == null || targetMax == null)) throw in.err("'target' needs 'min' and 'max' (x, y, z)");
        for (int a = 0; targetMin != null && a < 3; a++) {
            if (targetMin[a] > targetMax[a]) throw in.err("'target.min' " + Arrays.toString(targetMin) + " is above 'target.max' " + Arrays.toString(targetMax) + " on axis " + "xyz".charAt(a));
        }
        if (radius != null && !(radius[0] >= 0 && radius[0] <= radius[1])) throw in.err("'target.radius' must be [min, max] with 0 <= min <= max, got " + Arrays.toString(radius));
        Map<String, Object> reset = in.section(y, "reset", RESET_KEYS);
        resetPosNoise = in.nonNegative(in.num(reset, "joint_pos_noise", 0), "reset.joint_pos_noise");
        resetVelNoise = in.nonNegative(in.num(reset, "joint_vel_noise", 0), "reset.joint_vel_noise");
        floatingBase = top.base.equals("floating");
        if (floatingBase && !robot.link(robot.root()).hasMass()) {
            throw in.err("'base: floating' needs a root link with mass, but " + robotSource + "'s root '" + robot.root() + "' has no <inertial>");
        }
        baseStartPosition = in.vec(reset.get("base_position"), "reset.base_position", 3, new double[3]);
        if (!floatingBase && reset.containsKey("base_position")) throw in.err("'reset.base_position' needs 'base: floating'");
        contact = y.containsKey("contact") ? sections.contact(in.section(y, "contact", TaskSections.CONTACT_KEYS)) : null;
        defaultJointPos = sections.defaultJointPositions(y.get("default_joint_pos"));
        actionScale = top.actionScale == null ? Double.NaN : top.actionScale;
        if (top.actionScale != null && !commandInterface.equals("position")) {
            throw in.err("'action_scale' applies to position commands; this task's are '" + commandInterface + "'");
        }
        commands = y.containsKey("commands") ? sections.commands(in.section(y, "commands", TaskSections.COMMAND_KEYS), controlRateHz) : null;
        randomization = y.containsKey("randomization") ? Randomization.read(in, in.section(y, "randomization", RANDOMIZATION_KEYS),
                new Randomization.RobotFacts(robot, floatingBase, contact != null, commandInterface, controlRateHz)) : null;
        noise = y.containsKey("noise") ? sections.observationNoise(y.get("noise"), observation, term -> Observations.size(this, term)) : List.of();
        history = y.containsKey("history") ? sections.history(in.section(y, "history", TaskSections.HISTORY_KEYS), observation) : null;
        actuators = y.containsKey("actuators") ? sections.actuators(y.get("actuators"), commandInterface, actuatedJoints, physicsDt) : null;
        reward = new LinkedHashMap<>();
        Object rw = y.get("reward");
        if (!(rw instanceof Map<?, ?> rm) || rm.isEmpty()) throw in.err("'reward' must map reward terms to weights, or to {weight: w, <parameter>: value}");
        for (Map.Entry<?, ?> e : rm.entrySet()) {
            String t = String.valueOf(e.getKey()), path = "reward." + t;
            RewardTerm.Factory factory = RewardTerms.get(t);
            if (factory == null) throw in.err("unknown reward term '" + path + "'" + Settings.suggestion(t, RewardTerms.names()) + "; known: " + new TreeSet<>(RewardTerms.names()));
            if (t.equals("distance") && (tipLink == null || target == null)) throw in.err("reward term 'distance' needs 'tip_link' and 'target'");
            double weight;
            Map<String, Object> params = new LinkedHashMap<>();
            if (e.getValue() instanceof Map<?, ?> m) {
                m.forEach((k, v) -> params.put(String.valueOf(k), v));
                if (!params.containsKey("weight")) throw in.err("'" + path + "' needs a 'weight'");
                weight = in.number(params.remove("weight"), path + ".weight");
            } else {
                weight = in.number(e.getValue(), path);
            }
            TermParams p = params(params, path);
            RewardTerm term;
            try {
                term = factory.create(p);
            } catch (IllegalArgumentException bad) {
                throw in.err(bad.getMessage());
            }
            if (!p.unread().isEmpty()) throw in.err("unknown parameter '" + p.unread().get(0) + "' of reward term '" + t + "'");
            reward.put(t, weight);
            rewardTerms.add(new WeightedTerm(t, weight, term));
        }
        Object tm = y.get("termination");
        if (tm != null && !(tm instanceof Map<?, ?>)) throw in.err("'termination' must map termination terms to their parameters; known: " + new TreeSet<>(TerminationTerms.names()));
        if (tm instanceof Map<?, ?> terms) {
            for (Map.Entry<?, ?> e : terms.entrySet()) {
                String t = String.valueOf(e.getKey()), path = "termination." + t;
                TerminationTerm.Factory factory = TerminationTerms.get(t);
                if (factory == null) throw in.err("unknown termination term '" + path + "'" + Settings.suggestion(t, TerminationTerms.names()) + "; known: " + new TreeSet<>(TerminationTerms.names()));
                if (!(e.getValue() instanceof Map<?, ?> m)) throw in.err("'" + path + "' must be a mapping of the term's parameters");
                TermParams p = params(m, path);
                TerminationTerm term;
                try {
                    term = factory.create(p);
                } catch (IllegalArgumentException bad) {
                    throw in.err(bad.getMessage());
                }
                if (!p.unread().isEmpty()) throw in.err("unknown parameter '" + p.unread().get(0) + "' of termination term '" + t + "'");
                terminations.add(new NamedTermination(t, term));
            }
        }
        if (!contactLinks.isEmpty() && contact == null) throw in.err("terms read contacts of " + contactLinks + ", but the task has no 'contact' section");
        Object l = y.get("learner");
        if (l != null && !(l instanceof Map)) throw in.err("'learner' must be a mapping of learner settings");
        learner = l == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>((Map<String, Object>) l));
    }

    private TermParams params(Map<?, ?> values, String path) {
        Map<String, Object> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(String.valueOf(k), v));
        return new TermParams(m, path, robot.movableJoints().stream().map(UrdfModel.Joint::name).toList(), robot.links().stream().map(UrdfModel.Link::name).toList(),
                contactLinks);
    }

    /** What the observation's terms read, together: what a robot must serve for this task. */
    public Set<Input> observationInputs() {
        Set<Input> inputs = EnumSet.noneOf(Input.class);
        for (String term : observation) inputs.addAll(ObservationTerms.get(term).inputs());
        return inputs;
    }

    /** The history of this task's observation (a fresh one per consumer), or null without {@code history:}. */
    public ObservationHistory newHistory() {
        if (history == null) return null;
        ObservationTerm.Shape shape = observationShape();
        return new ObservationHistory(history, observation, observation.stream().mapToInt(t -> ObservationTerms.get(t).size(shape)).toArray());
    }

    /**
     * This task with its {@code randomization:} section replaced by {@code settings} (the keys a task
     * file takes there): how sim2sim holds a policy to a stated perturbation set.
     */
    public RobotTask withRandomization(Map<String, Object> settings) throws IOException {
        Map<String, Object> y = new LinkedHashMap<>(yaml);
        y.put("randomization", settings);
        return new RobotTask(y, source, sha256, loader);
    }

    /** This task without its {@code randomization:} section: the nominal robot (another engine judges a policy on its own physics). */
    public RobotTask withoutRandomization() throws IOException {
        if (randomization == null) return this;
        Map<String, Object> y = new LinkedHashMap<>(yaml);
        y.remove("randomization");
        return new RobotTask(y, source, sha256, loader);
    }

    /**
     * What defines this task's robot, dynamics and reward: the task file's settings and the hashes of
     * the file and its URDF. A checkpoint records it, so a resume can name what changed since.
     */
    public Map<String, Object> definition() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", source);
        d.put("task_sha256", sha256);
        d.put("robot_sha256", robot.sha256());
        d.put("settings", yaml);
        return d;
    }

    /**
     * This task with one fixed velocity command (no standing share, no resampling): how a walking
     * policy is evaluated at the command it must track.
     */
    public RobotTask withCommand(double vx, double vy, double yawRate) throws IOException {
        if (commands == null) throw in.err("has no 'commands:', so it takes no velocity command");
        Map<String, Object> y = new LinkedHashMap<>(yaml);
        y.put("commands", Map.of("lin_vel_x", List.of(vx, vx), "lin_vel_y", List.of(vy, vy), "ang_vel_yaw", List.of(yawRate, yawRate)));
        return new RobotTask(y, source, sha256, loader);
    }

    /** The links whose contacts the terms read (the indices of {@link StepState#contactForce}). */
    public List<String> contactLinks() {
        return List.copyOf(contactLinks);
    }

    /** Loads the robot a task refers to, relative to the task file. */
    interface RobotLoader {
        UrdfModel load(String relative) throws IOException;
    }

    /** The weighted sum of the reward terms at this step. */
    public double reward(StepState step) {
        double r = 0;
        for (WeightedTerm w : rewardTerms) r += w.weight() * w.term().value(step);
        return r;
    }

    /** Whether any termination term holds at this step. */
    public boolean terminated(StepState step) {
        for (NamedTermination t : terminations) if (t.term().terminated(step)) return true;
        return false;
    }

    public List<NamedTermination> terminations() {
        return List.copyOf(terminations);
    }

    /** The first reward term that reads joint efforts, or null. */
    public String termUsingEfforts() {
        for (WeightedTerm w : rewardTerms) if (w.term().usesEfforts()) return w.name();
        return null;
    }

    /**
     * The normalised action that holds the robot where it is, the "previous action" of an
     * episode's first step for the {@code action_rate} term: the measured positions under position
     * control, zero velocity or effort otherwise.
     */
    public void restAction(ToDoubleFunction<String> position, float[] into) {
        Space.Box box = actionSpace();
        for (int i = 0; i < into.length; i++) {
            double p = commandInterface.equals("position") ? Math.max(box.low()[i], Math.min(box.high()[i], position.applyAsDouble(actuatedJoints.get(i)))) : 0;
            into[i] = box.normalized(i, p);
        }
    }

    /** What a simulator needs to stand in for this task's robot. */
    public BackendSpec backendSpec() {
        return new BackendSpec(robot, physicsDt, gravity, commandInterface, actuatedJoints, kp, kd, decimation, floatingBase, contact, actuators);
    }

    /** Commands in physical units bounded by the URDF limits of the command interface, actuated-joint order. */
    public Space.Box actionSpace() {
        int n = actuatedJoints.size();
        float[] lo = new float[n], hi = new float[n];
        for (int i = 0; i < n; i++) {
            UrdfModel.Joint j = robot.joint(actuatedJoints.get(i));
            double centre = defaultJointPos[robot.movableJoints().indexOf(j)];
            double[] b = switch (commandInterface) {
                case "position" -> Double.isNaN(actionScale) ? new double[] {j.lower(), j.upper()}
                        : new double[] {Math.max(j.lower(), centre - actionScale), Math.min(j.upper(), centre + actionScale)};
                case "velocity" -> new double[] {-j.velocity(), j.velocity()};
                default -> new double[] {-j.effort(), j.effort()};
            };
            lo[i] = (float) b[0];
            hi[i] = (float) b[1];
        }
        return new Space.Box(lo, hi);
    }

    /** The shape the observation terms size themselves by. */
    public ObservationTerm.Shape observationShape() {
        double[] lower = observedJoints.stream().mapToDouble(j -> robot.joint(j).lower()).toArray();
        double[] upper = observedJoints.stream().mapToDouble(j -> robot.joint(j).upper()).toArray();
        double[] dflt = observedJoints.stream().mapToDouble(j -> defaultJointPos[robot.movableJoints().indexOf(robot.joint(j))]).toArray();
        return new ObservationTerm.Shape(observedJoints.size(), lower, upper, dflt, targetAxes().length, actuatedJoints.size());
    }

    /**
     * The observation's bounds, term by term (each term says: joint limits, ±1 for cos/sin and
     * normalised actions, else unbounded), each term repeated for its history.
     */
    public Space.Box observationSpace() {
        Space.Box frame = frameSpace();
        ObservationHistory h = newHistory();
        if (h == null) return frame;
        int[] idx = h.frameIndex();
        float[] low = new float[idx.length], high = new float[idx.length];
        for (int k = 0; k < idx.length; k++) {
            low[k] = frame.low()[idx[k]];
            high[k] = frame.high()[idx[k]];
        }
        return new Space.Box(low, high);
    }

    /** The bounds of one control period's observation (a frame), without history. */
    public Space.Box frameSpace() {
        ObservationTerm.Shape shape = observationShape();
        int n = 0;
        for (String term : observation) n += ObservationTerms.get(term).size(shape);
        float[] low = new float[n], high = new float[n];
        int k = 0;
        for (String term : observation) {
            ObservationTerm t = ObservationTerms.get(term);
            t.bounds(shape, low, high, k);
            k += t.size(shape);
        }
        return new Space.Box(low, high);
    }

    /**
     * Draws the start state of an episode: every movable joint (URDF order) at its default position (0 unless {@code default_joint_pos}) plus uniform
     * {@code reset.joint_pos_noise} (within its limits), velocity uniform in ±{@code reset.joint_vel_noise}.
     */
    public void sampleStartState(EnvRng rng, double[] q0, double[] qd0) {
        for (int i = 0; i < q0.length; i++) {
            UrdfModel.Joint j = robot.movableJoints().get(i);
            q0[i] = Math.max(j.lower(), Math.min(j.upper(), defaultJointPos[i] + rng.uniform(-resetPosNoise, resetPosNoise)));
            qd0[i] = rng.uniform(-resetVelNoise, resetVelNoise);
        }
    }

    /** Draws a target (world frame) into {@code out} from the task's box and radius bounds. */
    public void sampleTarget(EnvRng rng, double[] out) {
        int[] axes = targetAxes();
        for (int tries = 0; tries < 100_000; tries++) {
            double r2 = 0;
            for (int a = 0; a < 3; a++) out[a] = targetMin[a] == targetMax[a] ? targetMin[a] : rng.uniform(targetMin[a], targetMax[a]);
            for (int a : axes) r2 += out[a] * out[a];
            double r = Math.sqrt(r2);
            if (r >= targetRadiusMin && r <= targetRadiusMax) return;
        }
        throw new IllegalArgumentException(source + ": no target satisfies target.min/max and target.radius together");
    }

    /** Target axes that vary (a planar task's target has a fixed height and is observed in 2-D); all three for a fixed target. */
    public int[] targetAxes() {
        if (targetMin == null) return new int[0];
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < 3; i++) if (targetMax[i] > targetMin[i]) axes.add(i);
        if (axes.isEmpty()) return new int[] {0, 1, 2}; // a fixed target point: distance in 3-D
        return axes.stream().mapToInt(Integer::intValue).toArray();
    }
}
