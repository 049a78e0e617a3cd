package pponode.env;

import java.util.Map;

/**
 * The result of stepping every environment of a {@link VecEnv} once. Arrays are reused between
 * steps. When env {@code i} finished ({@code terminated[i] || truncated[i]}) it was reset
 * automatically: {@code obs[i]} is the first observation of the new episode and
 * {@code finalObs[i]} the last observation of the old one (needed to bootstrap a truncation), and
 * {@code finalMetrics[i]} the old episode's metrics (empty for environments without any).
 *
 * <p>{@code live[i]} is false when env {@code i} took no step: its robot stopped answering during
 * it, or it is still away. Its reward and flags are then zero, and {@code obs[i]} is the last one
 * it had, or, when {@code rejoined[i]}, the first of the episode it came back with.
 */
public final class VecStep {
    public final float[][] obs;
    public final float[][] finalObs;
    public final Map<String, Double>[] finalMetrics;
    public final double[] rewards;
    public final boolean[] terminated;
    public final boolean[] truncated;
    public final boolean[] live;
    public final boolean[] rejoined;

    public VecStep(int numEnvs) {
        obs = new float[numEnvs][];
        finalObs = new float[numEnvs][];
        @SuppressWarnings("unchecked")
        Map<String, Double>[] m = new Map[numEnvs];
        finalMetrics = m;
        rewards = new double[numEnvs];
        terminated = new boolean[numEnvs];
        truncated = new boolean[numEnvs];
        live = new boolean[numEnvs];
        rejoined = new boolean[numEnvs];
    }

    /** How many envs took a step. */
    public int liveCount() {
        int n = 0;
        for (boolean l : live) if (l) n++;
        return n;
    }

    public boolean done(int i) {
        return terminated[i] || truncated[i];
    }
}
