package pponode.env;

import java.io.IOException;
import java.nio.file.Path;
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
            CONTACT_KEYS = Set.of("ground", "friction", "restitution", "erp", "cfm", "self_collision", "mesh_shape", "links"),
            SURFACE_KEYS = Set.of("friction", "restitution"), COMMAND_KEYS = Set.of("lin_vel_x", "lin_vel_y", "ang_vel_yaw", "standing", "resample_s"),
            RANDOMIZATION_KEYS = Set.of("kp_scale", "kd_scale", "motor_strength", "action_delay_steps", "friction_scale", "mass_scale", "push",
                    "base_added_mass", "base_com_offset", "restitution", "joint_damping", "joint_friction", "stance_offset", "observation_delay_steps",
                    "link_mass_scale"),
            HISTORY_KEYS = Set.of("length", "terms", "order"),
            ACTUATOR_KEYS = Set.of("joints", "model", "saturation_effort", "velocity_limit", "delay_steps", "file");

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
        actuatedJoints = joints(y, "actuated_joints");
        observedJoints = joints(y, "observed_joints");
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
        contact = y.containsKey("contact") ? contact(in.section(y, "contact", CONTACT_KEYS)) : null;
        defaultJointPos = defaultJointPositions(y.get("default_joint_pos"));
        actionScale = top.actionScale == null ? Double.NaN : top.actionScale;
        if (top.actionScale != null && !commandInterface.equals("position")) {
            throw in.err("'action_scale' applies to position commands; this task's are '" + commandInterface + "'");
        }
        commands = y.containsKey("commands") ? commands(in.section(y, "commands", COMMAND_KEYS)) : null;
        randomization = y.containsKey("randomization") ? Randomization.read(in, in.section(y, "randomization", RANDOMIZATION_KEYS),
                new Randomization.RobotFacts(robot, floatingBase, contact != null, commandInterface, controlRateHz)) : null;
        noise = y.containsKey("noise") ? observationNoise(y.get("noise")) : List.of();
        history = y.containsKey("history") ? history(in.section(y, "history", HISTORY_KEYS)) : null;
        actuators = y.containsKey("actuators") ? actuators(y.get("actuators")) : null;
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

    @SuppressWarnings("unchecked")
    private ContactSettings contact(Map<String, Object> c) {
        ContactSettings d = ContactSettings.defaults();
        Object g = c.getOrDefault("ground", true);
        if (!(g instanceof Boolean ground)) throw in.err("'contact.ground' must be true or false, got '" + g + "'");
        Object sc = c.getOrDefault("self_collision", false);
        if (!(sc instanceof Boolean self)) throw in.err("'contact.self_collision' must be true or false, got '" + sc + "'");
        ContactSettings.Surface surface = surface(c, "contact", d.surface());
        Map<String, ContactSettings.Surface> links = new LinkedHashMap<>();
        Object l = c.get("links");
        if (l != null && !(l instanceof Map<?, ?>)) throw in.err("'contact.links' must map link names to {friction, restitution}");
        if (l instanceof Map<?, ?> lm) {
            for (Map.Entry<?, ?> e : lm.entrySet()) {
                String link = String.valueOf(e.getKey()), path = "contact.links." + link;
                if (robot.links().stream().noneMatch(x -> x.name().equals(link))) throw in.err("'" + path + "' names link '" + link + "', which " + robotSource + " does not have");
                if (!(e.getValue() instanceof Map<?, ?>)) throw in.err("'" + path + "' must be a mapping with keys " + new TreeSet<>(SURFACE_KEYS));
                Map<String, Object> m = (Map<String, Object>) e.getValue();
                in.knownKeys(m, SURFACE_KEYS, path + ".");
                links.put(link, surface(m, path, surface));
            }
        }
        double erp = in.num(c, "erp", d.erp()), cfm = in.num(c, "cfm", d.cfm());
        if (!(erp > 0 && erp <= 1)) throw in.err("'contact.erp' must be in (0, 1], got " + erp);
        if (!(cfm >= 0)) throw in.err("'contact.cfm' must be >= 0, got " + cfm);
        String mesh = in.str(c, "mesh_shape", "convex_hull");
        ContactSettings.MeshShape shape = switch (mesh) {
            case "convex_hull" -> ContactSettings.MeshShape.CONVEX_HULL;
            case "triangles" -> ContactSettings.MeshShape.TRIANGLES;
            default -> throw in.err("'contact.mesh_shape' must be 'convex_hull' or 'triangles', got '" + mesh + "'");
        };
        return new ContactSettings(ground, surface, links, erp, cfm, self, shape);
    }

    private ContactSettings.Surface surface(Map<String, Object> m, String path, ContactSettings.Surface dflt) {
        double mu = in.nonNegative(in.num(m, "friction", dflt.friction()), path + ".friction");
        double e = in.num(m, "restitution", dflt.restitution());
        if (!(e >= 0 && e <= 1)) throw in.err("'" + path + ".restitution' must be in [0, 1], got " + e);
        return new ContactSettings.Surface(mu, e);
    }

    private double[] defaultJointPositions(Object o) {
        List<UrdfModel.Joint> movable = robot.movableJoints();
        double[] out = new double[movable.size()];
        if (o == null) return out;
        if (!(o instanceof Map<?, ?> m)) throw in.err("'default_joint_pos' must map joint names to positions");
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String j = String.valueOf(e.getKey());
            checkJoint(j, "default_joint_pos");
            int i = movable.indexOf(robot.joint(j));
            out[i] = in.number(e.getValue(), "default_joint_pos." + j);
            UrdfModel.Joint jt = movable.get(i);
            if (out[i] < jt.lower() || out[i] > jt.upper()) throw in.err("'default_joint_pos." + j + "' " + out[i] + " is outside the joint's limits [" + jt.lower() + ", " + jt.upper() + "]");
        }
        return out;
    }

    /** {@code noise:}: observation term → {uniform: a} or {gaussian: sigma}, each term one the task observes. */
    private List<ObservationNoise> observationNoise(Object o) {
        if (!(o instanceof Map<?, ?> m) || m.isEmpty()) throw in.err("'noise' must map observation terms to {uniform: a} or {gaussian: sigma}");
        List<ObservationNoise> out = new ArrayList<>();
        int offset = 0;
        for (String term : observation) {
            int size = Observations.size(this, term);
            Object spec = m.get(term);
            if (spec != null) {
                String path = "noise." + term;
                if (!(spec instanceof Map<?, ?> sm) || sm.size() != 1) throw in.err("'" + path + "' must be {uniform: a} or {gaussian: sigma}");
                Map.Entry<?, ?> e = sm.entrySet().iterator().next();
                String kind = String.valueOf(e.getKey());
                if (!kind.equals("uniform") && !kind.equals("gaussian")) throw in.err("'" + path + "." + kind + "': noise is 'uniform' or 'gaussian'");
                double scale = in.nonNegative(in.number(e.getValue(), path + "." + kind), path + "." + kind);
                out.add(new ObservationNoise(term, offset, size, kind.equals("gaussian"), scale));
            }
            offset += size;
        }
        for (Object k : m.keySet()) {
            if (!observation.contains(String.valueOf(k))) {
                throw in.err("'noise." + k + "' names no term of 'observation' " + observation + Settings.suggestion(String.valueOf(k), observation));
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@code history:}: {@code length: N} (every term) or {@code terms: {term: N, ...}} (the others
     * 1), and {@code order: term_major} (the default) or {@code time_major} (whole frames; every
     * term the same length).
     */
    private ObservationHistory.Spec history(Map<String, Object> h) {
        Map<String, Integer> lengths = new LinkedHashMap<>();
        if (h.containsKey("length") == h.containsKey("terms")) throw in.err("'history' takes 'length' (every term) or 'terms' (term: frames), one of them");
        if (h.containsKey("length")) {
            int n = historyLength(h.get("length"), "history.length");
            for (String term : observation) lengths.put(term, n);
        } else {
            if (!(h.get("terms") instanceof Map<?, ?> m) || m.isEmpty()) throw in.err("'history.terms' must map observation terms to frame counts");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String term = String.valueOf(e.getKey());
                if (!observation.contains(term)) throw in.err("'history.terms." + term + "' names no term of 'observation' " + observation + Settings.suggestion(term, observation));
                lengths.put(term, historyLength(e.getValue(), "history.terms." + term));
            }
        }
        String order = String.valueOf(h.getOrDefault("order", "term_major"));
        ObservationHistory.Order o = switch (order) {
            case "term_major" -> ObservationHistory.Order.TERM_MAJOR;
            case "time_major" -> ObservationHistory.Order.TIME_MAJOR;
            default -> throw in.err("'history.order' is term_major or time_major, got '" + order + "'");
        };
        if (o == ObservationHistory.Order.TIME_MAJOR && !h.containsKey("length")) throw in.err("'history.order: time_major' stacks whole frames: give 'history.length'");
        return new ObservationHistory.Spec(Map.copyOf(lengths), o);
    }

    private int historyLength(Object v, String path) {
        double n = in.number(v, path);
        if (!(n >= 1 && n <= 100 && n == Math.rint(n))) throw in.err("'" + path + "' must be a whole number of frames in 1..100, got " + v);
        return (int) n;
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
     * {@code actuators:}: a list of joint groups, each {@code joints} (default: every actuated
     * joint) and a {@code model}: ideal_pd; dc_motor (saturation_effort, velocity_limit: default the
     * joint's URDF effort and velocity); delayed_pd (delay_steps, physics steps); network (file: an
     * actuator net from fit-actuator, relative to the task file). A joint in no group is ideal PD.
     */
    private List<ActuatorModel> actuators(Object o) {
        if (!commandInterface.equals("position")) throw in.err("'actuators' model motors that take position commands; this task's are '" + commandInterface + "'");
        if (!(o instanceof List<?> groups) || groups.isEmpty()) throw in.err("'actuators' must be a list of joint groups, each {joints: [...], model: ...}");
        ActuatorModel[] models = new ActuatorModel[actuatedJoints.size()];
        for (int g = 0; g < groups.size(); g++) {
            String path = "actuators[" + g + "]";
            if (!(groups.get(g) instanceof Map<?, ?>)) throw in.err("'" + path + "' must be a mapping {joints: [...], model: ...}");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) groups.get(g);
            in.knownKeys(m, ACTUATOR_KEYS, path + ".");
            List<String> joints = m.containsKey("joints") ? joints(m, "joints") : actuatedJoints;
            String model = String.valueOf(m.get("model"));
            ActuatorNetFile net = model.equals("network") ? actuatorNet(m, path) : null;
            for (String j : joints) {
                int i = actuatedJoints.indexOf(j);
                if (i < 0) throw in.err("'" + path + ".joints' names '" + j + "', which is not in actuated_joints " + actuatedJoints);
                if (models[i] != null) throw in.err("joint '" + j + "' is in two actuator groups");
                UrdfModel.Joint u = robot.joint(j);
                try {
                    models[i] = switch (model) {
                        case "ideal_pd" -> new ActuatorModel.IdealPd();
                        case "dc_motor" -> new ActuatorModel.DcMotor(in.num(m, "saturation_effort", u.effort()), in.num(m, "velocity_limit", u.velocity()));
                        case "delayed_pd" -> {
                            double d = in.num(m, "delay_steps", Double.NaN);
                            if (!(d >= 0 && d == Math.rint(d))) throw in.err("'" + path + ".delay_steps' must be a whole number of physics steps >= 0");
                            yield new ActuatorModel.DelayedPd((int) d);
                        }
                        case "network" -> new ActuatorModel.Network(net.net(), spacingSteps(net, path));
                        default -> throw in.err("'" + path + ".model' is ideal_pd, dc_motor, delayed_pd or network, got '" + model + "'");
                    };
                } catch (IllegalArgumentException e) {
                    throw in.err("'" + path + "': " + e.getMessage());
                }
            }
        }
        for (int i = 0; i < models.length; i++) if (models[i] == null) models[i] = new ActuatorModel.IdealPd();
        return List.of(models);
    }

    private ActuatorNetFile actuatorNet(Map<String, Object> m, String path) {
        if (!m.containsKey("file")) throw in.err("'" + path + "' (model network) needs 'file': an actuator net written by ppo-node fit-actuator");
        if (source.startsWith("jar:")) throw in.err("'" + path + ".file': a task inside the jar cannot name a file; copy the task file next to the net");
        Path file = Path.of(source).toAbsolutePath().getParent().resolve(String.valueOf(m.get("file")));
        try {
            return ActuatorNetFile.read(file);
        } catch (IOException e) {
            throw in.err("'" + path + ".file': " + e.getMessage());
        }
    }

    /** The net's sample spacing in physics steps: the log's joint-state period must be a whole number of them. */
    private int spacingSteps(ActuatorNetFile net, String path) {
        double steps = net.spacingSeconds() / physicsDt;
        long k = Math.round(steps);
        if (k < 1 || Math.abs(steps - k) > 1e-3 * k) {
            throw in.err("'" + path + ".file': its samples are " + net.spacingSeconds() + " s apart, not a whole number of this task's physics steps (" + physicsDt + " s)");
        }
        return (int) k;
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

    private VelocityCommands commands(Map<String, Object> c) {
        double[][] r = new double[3][];
        String[] keys = {"lin_vel_x", "lin_vel_y", "ang_vel_yaw"};
        for (int a = 0; a < 3; a++) {
            r[a] = in.vec(c.get(keys[a]), "commands." + keys[a], 2, new double[2]);
            if (r[a][0] > r[a][1]) throw in.err("'commands." + keys[a] + "' must be [low, high] with low <= high, got " + Arrays.toString(r[a]));
        }
        double standing = c.containsKey("standing") ? in.number(c.get("standing"), "commands.standing") : 0;
        if (!(standing >= 0 && standing <= 1)) throw in.err("'commands.standing' is the share of zero commands, in [0, 1]; got " + standing);
        int resampleSteps = 0;
        if (c.containsKey("resample_s")) {
            double s = in.number(c.get("resample_s"), "commands.resample_s");
            resampleSteps = (int) Math.round(s * controlRateHz);
            if (!(s > 0) || Math.abs(s * controlRateHz - resampleSteps) > 1e-6) {
                throw in.err("'commands.resample_s' must be a positive whole number of control periods (1/" + controlRateHz + " s), got " + s);
            }
        }
        return new VelocityCommands(r, standing, resampleSteps);
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

    private void checkJoint(String j, String key) {
        if (robot.movableJoints().stream().noneMatch(x -> x.name().equals(j))) {
            throw in.err("'" + key + "' names joint '" + j + "', which is not a movable joint of " + robotSource + "; movable joints: "
                    + robot.movableJoints().stream().map(UrdfModel.Joint::name).toList());
        }
    }

    private List<String> joints(Map<String, Object> y, String key) {
        List<String> out = new ArrayList<>();
        for (Object o : in.list(y.get(key), key)) {
            String j = String.valueOf(o);
            checkJoint(j, key);
            if (out.contains(j)) throw in.err("'" + key + "' lists joint '" + j + "' twice");
            out.add(j);
        }
        if (out.isEmpty()) throw in.err("'" + key + "' lists no joints");
        return List.copyOf(out);
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
