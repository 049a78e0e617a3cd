package pponode.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.apache.commons.rng.UniformRandomProvider;

/** Discrete actions: softmax over the head's logits. */
public final class Categorical implements ActionDistribution {
    private final int n;

    public Categorical(int n) {
        this.n = n;
    }

    @Override
    public int headDim() {
        return n;
    }

    @Override
    public int rawDim() {
        return 1;
    }

    @Override
    public int envDim() {
        return 1;
    }

    @Override
    public NDArray logProb(NDArray[] p, NDArray logits, NDArray raw, NDArray corr) {
        NDArray oneHot = raw.squeeze(-1).toType(DataType.INT64, false).oneHot(n);
        return logits.logSoftmax(-1).mul(oneHot).sum(new int[] {-1});
    }

    @Override
    public NDArray entropy(NDArray[] p, NDArray logits) {
        NDArray lsm = logits.logSoftmax(-1);
        return lsm.exp().mul(lsm).sum(new int[] {-1}).neg();
    }

    /** log-softmax of the logits, in double for stability. */
    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double s = 0;
        for (float l : logits) s += Math.exp(l - max);
        double lse = max + Math.log(s);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
        return out;
    }

    @Override
    public double sample(float[] p, float[] logits, UniformRandomProvider rng, float[] raw) {
        double[] lp = logSoftmax(logits);
        double u = rng.nextDouble(), c = 0;
        int k = n - 1;
        for (int i = 0; i < n; i++) {
            c += Math.exp(lp[i]);
            if (u < c) {
                k = i;
                break;
            }
        }
        raw[0] = k;
        return lp[k];
    }

    @Override
    public boolean hostTrainable() {
        return true;
    }

    /** log Σ exp(logits of row r), shifted by the maximum. */
    private double logSumExp(float[] logits, int r) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[r * n + i]);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(logits[r * n + i] - max);
        return max + Math.log(s);
    }

    @Override
    public double logProbRow(float[] p, float[] logits, float[] raw, int r) {
        return logits[r * n + (int) raw[r]] - logSumExp(logits, r);
    }

    /** ∂ log softmax(z)_a / ∂z_k = 1[k = a] − p_k. */
    @Override
    public void logProbRowGradient(float[] p, float[] logits, float[] raw, int r, double g, float[] dHead, float[] dp) {
        double lse = logSumExp(logits, r);
        int a = (int) raw[r];
        for (int k = 0; k < n; k++) dHead[r * n + k] += (float) (g * ((k == a ? 1 : 0) - Math.exp(logits[r * n + k] - lse)));
    }

    /** Entropy of row r: −Σ p_k log p_k. */
    private double rowEntropy(float[] logits, int r, double lse) {
        double h = 0;
        for (int k = 0; k < n; k++) {
            double lp = logits[r * n + k] - lse;
            h -= Math.exp(lp) * lp;
        }
        return h;
    }

    @Override
    public double entropyBatch(float[] p, float[] logits, int m) {
        double sum = 0;
        for (int r = 0; r < m; r++) sum += rowEntropy(logits, r, logSumExp(logits, r));
        return sum / m;
    }

    /** ∂H/∂z_k = −p_k (log p_k + H), per row; the batch mean divides by m. */
    @Override
    public void entropyBatchGradient(float[] p, float[] logits, int m, double g, float[] dHead, float[] dp) {
        for (int r = 0; r < m; r++) {
            double lse = logSumExp(logits, r), h = rowEntropy(logits, r, lse);
            for (int k = 0; k < n; k++) {
                double lp = logits[r * n + k] - lse;
                dHead[r * n + k] += (float) (g / m * -Math.exp(lp) * (lp + h));
            }
        }
    }

    @Override
    public void mode(float[] p, float[] logits, float[] raw) {
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
        raw[0] = best;
    }

    @Override
    public double logProb(float[] p, float[] logits, float[] raw) {
        return logSoftmax(logits)[(int) raw[0]];
    }

    @Override
    public void toEnv(float[] raw, float[] env) {
        env[0] = raw[0];
    }
}
