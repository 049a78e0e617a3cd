package pponode.runner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import pponode.env.Env;
import pponode.env.StepResult;

/** Deterministic evaluation episodes with any actor (the learner's policy or an ONNX file). */
public final class Evaluator {
    private Evaluator() {}

    /** Something that acts: told when an episode starts, asked for an action per observation. */
    public interface Actor {
        void reset();

        float[] act(float[] obs);
    }

    /** {@code episodes} episodes; episode k starts from {@code reset(seed + k)}, so two actors see the same episodes. */
    public static EvalResult run(LongFunction<Env> factory, int episodes, long seed, Actor actor) {
        double[] returns = new double[episodes];
        int[] lengths = new int[episodes];
        Map<String, Double> sums = new LinkedHashMap<>();
        int falls = 0;
        try (Env env = factory.apply(seed)) {
            env.evaluation(true);
            for (int ep = 0; ep < episodes; ep++) {
                float[] obs = env.reset(seed + ep);
                actor.reset();
                double ret = 0;
                int len = 0;
                StepResult last;
                while (true) {
                    last = env.step(actor.act(obs));
                    ret += last.reward();
                    len++;
                    obs = last.obs();
                    if (last.done()) break;
                }
                if (last.terminated()) falls++;
                returns[ep] = ret;
                lengths[ep] = len;
                env.episodeMetrics().forEach((k, v) -> sums.merge(k, v, Double::sum));
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        sums.forEach((k, v) -> metrics.put(k, v / episodes));
        return new EvalResult(returns, lengths, metrics, falls);
    }
}
