package pponode.modules;

import pponode.env.Space;

/**
 * Gaussian squashed by tanh, then mapped affinely onto the action bounds:
 * {@code a = low + (tanh(u) + 1) / 2 * (high - low)}.
 *
 * <p>The buffer stores the pre-squash sample {@code u}, so the log-prob is
 * {@code log N(u; μ, σ) − Σ log(1 − tanh²u)} computed from {@code u} itself, with the stable form
 * {@code log(1 − tanh²u) = 2 (log 2 − u − softplus(−2u))}. The reference instead recovers u with
 * {@code atanh(clamp(a, ±0.9999))}, which is wrong for every action that saturated. The affine
 * scaling to the bounds has a constant Jacobian that cancels in the PPO ratio and is left out.
 *
 * <p>Entropy is that of the base Gaussian (the squashed one has no closed form), as the reference.
 */
public final class TanhGaussian extends DiagGaussian {
    private static final double LOG2 = Math.log(2);

    public TanhGaussian(Space.Box space, double logStdInit) {
        super(space, logStdInit);
        if (!space.bounded()) {
            throw new IllegalArgumentException("squash_actions needs a bounded action space, got " + space);
        }
    }

    @Override
    public double squashCorrection(float[] raw) {
        double c = 0;
        for (int j = 0; j < dim; j++) c += logOneMinusTanhSq(raw[j]);
        return c;
    }

    static double logOneMinusTanhSq(double u) {
        double x = -2 * u; // softplus(x) = log(1 + e^x), computed without overflow
        double softplus = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
        return 2 * (LOG2 - u - softplus);
    }

    @Override
    public void mode(float[] p, float[] mean, float[] raw) {
        System.arraycopy(mean, 0, raw, 0, dim); // the env sees tanh(mean), the squashed mean
    }

    @Override
    public void toEnv(float[] raw, float[] env) {
        for (int j = 0; j < dim; j++) {
            double t = Math.tanh(raw[j]);
            double a = low[j] + (t + 1) * 0.5 * (high[j] - low[j]);
            env[j] = (float) Math.max(low[j], Math.min(high[j], a)); // guards float rounding at the ends
        }
    }

    /**
     * u = atanh(a) with a normalised to [−1, 1] and pulled inside by eps: an operator at full
     * deflection (a = ±1) would otherwise ask for u = ±∞. With eps = 1e-3, |u| ≤ 3.8.
     */
    @Override
    public void fromEnv(float[] env, float[] raw, double eps) {
        for (int j = 0; j < dim; j++) {
            double a = 2.0 * (env[j] - low[j]) / (high[j] - low[j]) - 1.0;
            a = Math.max(-1 + eps, Math.min(1 - eps, a));
            raw[j] = (float) (0.5 * Math.log((1 + a) / (1 - a)));
        }
    }
}
