package pponode.env.terms;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A term's parameters from the task file (the YAML mapping under the term's name, without
 * {@code weight}), read by name with defaults; what no term asked for is reported as unknown, by
 * its path. Joint names resolve against the robot's movable joints (URDF order).
 */
public final class TermParams {
    private final Map<String, Object> values;
    private final String path;
    private final List<String> joints;
    private final List<String> links;
    private final List<String> contactLinks;
    private final Set<String> read = new HashSet<>();
    /** A probe's record of the parameters a term asks for, in order: name to its default ("required" if none). */
    private final Map<String, String> asked;

    /**
     * @param path the term's key path in the task file ({@code reward.joint_limit}), for messages
     * @param joints the robot's movable joints, URDF order
     */
    public TermParams(Map<String, Object> values, String path, List<String> joints) {
        this(values, path, joints, List.of(), new ArrayList<>());
    }

    /**
     * @param links the robot's links
     * @param contactLinks the task's contact links so far: {@link #links} adds to it, so every term
     *     that reads a link's contacts shares one list (the indices of {@link StepState#contactForce})
     */
    public TermParams(Map<String, Object> values, String path, List<String> joints, List<String> links, List<String> contactLinks) {
        this.values = values;
        this.path = path;
        this.joints = joints;
        this.links = links;
        this.contactLinks = contactLinks;
        this.asked = null;
    }

    private TermParams(Map<String, String> asked) {
        this.values = Map.of();
        this.path = "probe";
        this.joints = List.of();
        this.links = List.of();
        this.contactLinks = new ArrayList<>();
        this.asked = asked;
    }

    /**
     * Parameters for building a term only to learn what it asks for (the terms reference): each
     * parameter read is recorded in {@code asked} with its default; a required list reads as empty.
     */
    public static TermParams probe(Map<String, String> asked) {
        return new TermParams(asked);
    }

    /**
     * The links named under {@code key} (a list, required) whose contacts the term reads, as indices
     * into {@link StepState#contactForce} and {@link StepState#airTime}.
     */
    public int[] links(String key) {
        read.add(key);
        if (asked != null) {
            asked.put(key, "required: a list of link names");
            return new int[0];
        }
        Object o = values.get(key);
        if (!(o instanceof List<?> l) || l.isEmpty()) throw new IllegalArgumentException("'" + path + "." + key + "' must be a list of link names, got " + o);
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            String name = String.valueOf(l.get(i));
            if (!links.contains(name)) throw new IllegalArgumentException("'" + path + "." + key + "' names link '" + name + "', which the robot does not have; links: " + links);
            if (!contactLinks.contains(name)) contactLinks.add(name);
            out[i] = contactLinks.indexOf(name);
        }
        return out;
    }

    /** The term's key path in the task file. */
    public String path() {
        return path;
    }

    /** The parameter names given, in file order. */
    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    public double number(String key, double dflt) {
        read.add(key);
        if (asked != null) asked.put(key, Double.isNaN(dflt) ? "required" : "default " + (dflt == Math.rint(dflt) && Math.abs(dflt) < 1e6 ? String.valueOf((long) dflt) : String.valueOf(dflt)));
        Object o = values.get(key);
        return o == null ? dflt : toNumber(o, path + "." + key);
    }

    /** A list of {@code n} numbers under {@code key} (required). */
    public double[] numbers(String key, int n) {
        read.add(key);
        if (asked != null) {
            asked.put(key, "required: " + n + " numbers");
            return new double[n];
        }
        Object o = values.get(key);
        if (!(o instanceof List<?> l) || l.size() != n) throw new IllegalArgumentException("'" + path + "." + key + "' must be a list of " + n + " numbers, got " + o);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = toNumber(l.get(i), path + "." + key);
        return v;
    }

    /** The index (URDF order) of the movable joint {@code name}, or an error naming the key and the joints there are. */
    public int joint(String name) {
        int i = joints.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("'" + path + "." + name + "' names joint '" + name + "', which is not a movable joint; movable joints: " + joints);
        return i;
    }

    /** The keys given that no {@code number}/{@code numbers} call asked for. */
    public List<String> unread() {
        return values.keySet().stream().filter(k -> !read.contains(k)).map(k -> path + "." + k).toList();
    }

    private static double toNumber(Object o, String key) {
        double d;
        try {
            d = o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got '" + o + "'");
        }
        if (!Double.isFinite(d)) throw new IllegalArgumentException("'" + key + "' must be finite, got " + o);
        return d;
    }
}
