package pponode.runner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import pponode.config.PPOConfig;
import pponode.env.Space;
import pponode.state.StateDict;

/** What every checkpoint and policy file holds besides the components' state: format, producer, config and spaces. */
public final class RunState {
    private RunState() {}

    /** The observation and action spaces a policy was trained on. */
    public record Spaces(Space observation, Space action) {}

    /** A new state with the file's header: format, producer, the run's config and its spaces. */
    static StateDict header(PPOConfig cfg, Space obs, Space act) {
        StateDict s = new StateDict();
        s.put("format", Checkpoint.FORMAT);
        s.put("producer", "ppo_node " + Version.get());
        s.put("config", cfg.toMap());
        s.put("observation_space", space(obs));
        s.put("action_space", space(act));
        return s;
    }

    /** The run's configuration saved in {@code s}; keys this version does not know are skipped. */
    public static PPOConfig config(StateDict s) throws IOException {
        StateDict c = s.child("config");
        PPOConfig cfg = new PPOConfig();
        for (Map.Entry<String, Object> e : c.values().entrySet()) {
            if (PPOConfig.keys().contains(e.getKey())) cfg.set(e.getKey(), e.getValue());
        }
        // Checkpoints from before the host learner were trained by the engine: they continue on it,
        // so a resumed run's numbers are those of the run it continues (--set learner_backend=... changes it).
        if (!c.values().containsKey("learner_backend")) cfg.learnerBackend = "djl";
        // Likewise, checkpoints from before the threaded update continue on one thread.
        if (!c.values().containsKey("learner_threads")) cfg.learnerThreads = 1;
        return cfg;
    }

    /**
     * What differs between the task a checkpoint was trained on ({@code "task"} in it, see
     * {@link pponode.env.Env#definition()}) and {@code current}: one entry per changed setting
     * ({@code reward.distance: -1.0 → -2.0}), plus the robot file if its hash changed. Empty when
     * nothing changed, or when the checkpoint predates task records or is not of a robot task.
     */
    public static List<String> taskChanges(StateDict ck, Map<String, Object> current) {
        Object saved = ck.values().get("task");
        if (!(saved instanceof Map<?, ?> was) || current.isEmpty()) return List.of();
        List<String> changes = new ArrayList<>();
        Map<String, String> before = new TreeMap<>(), after = new TreeMap<>();
        flatten("", was.get("settings"), before);
        flatten("", current.get("settings"), after);
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            String b = before.get(k), a = after.get(k);
            if (!Objects.equals(b, a)) changes.add(k + ": " + (b == null ? "(absent)" : b) + " → " + (a == null ? "(absent)" : a));
        }
        if (!Objects.equals(was.get("robot_sha256"), current.get("robot_sha256"))) changes.add("the robot's URDF file (its SHA-256 differs)");
        return changes;
    }

    /** Dotted paths to leaf values; numbers compare by value (1 and 1.0 are one setting). */
    private static void flatten(String prefix, Object v, Map<String, String> out) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
        } else if (v instanceof List<?> l) {
            List<String> items = new ArrayList<>();
            for (Object x : l) items.add(x instanceof Map || x instanceof List ? String.valueOf(x) : leaf(x));
            out.put(prefix, items.toString());
        } else if (v != null) {
            out.put(prefix, leaf(v));
        }
    }

    private static String leaf(Object x) {
        return x instanceof Number n ? String.valueOf(n.doubleValue()) : String.valueOf(x);
    }

    static Spaces spaces(StateDict s) throws IOException {
        return new Spaces(space(s.child("observation_space")), space(s.child("action_space")));
    }

    private static Map<String, Object> space(Space s) {
        StateDict m = new StateDict();
        if (s instanceof Space.Discrete d) {
            m.put("type", "discrete");
            m.put("n", d.n());
        } else {
            Space.Box b = (Space.Box) s;
            m.put("type", "box");
            m.put("low", floats(b.low()));
            m.put("high", floats(b.high()));
            List<Integer> shape = new ArrayList<>();
            for (int x : b.shape()) shape.add(x);
            m.put("shape", shape);
        }
        return m.values();
    }

    private static Space space(StateDict m) throws IOException {
        if ("discrete".equals(m.get("type"))) return new Space.Discrete((int) m.integer("n"));
        double[] shape = m.doubles("shape");
        int[] sh = new int[shape.length];
        for (int i = 0; i < sh.length; i++) sh[i] = (int) shape[i];
        return new Space.Box(toFloats(m.list("low")), toFloats(m.list("high")), sh);
    }

    /** JSON has no infinity: bounds are stored as numbers or the strings "inf"/"-inf". */
    private static List<Object> floats(float[] a) {
        List<Object> l = new ArrayList<>();
        for (float f : a) l.add(Float.isInfinite(f) ? (f > 0 ? "inf" : "-inf") : (Object) (double) f);
        return l;
    }

    /** Floats from a JSON list of numbers or "inf"/"-inf". */
    static float[] toFloats(List<?> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            Object o = l.get(i);
            f[i] = o instanceof String s ? (s.startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY) : ((Number) o).floatValue();
        }
        return f;
    }
}
