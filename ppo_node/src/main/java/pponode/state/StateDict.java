package pponode.state;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a component saves of itself and reads back (PyTorch's state_dict): named values that JSON can
 * hold and named float32 arrays. Each component of a run (networks, optimizer, normalizers, reward
 * scaling, episode statistics, the runner's counters) writes its own keys into one of these, and a
 * checkpoint file stores it. A missing or mistyped key is an error naming the key and the file.
 */
public final class StateDict {
    private final Map<String, Object> values;
    private final Map<String, float[]> arrays;
    private final String source;

    public StateDict() {
        this(new LinkedHashMap<>(), new LinkedHashMap<>(), "state");
    }

    /** A state read from {@code source} (a file name, for messages). */
    public StateDict(Map<String, Object> values, Map<String, float[]> arrays, String source) {
        this.values = values;
        this.arrays = arrays;
        this.source = source;
    }

    /** Every named value, in insertion order (what a checkpoint writes as JSON). */
    public Map<String, Object> values() {
        return values;
    }

    /** Every named array, in insertion order. */
    public Map<String, float[]> arrays() {
        return arrays;
    }

    public String source() {
        return source;
    }

    public void put(String key, Object value) {
        values.put(key, value);
    }

    public void putArray(String key, float[] a) {
        arrays.put(key, a.clone());
    }

    public void putBytes(String key, byte[] b) {
        values.put(key, Base64.getEncoder().encodeToString(b));
    }

    /** Whether {@code key} holds a value (null counts as absent). */
    public boolean has(String key) {
        return values.get(key) != null;
    }

    public Object get(String key) throws IOException {
        Object o = values.get(key);
        if (o == null) throw new IOException(source + " has no '" + key + "'");
        return o;
    }

    public float[] array(String key) throws IOException {
        float[] a = arrays.get(key);
        if (a == null) throw new IOException(source + " has no array '" + key + "'");
        return a;
    }

    public double number(String key) throws IOException {
        if (get(key) instanceof Number n) return n.doubleValue();
        throw mistyped(key, "a number");
    }

    public long integer(String key) throws IOException {
        if (get(key) instanceof Number n) return n.longValue();
        throw mistyped(key, "an integer");
    }

    public byte[] bytes(String key) throws IOException {
        try {
            return Base64.getDecoder().decode((String) get(key));
        } catch (ClassCastException | IllegalArgumentException e) {
            throw mistyped(key, "base64 text");
        }
    }

    /** A list of numbers. */
    public double[] doubles(String key) throws IOException {
        List<?> l = list(key);
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            if (!(l.get(i) instanceof Number n)) throw mistyped(key, "a list of numbers");
            d[i] = n.doubleValue();
        }
        return d;
    }

    public List<?> list(String key) throws IOException {
        if (get(key) instanceof List<?> l) return l;
        throw mistyped(key, "a list");
    }

    /** A nested mapping of values, as its own state (e.g. one normalizer's statistics). */
    @SuppressWarnings("unchecked")
    public StateDict child(String key) throws IOException {
        if (get(key) instanceof Map<?, ?> m) return new StateDict((Map<String, Object>) m, Map.of(), source + " '" + key + "'");
        throw mistyped(key, "a mapping");
    }

    /** Stores {@code child}'s values (not its arrays) as a nested mapping under {@code key}. */
    public void putChild(String key, StateDict child) {
        values.put(key, new LinkedHashMap<>(child.values));
    }

    /** Helper for components that store a list of float rows (JSON has no float arrays). */
    public static List<List<Double>> rows(float[][] a) {
        List<List<Double>> out = new ArrayList<>();
        for (float[] row : a) {
            List<Double> r = new ArrayList<>();
            for (float f : row) r.add((double) f);
            out.add(r);
        }
        return out;
    }

    private IOException mistyped(String key, String what) {
        return new IOException(source + ": '" + key + "' must be " + what + ", got " + values.get(key));
    }
}
