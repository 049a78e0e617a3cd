package pponode.runner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
