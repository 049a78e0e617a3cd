package pponode.storage;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Operator demonstrations for behaviour cloning: raw (unnormalised) observations and the raw
 * actions the policy should have produced (pre-squash for tanh policies). Observations are kept
 * raw because the normaliser keeps moving; they are normalised when sampled.
 */
public final class DemonstrationBuffer {
    public final int obsDim, rawDim;
    private float[] obs, raw;
    private int size;

    public DemonstrationBuffer(int obsDim, int rawDim) {
        this.obsDim = obsDim;
        this.rawDim = rawDim;
        obs = new float[1024 * obsDim];
        raw = new float[1024 * rawDim];
    }

    public synchronized int size() {
        return size;
    }

    public synchronized void add(float[] observation, float[] rawAction) {
        if (observation.length != obsDim || rawAction.length != rawDim) {
            throw new IllegalArgumentException("demonstration of " + observation.length + " observations and " + rawAction.length
                    + " actions, expected " + obsDim + " and " + rawDim);
        }
        if ((size + 1) * obsDim > obs.length) {
            obs = Arrays.copyOf(obs, obs.length * 2);
            raw = Arrays.copyOf(raw, raw.length * 2);
        }
        System.arraycopy(observation, 0, obs, size * obsDim, obsDim);
        System.arraycopy(rawAction, 0, raw, size * rawDim, rawDim);
        size++;
    }

    /** Copies {@code m} rows drawn uniformly with replacement into {@code obsOut}/{@code rawOut}. */
    public synchronized void sample(int m, UniformRandomProvider rng, float[] obsOut, float[] rawOut) {
        if (size == 0) throw new IllegalStateException("no demonstrations to sample");
        for (int r = 0; r < m; r++) {
            int k = rng.nextInt(size);
            System.arraycopy(obs, k * obsDim, obsOut, r * obsDim, obsDim);
            System.arraycopy(raw, k * rawDim, rawOut, r * rawDim, rawDim);
        }
    }
}
