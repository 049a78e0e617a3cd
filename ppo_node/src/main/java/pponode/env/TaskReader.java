package pponode.env;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import pponode.settings.Settings;

/**
 * Typed reads of a task file's values: numbers, lists of numbers, ranges and sections, each
 * mistake an error naming the file and the key's path in it (never a silent default).
 */
final class TaskReader {
    final String source;

    TaskReader(String source) {
        this.source = source;
    }

    /** A [min, max] range of an amount added to every joint (>= 0); null when absent. */
    double[] addedRange(Map<String, Object> r, String key) {
        if (!r.containsKey(key)) return null;
        double[] v = vec(r.get(key), "randomization." + key, 2, null);
        if (!(v[0] >= 0 && v[0] <= v[1] && Double.isFinite(v[1]))) throw err("'randomization." + key + "' must be [min, max] with 0 <= min <= max, got " + Arrays.toString(v));
        return v;
    }

    /** A [min, max] range of a positive scale; [1, 1] when absent. */
    double[] scaleRange(Map<String, Object> r, String key) {
        return scaleRange(r, key, "randomization.");
    }

    double[] scaleRange(Map<String, Object> r, String key, String prefix) {
        double[] v = vec(r.get(key), prefix + key, 2, new double[] {1, 1});
        if (!(v[0] > 0 && v[0] <= v[1] && Double.isFinite(v[1]))) throw err("'" + prefix + key + "' must be [min, max] with 0 < min <= max, got " + Arrays.toString(v));
        return v;
    }

    /** The mapping under {@code key} (empty when absent), every key in it known: a misspelt one is an error naming its path. */
    @SuppressWarnings("unchecked")
    Map<String, Object> section(Map<String, Object> y, String key, Set<String> known) {
        Object o = y.get(key);
        if (o == null) return Map.of();
        if (!(o instanceof Map<?, ?>)) throw err("'" + key + "' must be a mapping with keys " + new TreeSet<>(known));
        Map<String, Object> m = (Map<String, Object>) o;
        knownKeys(m, known, key + ".");
        return m;
    }

    void knownKeys(Map<String, Object> m, Set<String> known, String path) {
        for (Object k : m.keySet()) {
            String key = String.valueOf(k);
            if (!known.contains(key)) throw err("unknown key '" + path + key + "'" + Settings.suggestion(key, known) + "; known keys: " + new TreeSet<>(known));
        }
    }

    double nonNegative(double v, String key) {
        if (v < 0) throw err("'" + key + "' must be >= 0, got " + v);
        return v;
    }

    double[] nonNegative(double[] v, String key) {
        if (v != null) for (double x : v) nonNegative(x, key);
        return v;
    }

    IllegalArgumentException err(String msg) {
        return new IllegalArgumentException(source + ": " + msg);
    }

    List<?> list(Object o, String key) {
        if (o == null) throw err("missing '" + key + "'");
        if (!(o instanceof List<?> l)) throw err("'" + key + "' must be a list");
        return l;
    }

    String str(Map<String, Object> y, String key, String dflt) {
        Object o = y.get(key);
        if (o == null) {
            if (dflt == null && (key.equals("name") || key.equals("robot"))) throw err("missing '" + key + "'");
            return dflt;
        }
        return String.valueOf(o);
    }

    double num(Map<String, Object> y, String key, double dflt) {
        Object o = y.get(key);
        return o == null ? dflt : number(o, key);
    }

    double number(Object o, String key) {
        try {
            double d = o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw err("'" + key + "' must be a finite number, got '" + o + "'");
        }
    }

    double[] vec(Object o, String key, int n, double[] dflt) {
        if (o == null) return dflt;
        List<?> l = list(o, key);
        if (l.size() != n) throw err("'" + key + "' needs " + n + " numbers, got " + l.size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            Object x = l.get(i);
            if (x instanceof String s && (s.equals("inf") || s.equals(".inf"))) v[i] = Double.POSITIVE_INFINITY;
            else v[i] = number(x, key);
        }
        return v;
    }
}
