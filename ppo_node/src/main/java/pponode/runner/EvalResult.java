package pponode.runner;

import java.util.Arrays;
import java.util.Map;

/**
 * Deterministic evaluation: per-episode returns and lengths, the mean of each env episode metric,
 * and {@code falls}: the episodes a termination term ended before the time limit (for a legged
 * robot, a fall; for an arm, a joint past its bounds).
 */
public record EvalResult(double[] returns, int[] lengths, Map<String, Double> metrics, int falls) {
    public double mean() {
        return Arrays.stream(returns).average().orElse(Double.NaN);
    }

    /** Population std, as numpy's default in the reference. */
    public double std() {
        double m = mean();
        return Math.sqrt(Arrays.stream(returns).map(r -> (r - m) * (r - m)).average().orElse(Double.NaN));
    }

    public double min() {
        return Arrays.stream(returns).min().orElse(Double.NaN);
    }

    public double max() {
        return Arrays.stream(returns).max().orElse(Double.NaN);
    }

    public double meanLength() {
        return Arrays.stream(lengths).average().orElse(Double.NaN);
    }
}
