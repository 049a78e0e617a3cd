package pponode.modules;

import ai.djl.ndarray.NDArray;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.hipparchus.special.Gamma;
import pponode.env.Space;

/**
 * Beta distribution per action dimension, α = softplus(h_α) + 1, β = softplus(h_β) + 1 (so it is
 * unimodal), sample x ∈ (0, 1) mapped to {@code low + x (high − low)}. The reference samples in
 * [0, 1] but never scales to the bounds; here the environment always gets its own units.
 */
public final class BetaDistribution implements ActionDistribution {
    private static final float EPS = 1e-6f;
    private final int dim;
    private final float[] low, high;

    public BetaDistribution(Space.Box space) {
        if (!space.bounded()) throw new IllegalArgumentException("the beta distribution needs a bounded action space, got " + space);
        dim = space.flatDim();
        low = space.low().clone();
        high = space.high().clone();
    }

    @Override
    public int headDim() {
        return 2 * dim;
    }

    @Override
    public int rawDim() {
        return dim;
    }

    @Override
    public int envDim() {
        return dim;
    }

    private NDArray[] alphaBeta(NDArray head) {
        NDArray a = ai.djl.nn.Activation.softPlus(head.get(":, 0:" + dim)).add(1f);
        NDArray b = ai.djl.nn.Activation.softPlus(head.get(":, " + dim + ":")).add(1f);
        return new NDArray[] {a, b};
    }

    @Override
    public NDArray logProb(NDArray[] p, NDArray head, NDArray raw, NDArray corr) {
        NDArray[] ab = alphaBeta(head);
        NDArray x = raw.clip(EPS, 1 - EPS);
        NDArray logB = ab[0].gammaln().add(ab[1].gammaln()).sub(ab[0].add(ab[1]).gammaln());
        NDArray lp = ab[0].sub(1f).mul(x.log()).add(ab[1].sub(1f).mul(x.neg().add(1f).log())).sub(logB);
        return lp.sum(new int[] {-1});
    }

    @Override
    public NDArray entropy(NDArray[] p, NDArray head) {
        NDArray[] ab = alphaBeta(head);
        NDArray a = ab[0], b = ab[1], s = a.add(b);
        NDArray logB = a.gammaln().add(b.gammaln()).sub(s.gammaln());
        NDArray h = logB.sub(a.sub(1f).mul(digamma(a))).sub(b.sub(1f).mul(digamma(b))).add(s.sub(2f).mul(digamma(s)));
        return h.sum(new int[] {-1});
    }

    /**
     * ψ(x) for x ≥ 1 (α, β ≥ 1 here), differentiable: shift by 6 with ψ(x) = ψ(x+1) − 1/x, then the
     * asymptotic series; error below 1e-9.
     */
    static NDArray digamma(NDArray x) {
        NDArray one = x.onesLike(); // 1/x as ones/x: pow(-1f) would keep a borrowed constant for backward (see Scalars)
        NDArray shift = one.div(x);
        for (int k = 1; k < 6; k++) shift = shift.add(one.div(x.add((float) k)));
        NDArray y = x.add(6f);
        NDArray inv = one.div(y), inv2 = inv.mul(inv);
        NDArray series = y.log().sub(inv.mul(Scalars.of(y, 0.5f)))
                .sub(inv2.mul(inv2.mul(inv2.mul(Scalars.of(y, -1.0f / 252)).add(1.0f / 120)).add(-1.0f / 12)).neg());
        return series.sub(shift);
    }

    private double alpha(float[] head, int j) {
        return softplus(head[j]) + 1;
    }

    private double beta(float[] head, int j) {
        return softplus(head[dim + j]) + 1;
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    @Override
    public double sample(float[] p, float[] head, UniformRandomProvider rng, float[] raw) {
        for (int j = 0; j < dim; j++) {
            double x = ChengBetaSampler.of(rng, alpha(head, j), beta(head, j)).sample();
            raw[j] = (float) Math.max(EPS, Math.min(1 - EPS, x));
        }
        return logProb(p, head, raw);
    }

    @Override
    public double logProb(float[] p, float[] head, float[] raw) {
        double lp = 0;
        for (int j = 0; j < dim; j++) {
            double a = alpha(head, j), b = beta(head, j);
            double x = Math.max(EPS, Math.min(1 - EPS, raw[j]));
            lp += (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - (Gamma.logGamma(a) + Gamma.logGamma(b) - Gamma.logGamma(a + b));
        }
        return lp;
    }

    /** Java-side entropy, for tests. */
    public double entropy(float[] head) {
        double h = 0;
        for (int j = 0; j < dim; j++) {
            double a = alpha(head, j), b = beta(head, j), s = a + b;
            double logB = Gamma.logGamma(a) + Gamma.logGamma(b) - Gamma.logGamma(s);
            h += logB - (a - 1) * Gamma.digamma(a) - (b - 1) * Gamma.digamma(b) + (s - 2) * Gamma.digamma(s);
        }
        return h;
    }

    @Override
    public boolean hostTrainable() {
        return true;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Override
    public double logProbRow(float[] p, float[] head, float[] raw, int r) {
        double lp = 0;
        int h = r * 2 * dim;
        for (int j = 0; j < dim; j++) {
            double a = softplus(head[h + j]) + 1, b = softplus(head[h + dim + j]) + 1;
            double x = Math.max(EPS, Math.min(1 - EPS, raw[r * dim + j]));
            lp += (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - (Gamma.logGamma(a) + Gamma.logGamma(b) - Gamma.logGamma(a + b));
        }
        return lp;
    }

    /** ∂lp/∂α = log x − ψ(α) + ψ(α + β), ∂lp/∂β = log(1 − x) − ψ(β) + ψ(α + β); ∂α/∂h = sigmoid(h). */
    @Override
    public void logProbRowGradient(float[] p, float[] head, float[] raw, int r, double g, float[] dHead, float[] dp) {
        int h = r * 2 * dim;
        for (int j = 0; j < dim; j++) {
            double a = softplus(head[h + j]) + 1, b = softplus(head[h + dim + j]) + 1;
            double x = Math.max(EPS, Math.min(1 - EPS, raw[r * dim + j]));
            double psiS = Gamma.digamma(a + b);
            dHead[h + j] += (float) (g * (Math.log(x) - Gamma.digamma(a) + psiS) * sigmoid(head[h + j]));
            dHead[h + dim + j] += (float) (g * (Math.log1p(-x) - Gamma.digamma(b) + psiS) * sigmoid(head[h + dim + j]));
        }
    }

    @Override
    public double entropyBatch(float[] p, float[] head, int m) {
        double sum = 0;
        for (int r = 0; r < m; r++) {
            int h = r * 2 * dim;
            for (int j = 0; j < dim; j++) {
                double a = softplus(head[h + j]) + 1, b = softplus(head[h + dim + j]) + 1, s = a + b;
                sum += Gamma.logGamma(a) + Gamma.logGamma(b) - Gamma.logGamma(s) - (a - 1) * Gamma.digamma(a) - (b - 1) * Gamma.digamma(b) + (s - 2) * Gamma.digamma(s);
            }
        }
        return sum / m;
    }

    /** ∂H/∂α = −(α − 1) ψ′(α) + (α + β − 2) ψ′(α + β), and symmetrically for β. */
    @Override
    public void entropyBatchGradient(float[] p, float[] head, int m, double g, float[] dHead, float[] dp) {
        for (int r = 0; r < m; r++) {
            int h = r * 2 * dim;
            for (int j = 0; j < dim; j++) {
                double a = softplus(head[h + j]) + 1, b = softplus(head[h + dim + j]) + 1;
                double triS = (a + b - 2) * Gamma.trigamma(a + b);
                dHead[h + j] += (float) (g / m * (-(a - 1) * Gamma.trigamma(a) + triS) * sigmoid(head[h + j]));
                dHead[h + dim + j] += (float) (g / m * (-(b - 1) * Gamma.trigamma(b) + triS) * sigmoid(head[h + dim + j]));
            }
        }
    }

    @Override
    public void mode(float[] p, float[] head, float[] raw) {
        for (int j = 0; j < dim; j++) {
            double a = alpha(head, j), b = beta(head, j);
            raw[j] = (float) (a / (a + b)); // the mean: deterministic and inside (0, 1)
        }
    }

    @Override
    public void toEnv(float[] raw, float[] env) {
        for (int j = 0; j < dim; j++) env[j] = low[j] + raw[j] * (high[j] - low[j]);
    }

    @Override
    public void fromEnv(float[] env, float[] raw, double eps) {
        for (int j = 0; j < dim; j++) {
            double x = (env[j] - low[j]) / (high[j] - low[j]);
            raw[j] = (float) Math.max(eps / 2, Math.min(1 - eps / 2, x));
        }
    }
}
