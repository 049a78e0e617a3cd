package pponode.modules;

import ai.djl.ndarray.NDArray;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import pponode.env.Space;

/**
 * Diagonal Gaussian with a state-independent, learnable log-std (clamped to [-20, 2] as in the
 * reference). Environment actions are the sample clipped to the action bounds; the log-prob is of
 * the unclipped sample, as SB3 and CleanRL do.
 */
public class DiagGaussian implements ActionDistribution {
    static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    protected final int dim;
    protected final float[] low, high;
    protected final double logStdInit;
    protected ParamGroup.Slot logStd;
    private ZigguratSampler.NormalizedGaussian gauss;
    private UniformRandomProvider gaussRng;

    public DiagGaussian(Space.Box space, double logStdInit) {
        this.dim = space.flatDim();
        this.low = space.low().clone();
        this.high = space.high().clone();
        this.logStdInit = logStdInit;
    }

    public ParamGroup.Slot logStdSlot() {
        return logStd;
    }

    @Override
    public int headDim() {
        return dim;
    }

    @Override
    public int rawDim() {
        return dim;
    }

    @Override
    public int envDim() {
        return dim;
    }

    @Override
    public void addParams(ParamGroup actor) {
        logStd = actor.add("log_std", Init.constant(dim, (float) logStdInit), dim);
    }

    protected NDArray clampedLogStd(NDArray[] p) {
        return p[logStd.index()].clip(-20f, 2f);
    }

    @Override
    public NDArray logProb(NDArray[] p, NDArray mean, NDArray raw, NDArray corr) {
        NDArray ls = clampedLogStd(p);
        NDArray z = raw.sub(mean).div(ls.exp());
        NDArray lp = z.square().mul(Scalars.of(z, -0.5f)).sub(ls).sub((float) HALF_LOG_2PI).sum(new int[] {-1});
        return corr == null ? lp : lp.sub(corr);
    }

    @Override
    public NDArray entropy(NDArray[] p, NDArray mean) {
        // Gaussian entropy does not depend on the observation: one scalar for the whole batch.
        return clampedLogStd(p).add((float) (0.5 + HALF_LOG_2PI)).sum();
    }

    protected double clampedLogStd(float[] p, int j) {
        return Math.max(-20.0, Math.min(2.0, p[logStd.offset() + j]));
    }

    @Override
    public double sample(float[] p, float[] mean, UniformRandomProvider rng, float[] raw) {
        if (gaussRng != rng) {
            gauss = ZigguratSampler.NormalizedGaussian.of(rng);
            gaussRng = rng;
        }
        double lp = 0;
        for (int j = 0; j < dim; j++) {
            double ls = clampedLogStd(p, j);
            double eps = gauss.sample();
            raw[j] = (float) (mean[j] + Math.exp(ls) * eps);
            double z = (raw[j] - mean[j]) / Math.exp(ls);
            lp += -0.5 * z * z - ls - HALF_LOG_2PI;
        }
        return lp - squashCorrection(raw);
    }

    @Override
    public double logProb(float[] p, float[] mean, float[] raw) {
        double lp = 0;
        for (int j = 0; j < dim; j++) {
            double ls = clampedLogStd(p, j);
            double z = (raw[j] - mean[j]) / Math.exp(ls);
            lp += -0.5 * z * z - ls - HALF_LOG_2PI;
        }
        return lp - squashCorrection(raw);
    }

    @Override
    public boolean hostTrainable() {
        return true;
    }

    @Override
    public double logProbRow(float[] p, float[] head, float[] raw, int r) {
        double lp = 0;
        for (int j = 0; j < dim; j++) {
            double ls = clampedLogStd(p, j);
            double z = (raw[r * dim + j] - head[r * dim + j]) / Math.exp(ls);
            lp += -0.5 * z * z - ls - HALF_LOG_2PI;
        }
        return lp;
    }

    /** ∂lp/∂μ = z/σ, ∂lp/∂log σ = z² − 1 (zero where the clamp to [−20, 2] is active, as torch.clamp). */
    @Override
    public void logProbRowGradient(float[] p, float[] head, float[] raw, int r, double g, float[] dHead, float[] dp) {
        for (int j = 0; j < dim; j++) {
            double ls = clampedLogStd(p, j), sigma = Math.exp(ls);
            double z = (raw[r * dim + j] - head[r * dim + j]) / sigma;
            dHead[r * dim + j] += (float) (g * z / sigma);
            if (logStdInsideClamp(p, j)) dp[logStd.offset() + j] += (float) (g * (z * z - 1));
        }
    }

    private boolean logStdInsideClamp(float[] p, int j) {
        float v = p[logStd.offset() + j];
        return v >= -20f && v <= 2f;
    }

    @Override
    public double entropyBatch(float[] p, float[] head, int m) {
        double h = 0;
        for (int j = 0; j < dim; j++) h += clampedLogStd(p, j) + 0.5 + HALF_LOG_2PI;
        return h;
    }

    @Override
    public void entropyBatchGradient(float[] p, float[] head, int m, double g, float[] dHead, float[] dp) {
        for (int j = 0; j < dim; j++) if (logStdInsideClamp(p, j)) dp[logStd.offset() + j] += (float) g;
    }

    @Override
    public void mode(float[] p, float[] mean, float[] raw) {
        System.arraycopy(mean, 0, raw, 0, dim);
    }

    @Override
    public void toEnv(float[] raw, float[] env) {
        for (int j = 0; j < dim; j++) env[j] = Math.max(low[j], Math.min(high[j], raw[j]));
    }

    @Override
    public void fromEnv(float[] env, float[] raw, double eps) {
        System.arraycopy(env, 0, raw, 0, dim); // unsquashed: the sample is the action (clipping loses nothing inside the bounds)
    }
}
