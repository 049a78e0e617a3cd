package pponode.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.special.Gamma;
import org.junit.jupiter.api.Test;
import pponode.TestSupport;
import pponode.env.Space;

class DistributionTest {
    @Test
    void tanhGaussianLogProbMatchesNumericalDensityOfTheSquashedAction() {
        TanhGaussian d = new TanhGaussian(Space.Box.symmetric(1f), -0.5);
        ParamGroup g = new ParamGroup("actor");
        d.addParams(g);
        float[] params = g.toHost();
        double mu = 0.3, sigma = Math.exp(-0.5);
        NormalDistribution n = new NormalDistribution(mu, sigma);
        for (double u : new double[] {-1.7, -0.2, 0.0, 0.4, 1.1, 2.5}) {
            double a = Math.tanh(u);
            double h = 1e-6 * (1 - a * a); // a window that stays inside (-1, 1)
            double p = (n.cumulativeProbability(atanh(a + h)) - n.cumulativeProbability(atanh(a - h))) / (2 * h);
            double lp = d.logProb(params, new float[] {(float) mu}, new float[] {(float) u});
            assertEquals(Math.log(p), lp, 2e-3, "u=" + u);
        }
        // Far in the saturated tail tanh(u) rounds to 1 in float: the log-prob stays finite and
        // exact because it is computed from the stored pre-squash sample, never from atanh(a).
        double lp = d.logProb(params, new float[] {0f}, new float[] {12f});
        double expected = -0.5 * Math.pow(12 / sigma, 2) - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - TanhGaussian.logOneMinusTanhSq(12);
        assertEquals(expected, lp, 1e-9);
        assertTrue(Double.isFinite(lp));
    }

    private static double atanh(double x) {
        return 0.5 * Math.log((1 + x) / (1 - x));
    }

    @Test
    void tanhGaussianTensorLogProbEqualsHostLogProb() {
        Space.Box box = new Space.Box(new float[] {-2f, 0f}, new float[] {2f, 5f});
        TanhGaussian d = new TanhGaussian(box, -0.3);
        ParamGroup g = new ParamGroup("actor");
        d.addParams(g);
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(3);
        try (NDManager m = TestSupport.cpuManager()) {
            g.materialize(m);
            float[] p = g.toHost();
            int b = 50;
            float[] means = new float[b * 2], raws = new float[b * 2], corr = new float[b];
            double[] host = new double[b];
            for (int i = 0; i < b; i++) {
                float[] mean = {(float) (rng.nextDouble() * 2 - 1), (float) (rng.nextDouble() * 2 - 1)};
                float[] raw = new float[2];
                host[i] = d.sample(p, mean, rng, raw);
                corr[i] = (float) d.squashCorrection(raw);
                System.arraycopy(mean, 0, means, 2 * i, 2);
                System.arraycopy(raw, 0, raws, 2 * i, 2);
                float[] env = new float[2];
                d.toEnv(raw, env);
                assertTrue(env[0] >= -2 && env[0] <= 2 && env[1] >= 0 && env[1] <= 5, "actions stay inside the bounds");
            }
            NDArray lp = d.logProb(g.bind(), m.create(means, new Shape(b, 2)), m.create(raws, new Shape(b, 2)), m.create(corr));
            float[] t = lp.toFloatArray();
            for (int i = 0; i < b; i++) assertEquals(host[i], t[i], 1e-4);
        }
    }

    @Test
    void betaLogProbAndEntropyMatchReferenceImplementations() {
        BetaDistribution d = new BetaDistribution(Space.Box.symmetric(1f, 1f));
        float[] head = {0.3f, -1.2f, 2.0f, 0.1f}; // α from the first two, β from the last two
        double a0 = softplus(0.3) + 1, b0 = softplus(2.0) + 1;
        var ref = new org.hipparchus.distribution.continuous.BetaDistribution(a0, b0);
        float[] raw = {0.25f, 0.6f};
        double a1 = softplus(-1.2) + 1, b1 = softplus(0.1) + 1;
        var ref1 = new org.hipparchus.distribution.continuous.BetaDistribution(a1, b1);
        assertEquals(ref.logDensity(0.25) + ref1.logDensity(0.6), d.logProb(null, head, raw), 1e-6);
        try (NDManager m = TestSupport.cpuManager()) {
            NDArray h = m.create(head, new Shape(1, 4));
            assertEquals(d.logProb(null, head, raw), d.logProb(null, h, m.create(raw, new Shape(1, 2)), null).getFloat(), 1e-5);
            assertEquals(d.entropy(head), d.entropy(null, h).getFloat(), 1e-5);
            // the tensor digamma series against Hipparchus
            float[] xs = {1.0f, 1.3f, 2.0f, 5.5f, 40f};
            float[] dg = BetaDistribution.digamma(m.create(xs)).toFloatArray();
            for (int i = 0; i < xs.length; i++) assertEquals(Gamma.digamma(xs[i]), dg[i], 1e-5);
        }
        // Beta(2, 2): ln B(2,2) − ψ(2) − ψ(2) + 2ψ(4) = 1/3 − ln 6 + ... = −0.125093 (the known value)
        double a = 2, b = 2;
        double closed = Math.log(1.0 / 6) - (a - 1) * Gamma.digamma(a) - (b - 1) * Gamma.digamma(b) + (a + b - 2) * Gamma.digamma(a + b);
        assertEquals(-0.125093, closed, 1e-6);
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    @Test
    void categoricalLogProbEntropyAndSampling() {
        Categorical c = new Categorical(3);
        float[] logits = {1f, 2f, 3f};
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double[] p = {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z};
        assertEquals(Math.log(p[1]), c.logProb(null, logits, new float[] {1}), 1e-12);
        double h = -(p[0] * Math.log(p[0]) + p[1] * Math.log(p[1]) + p[2] * Math.log(p[2]));
        try (NDManager m = TestSupport.cpuManager()) {
            NDArray l = m.create(logits, new Shape(1, 3));
            assertEquals(h, c.entropy(null, l).getFloat(), 1e-6);
            assertEquals(Math.log(p[2]), c.logProb(null, l, m.create(new float[] {2f}, new Shape(1, 1)), null).getFloat(), 1e-6);
        }
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(11);
        int[] counts = new int[3];
        float[] raw = new float[1];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            c.sample(null, logits, rng, raw);
            counts[(int) raw[0]]++;
        }
        for (int k = 0; k < 3; k++) assertEquals(p[k], counts[k] / (double) n, 0.005);
        c.mode(null, logits, raw);
        assertEquals(2f, raw[0]);
    }
}
