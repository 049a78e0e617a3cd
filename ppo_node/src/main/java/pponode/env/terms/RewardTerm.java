package pponode.env.terms;

import java.util.Map;

/**
 * One term of a task's reward, registered by name ({@link RewardTerms}) and configured in the task
 * file: {@code reward: {distance: -1.0}} (the weight) or {@code reward: {joint_limit: {weight: -1.0,
 * margin: 0.1}}} (the weight and the term's parameters). The step's reward is the weighted sum.
 */
public interface RewardTerm {
    /** The term's unweighted value at this step. */
    double value(StepState s);

    /** Builds a term from its parameters (the YAML mapping without {@code weight}); unknown or invalid ones are errors naming them. */
    interface Factory {
        RewardTerm create(Params params);
    }

    /** A term's parameters, read by name with defaults; what is left unread is reported as unknown. */
    final class Params {
        private final Map<String, Object> values;
        private final String path;
        private final java.util.Set<String> read = new java.util.HashSet<>();

        public Params(Map<String, Object> values, String path) {
            this.values = values;
            this.path = path;
        }

        public double number(String key, double dflt) {
            read.add(key);
            Object o = values.get(key);
            if (o == null) return dflt;
            double d;
            try {
                d = o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + path + "." + key + "' must be a number, got '" + o + "'");
            }
            if (!Double.isFinite(d)) throw new IllegalArgumentException("'" + path + "." + key + "' must be finite, got " + o);
            return d;
        }

        /** The keys given that no {@code number} call asked for. */
        public java.util.List<String> unread() {
            return values.keySet().stream().filter(k -> !read.contains(k)).map(k -> path + "." + k).toList();
        }
    }
}
