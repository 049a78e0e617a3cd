package pponode.env;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import pponode.settings.Settings;
import pponode.sim.ContactSettings;
import pponode.sim.actuator.ActuatorModel;
import pponode.sim.urdf.UrdfModel;

/**
 * The sections of a task file below its top-level keys ({@link TaskSettings}): joints by name,
 * default joint positions, contact, velocity commands, observation noise and history, actuator
 * models. Each is checked against the robot's URDF, and a mistake is an error naming the file and
 * the key's path. {@link RobotTask} assembles the task from them.
 */
final class TaskSections {
    static final Set<String> CONTACT_KEYS = Set.of("ground", "friction", "restitution", "erp", "cfm", "self_collision", "mesh_shape", "links"),
            SURFACE_KEYS = Set.of("friction", "restitution"), COMMAND_KEYS = Set.of("lin_vel_x", "lin_vel_y", "ang_vel_yaw", "standing", "resample_s"),
            HISTORY_KEYS = Set.of("length", "terms", "order"),
            ACTUATOR_KEYS = Set.of("joints", "model", "saturation_effort", "velocity_limit", "delay_steps", "file");

    private final TaskReader in;
    private final UrdfModel robot;
    private final String robotSource, source;

    /** Sections of the task file {@code source}, whose robot is {@code robot} (read from {@code robotSource}). */
    TaskSections(TaskReader in, UrdfModel robot, String robotSource, String source) {
        this.in = in;
        this.robot = robot;
        this.robotSource = robotSource;
        this.source = source;
    }

    @SuppressWarnings("unchecked")
    ContactSettings contact(Map<String, Object> c) {
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

    ContactSettings.Surface surface(Map<String, Object> m, String path, ContactSettings.Surface dflt) {
        double mu = in.nonNegative(in.num(m, "friction", dflt.friction()), path + ".friction");
        double e = in.num(m, "restitution", dflt.restitution());
        if (!(e >= 0 && e <= 1)) throw in.err("'" + path + ".restitution' must be in [0, 1], got " + e);
        return new ContactSettings.Surface(mu, e);
    }

    double[] defaultJointPositions(Object o) {
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
    List<RobotTask.ObservationNoise> observationNoise(Object o, List<String> observation, ToIntFunction<String> termSize) {
        if (!(o instanceof Map<?, ?> m) || m.isEmpty()) throw in.err("'noise' must map observation terms to {uniform: a} or {gaussian: sigma}");
        List<RobotTask.ObservationNoise> out = new ArrayList<>();
        int offset = 0;
        for (String term : observation) {
            int size = termSize.applyAsInt(term);
            Object spec = m.get(term);
            if (spec != null) {
                String path = "noise." + term;
                if (!(spec instanceof Map<?, ?> sm) || sm.size() != 1) throw in.err("'" + path + "' must be {uniform: a} or {gaussian: sigma}");
                Map.Entry<?, ?> e = sm.entrySet().iterator().next();
                String kind = String.valueOf(e.getKey());
                if (!kind.equals("uniform") && !kind.equals("gaussian")) throw in.err("'" + path + "." + kind + "': noise is 'uniform' or 'gaussian'");
                double scale = in.nonNegative(in.number(e.getValue(), path + "." + kind), path + "." + kind);
                out.add(new RobotTask.ObservationNoise(term, offset, size, kind.equals("gaussian"), scale));
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
    ObservationHistory.Spec history(Map<String, Object> h, List<String> observation) {
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

    int historyLength(Object v, String path) {
        double n = in.number(v, path);
        if (!(n >= 1 && n <= 100 && n == Math.rint(n))) throw in.err("'" + path + "' must be a whole number of frames in 1..100, got " + v);
        return (int) n;
    }

    /**
     * {@code actuators:}: a list of joint groups, each {@code joints} (default: every actuated
     * joint) and a {@code model}: ideal_pd; dc_motor (saturation_effort, velocity_limit: default the
     * joint's URDF effort and velocity); delayed_pd (delay_steps, physics steps); network (file: an
     * actuator net from fit-actuator, relative to the task file). A joint in no group is ideal PD.
     */
    List<ActuatorModel> actuators(Object o, String commandInterface, List<String> actuatedJoints, double physicsDt) {
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
                        case "network" -> new ActuatorModel.Network(net.net(), spacingSteps(net, path, physicsDt));
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

    ActuatorNetFile actuatorNet(Map<String, Object> m, String path) {
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
    int spacingSteps(ActuatorNetFile net, String path, double physicsDt) {
        double steps = net.spacingSeconds() / physicsDt;
        long k = Math.round(steps);
        if (k < 1 || Math.abs(steps - k) > 1e-3 * k) {
            throw in.err("'" + path + ".file': its samples are " + net.spacingSeconds() + " s apart, not a whole number of this task's physics steps (" + physicsDt + " s)");
        }
        return (int) k;
    }

    VelocityCommands commands(Map<String, Object> c, double controlRateHz) {
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

    void checkJoint(String j, String key) {
        if (robot.movableJoints().stream().noneMatch(x -> x.name().equals(j))) {
            throw in.err("'" + key + "' names joint '" + j + "', which is not a movable joint of " + robotSource + "; movable joints: "
                    + robot.movableJoints().stream().map(UrdfModel.Joint::name).toList());
        }
    }

    List<String> joints(Map<String, Object> y, String key) {
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
}
