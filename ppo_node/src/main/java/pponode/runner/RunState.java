package pponode.runner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.env.Space;
import pponode.modules.RunningMeanStd;
import pponode.ppo.PPOConfig;

/** Conversions between run state and a checkpoint's JSON metadata. */
final class RunState {
    private RunState() {}

    static Map<String, Object> policyMeta(PPOConfig cfg, Space obs, Space act, RunningMeanStd obsRms) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", Checkpoint.FORMAT);
        m.put("producer", "ppo_node " + Version.get());
        m.put("config", cfg.toMap());
        m.put("observation_space", space(obs));
        m.put("action_space", space(act));
        m.put("obs_rms", obsRms == null ? null : rms(obsRms));
        return m;
    }

    static Map<String, Object> space(Space s) {
        Map<String, Object> m = new LinkedHashMap<>();
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
        return m;
    }

    @SuppressWarnings("unchecked")
    static Space[] spaces(Checkpoint ck) throws IOException {
        return new Space[] {space((Map<String, Object>) ck.meta.get("observation_space")), space((Map<String, Object>) ck.meta.get("action_space"))};
    }

    @SuppressWarnings("unchecked")
    static Space space(Map<String, Object> m) throws IOException {
        if (m == null) throw new IOException("checkpoint has no space description");
        if ("discrete".equals(m.get("type"))) return new Space.Discrete(((Number) m.get("n")).intValue());
        List<Integer> shape = (List<Integer>) m.get("shape");
        int[] sh = shape.stream().mapToInt(Integer::intValue).toArray();
        return new Space.Box(toFloats((List<Object>) m.get("low")), toFloats((List<Object>) m.get("high")), sh);
    }

    /** JSON has no infinity: bounds are stored as numbers or the strings "inf"/"-inf". */
    static List<Object> floats(float[] a) {
        List<Object> l = new ArrayList<>();
        for (float f : a) l.add(Float.isInfinite(f) ? (f > 0 ? "inf" : "-inf") : (Object) (double) f);
        return l;
    }

    static float[] toFloats(List<Object> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            Object o = l.get(i);
            f[i] = o instanceof String s ? (s.startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY) : ((Number) o).floatValue();
        }
        return f;
    }

    static Map<String, Object> rms(RunningMeanStd r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", r.mean());
        m.put("var", r.var());
        m.put("count", r.count());
        return m;
    }

    @SuppressWarnings("unchecked")
    static void loadRms(Object o, RunningMeanStd r) {
        Map<String, Object> m = (Map<String, Object>) o;
        r.load(doubles(m.get("mean")), doubles(m.get("var")), ((Number) m.get("count")).doubleValue());
    }

    static RunningMeanStd obsRms(Checkpoint ck, int dim) {
        Object o = ck.meta.get("obs_rms");
        if (o == null) return null;
        RunningMeanStd r = new RunningMeanStd(dim);
        loadRms(o, r);
        return r;
    }

    @SuppressWarnings("unchecked")
    static double[] doubles(Object o) {
        List<Number> l = (List<Number>) o;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) d[i] = l.get(i).doubleValue();
        return d;
    }

    @SuppressWarnings("unchecked")
    static PPOConfig config(Checkpoint ck) throws IOException {
        Object c = ck.meta.get("config");
        if (!(c instanceof Map)) throw new IOException("checkpoint has no config");
        PPOConfig cfg = new PPOConfig();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) c).entrySet()) {
            if (PPOConfig.keys().contains(e.getKey())) cfg.set(e.getKey(), e.getValue());
        }
        return cfg;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] unb64(Object s) {
        return Base64.getDecoder().decode((String) s);
    }
}
