package pponode.settings;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one way settings are read, whatever they configure: the learner's config keys, the node's
 * parameters, teleop and Gazebo settings (task files use the same YAML reader, {@link StrictYaml},
 * and the same suggestions). A settings class is its own typed schema: each public field that is
 * neither static, final nor transient is a key, named by its snake_case, typed by the field (text,
 * a finite number, a nullable number, an integer, true/false, a list of integers or of text), with
 * its allowed values from {@link Allowed}. Values come from YAML mappings or {@code key=value}
 * strings; an unknown key (with a suggestion), a value of the wrong type, a non-finite number and
 * a value out of range are refused with the key's path. Checks across keys stay in each class.
 */
public final class Settings<T> {
    /** What a key may hold beyond its type. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Allowed {
        /** The only values a text key may take. */
        String[] oneOf() default {};

        double min() default Double.NEGATIVE_INFINITY;

        double max() default Double.POSITIVE_INFINITY;

        /** Whether {@link #min} itself is refused (a value must be above it). */
        boolean aboveMin() default false;

        /** Whether {@link #max} itself is refused (a value must be below it). */
        boolean belowMax() default false;

        /** A text key's form, as a regular expression ... */
        String pattern() default "";

        /** ... and in words, for the message. */
        String means() default "";

        /** Whether null (YAML null, or none/null/~ given as text) is a value: a switched-off setting. */
        boolean nullable() default false;
    }

    /** A key whose value needs more than a type and a range (a ROS 2 namespace, "urdf" for a rate): what to store, or an IllegalArgumentException. */
    public interface Parser {
        Object parse(Object value);
    }

    private final String kind;
    private final Map<String, Field> fields = new LinkedHashMap<>();
    private final Map<String, Parser> parsers = new LinkedHashMap<>();

    private Settings(Class<T> type, String kind) {
        this.kind = kind;
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isPublic(mod) || Modifier.isStatic(mod) || Modifier.isFinal(mod) || Modifier.isTransient(mod)) continue;
            Class<?> t = f.getType();
            boolean supported = t == String.class || t == double.class || t == Double.class || t == int.class || t == long.class || t == boolean.class
                    || t == int[].class || (t == List.class && f.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] == String.class);
            if (!supported) throw new IllegalStateException(type.getSimpleName() + "." + f.getName() + ": settings cannot hold a " + f.getGenericType());
            fields.put(snake(f.getName()), f);
        }
    }

    /** The schema of {@code type}'s settings; {@code kind} names them in messages ("config key", "node parameter"). */
    public static <T> Settings<T> of(Class<T> type, String kind) {
        return new Settings<>(type, kind);
    }

    /** Reads {@code key} with {@code parser} instead of by its type. */
    public Settings<T> parser(String key, Parser parser) {
        if (!fields.containsKey(key)) throw new IllegalStateException("no key '" + key + "'");
        parsers.put(key, parser);
        return this;
    }

    public Set<String> keys() {
        return fields.keySet();
    }

    /**
     * Sets {@code key} from a YAML value or a command-line string. {@code prefix} leads the key's
     * path in messages ({@code "teleop."}, or a file name and a colon).
     */
    public void set(T target, String prefix, String key, Object value) {
        Field f = fields.get(key);
        String path = prefix + key;
        if (f == null) {
            String hint = suggestion(key, fields.keySet());
            throw new IllegalArgumentException("unknown " + kind + " '" + path + "'" + hint + (hint.isEmpty() ? "; known: " + new TreeSet<>(fields.keySet()) : ""));
        }
        Object v;
        try {
            Parser p = parsers.get(key);
            v = p != null ? p.parse(value) : convert(f, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(kind + " '" + path + "' " + e.getMessage());
        }
        try {
            f.set(target, v);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets every key of a YAML mapping, in order. */
    public void apply(T target, Map<?, ?> values, String prefix) {
        for (Map.Entry<?, ?> e : values.entrySet()) set(target, prefix, String.valueOf(e.getKey()), e.getValue());
    }

    /** Sets {@code key=value} strings, in order. */
    public void apply(T target, List<String> assignments, String prefix) {
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException(kind + " '" + a + "' is not key=value");
            set(target, prefix, a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
    }

    /**
     * Checks every key's current value against its type's rules and {@link Allowed} (values set in
     * code bypass {@link #set}); the first problem is an error naming the key.
     */
    public void check(T target, String prefix) {
        for (Map.Entry<String, Field> e : fields.entrySet()) {
            if (parsers.containsKey(e.getKey())) continue;
            Object v;
            try {
                v = e.getValue().get(target);
            } catch (IllegalAccessException ex) {
                throw new IllegalStateException(ex);
            }
            if (v instanceof int[] a) v = Arrays.stream(a).boxed().toList();
            try {
                convert(e.getValue(), v);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(kind + " '" + prefix + e.getKey() + "' " + ex.getMessage());
            }
        }
    }

    /** Every key's value (lists of integers as lists), for config files and checkpoints. */
    public Map<String, Object> toMap(T target) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Field> e : fields.entrySet()) {
            try {
                Object v = e.getValue().get(target);
                if (v instanceof int[] a) v = Arrays.stream(a).boxed().toList();
                else if (v instanceof List<?> l) v = List.copyOf(l);
                m.put(e.getKey(), v);
            } catch (IllegalAccessException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return m;
    }

    private static Object convert(Field f, Object v) {
        Class<?> t = f.getType();
        Allowed allowed = f.getAnnotation(Allowed.class);
        String s = v == null ? null : String.valueOf(v).trim();
        boolean isNull = v == null || s.equalsIgnoreCase("null") || s.equalsIgnoreCase("none") || s.equals("~");
        if (isNull && (t == Double.class || (allowed != null && allowed.nullable()))) return null;
        if (v == null) throw new IllegalArgumentException("cannot be empty");
        if (t == String.class) return text(s, allowed);
        if (t == boolean.class) {
            if (v instanceof Boolean b) return b;
            if (s.equalsIgnoreCase("true")) return true;
            if (s.equalsIgnoreCase("false")) return false;
            throw new IllegalArgumentException("must be true or false, got '" + s + "'");
        }
        if (t == double.class || t == Double.class) return range(number(v, s), allowed);
        if (t == int.class) return (int) range(integer(v, s, Integer.MIN_VALUE, Integer.MAX_VALUE), allowed);
        if (t == long.class) return (long) range(integer(v, s, Long.MIN_VALUE, Long.MAX_VALUE), allowed);
        if (t == int[].class) {
            List<?> items = v instanceof List<?> l ? l : Arrays.asList(s.replaceAll("[\\[\\]()\\s]", "").split(",", -1));
            int[] out = new int[items.size()];
            for (int i = 0; i < out.length; i++) {
                String item = String.valueOf(items.get(i)).trim();
                if (item.isEmpty()) throw new IllegalArgumentException("has an empty element: '" + s + "'");
                out[i] = (int) range(integer(items.get(i), item, Integer.MIN_VALUE, Integer.MAX_VALUE), allowed);
            }
            return out;
        }
        List<String> out = new ArrayList<>(); // List<String>
        if (v instanceof List<?> l) for (Object o : l) out.add(text(String.valueOf(o).trim(), allowed));
        else for (String p : s.replaceAll("[\\[\\]\\s]", "").split(",")) if (!p.isEmpty()) out.add(text(p, allowed));
        return out;
    }

    private static String text(String s, Allowed allowed) {
        if (allowed == null) return s;
        if (allowed.oneOf().length > 0 && !Arrays.asList(allowed.oneOf()).contains(s)) {
            throw new IllegalArgumentException("must be one of " + new TreeSet<>(Arrays.asList(allowed.oneOf())) + ", got '" + s + "'");
        }
        if (!allowed.pattern().isEmpty() && !s.matches(allowed.pattern())) throw new IllegalArgumentException("must be " + allowed.means() + ", got '" + s + "'");
        return s;
    }

    private static double number(Object v, String s) {
        double d;
        try {
            d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number, got '" + s + "'");
        }
        if (!Double.isFinite(d)) throw new IllegalArgumentException("must be finite, got " + s);
        return d;
    }

    /** An integer, also written as 1e6; a fraction or a value beyond the type's range is refused. */
    private static long integer(Object v, String s, long min, long max) {
        double d;
        try {
            d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be an integer, got '" + s + "'");
        }
        if (d != Math.rint(d) || d < min || d > max) throw new IllegalArgumentException("must be an integer, got '" + s + "'");
        return (long) d;
    }

    private static double range(double d, Allowed allowed) {
        if (allowed == null) return d;
        boolean low = allowed.aboveMin() ? d > allowed.min() : d >= allowed.min();
        boolean high = allowed.belowMax() ? d < allowed.max() : d <= allowed.max();
        if (!low || !high) {
            String lo = allowed.min() == Double.NEGATIVE_INFINITY ? "" : (allowed.aboveMin() ? "> " : ">= ") + plain(allowed.min());
            String hi = allowed.max() == Double.POSITIVE_INFINITY ? "" : (allowed.belowMax() ? "< " : "<= ") + plain(allowed.max());
            throw new IllegalArgumentException("must be " + (lo.isEmpty() ? hi : hi.isEmpty() ? lo : lo + " and " + hi) + ", got " + plain(d));
        }
        return d;
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    /** ", did you mean 'x'?" for the known word within two edits of {@code word} (the closest, then the first in order), else "". */
    public static String suggestion(String word, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : new TreeSet<>(known)) {
            int d = editDistance(word, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : ", did you mean '" + best + "'?";
    }

    /** Levenshtein distance with adjacent transpositions (a swapped pair of letters is one edit). */
    public static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.length()][b.length()];
    }
}
