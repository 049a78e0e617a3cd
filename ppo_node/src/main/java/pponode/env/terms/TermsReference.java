package pponode.env.terms;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The reference of every built-in task term (docs/TERMS.md), written from the registries
 * themselves: names and descriptions from {@link ObservationTerms}, {@link RewardTerms} and
 * {@link TerminationTerms}, an observation term's inputs from the term, and a reward or
 * termination term's parameters from what it reads when it is built ({@link TermParams#probe}).
 */
public final class TermsReference {
    private TermsReference() {}

    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Task terms\n\n");
        b.append("Every term a task file names, by section. This page is written by `./ppo-node terms` from the term\n");
        b.append("registries (`TermsReferenceTest` keeps it equal to that output), so it lists what the code has.\n");
        b.append("A term of your own is a `Provider` on the class path ([TASKS.md](TASKS.md)).\n\n");
        b.append("## `observation:` terms\n\n");
        b.append("A list of names, in the order the policy sees them.\n\n| term | what it is | reads |\n| --- | --- | --- |\n");
        for (String name : ObservationTerms.names().stream().sorted().toList()) {
            String what = ObservationTerms.description(name);
            if (what == null) continue;
            String inputs = String.join(", ", ObservationTerms.get(name).inputs().stream().map(i -> i.name().toLowerCase(Locale.ROOT)).sorted().toList());
            b.append("| `").append(name).append("` | ").append(what).append(" | ").append(inputs.isEmpty() ? "–" : inputs).append(" |\n");
        }
        b.append("\n## `reward:` terms\n\n");
        b.append("`name: weight`, or `name: {weight: w, parameter: value, ...}`; the reward is the weighted sum.\n\n");
        table(b, RewardTerms.names().stream().sorted().toList(), RewardTerms::description, name -> probe(p -> RewardTerms.get(name).create(p)));
        b.append("\n## `termination:` terms\n\n");
        b.append("`name: {parameter: value, ...}`; an episode ends when any term says so (a fall).\n\n");
        table(b, TerminationTerms.names().stream().sorted().toList(), TerminationTerms::description, name -> probe(p -> TerminationTerms.get(name).create(p)));
        return b.toString();
    }

    private static void table(StringBuilder b, Iterable<String> names, Function<String, String> description, Function<String, Map<String, String>> parameters) {
        b.append("| term | what it is | parameters |\n| --- | --- | --- |\n");
        for (String name : names) {
            String what = description.apply(name);
            if (what == null) continue;
            Map<String, String> params = parameters.apply(name);
            StringBuilder p = new StringBuilder();
            params.forEach((k, v) -> p.append(p.length() == 0 ? "" : "; ").append('`').append(k).append("` (").append(v).append(')'));
            b.append("| `").append(name).append("` | ").append(what).append(" | ").append(p.length() == 0 ? "–" : p).append(" |\n");
        }
    }

    /** The parameters a term reads while it is built, with their defaults (a term that refuses the empty probe keeps what it read before). */
    private static Map<String, String> probe(Function<TermParams, Object> build) {
        Map<String, String> asked = new LinkedHashMap<>();
        try {
            build.apply(TermParams.probe(asked));
        } catch (IllegalArgumentException refusedEmpty) { // e.g. joint_bounds, which takes one key per joint
        }
        return asked;
    }
}
