package pponode.modules;

import java.io.IOException;
import java.util.Arrays;
import pponode.state.StateDict;

/**
 * Running mean and variance of a stream of vectors, merged batch by batch with the parallel
 * (Chan et al.) form of Welford's algorithm, exactly as the reference's {@code RunningMeanStd}:
 * count starts at a tiny epsilon, variance at 1, std = sqrt(var + 1e-8).
 */
public final class RunningMeanStd {
    private final double[] mean;
    private final double[] var;
    private double count;

    public RunningMeanStd(int dim) {
        this(dim, 1e-8);
    }

    public RunningMeanStd(int dim, double epsilonCount) {
        mean = new double[dim];
        var = new double[dim];
        Arrays.fill(var, 1.0);
        count = epsilonCount;
    }

    /** Merges a batch of {@code n} rows (each {@code dim} long) into the statistics. */
    public void update(float[][] batch, int n) {
        int d = mean.length;
        double[] bMean = new double[d];
        double[] bVar = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) bMean[j] += batch[i][j];
        }
        for (int j = 0; j < d; j++) bMean[j] /= n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double x = batch[i][j] - bMean[j];
                bVar[j] += x * x;
            }
        }
        for (int j = 0; j < d; j++) bVar[j] /= n;
        merge(bMean, bVar, n);
    }

    /** Scalar stream (dim 1): merges the n values of {@code xs}. */
    public void update(double[] xs, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m += xs[i];
        m /= n;
        double v = 0;
        for (int i = 0; i < n; i++) v += (xs[i] - m) * (xs[i] - m);
        v /= n;
        merge(new double[] {m}, new double[] {v}, n);
    }

    /** The parallel-variance merge of (mean, var, count) with a batch's (mean, var, n). */
    public void merge(double[] bMean, double[] bVar, double n) {
        double total = count + n;
        for (int j = 0; j < mean.length; j++) {
            double delta = bMean[j] - mean[j];
            double m2 = var[j] * count + bVar[j] * n + delta * delta * count * n / total;
            mean[j] = mean[j] + delta * n / total;
            var[j] = m2 / total;
        }
        count = total;
    }

    public double std(int j) {
        return Math.sqrt(var[j] + 1e-8);
    }

    /** (x - mean) / std, clipped to ±clip when clip is not null. */
    public void normalize(float[] x, float[] out, Double clip) {
        for (int j = 0; j < mean.length; j++) {
            double z = (x[j] - mean[j]) / std(j);
            if (clip != null) z = Math.max(-clip, Math.min(clip, z));
            out[j] = (float) z;
        }
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] var() {
        return var.clone();
    }

    public double count() {
        return count;
    }

    /** Saves mean, variance and count as a mapping under {@code key}. */
    public void save(StateDict out, String key) {
        StateDict s = new StateDict();
        s.put("mean", mean.clone());
        s.put("var", var.clone());
        s.put("count", count);
        out.putChild(key, s);
    }

    public void load(StateDict in, String key) throws IOException {
        StateDict s = in.child(key);
        double[] m = s.doubles("mean"), v = s.doubles("var");
        if (m.length != mean.length || v.length != var.length) throw new IOException(in.source() + ": '" + key + "' has " + m.length + " dimensions, this normalizer " + mean.length);
        load(m, v, s.number("count"));
    }

    public void load(double[] m, double[] v, double c) {
        if (m.length != mean.length || v.length != var.length) {
            throw new IllegalArgumentException("normalizer size mismatch: have " + mean.length + ", loading " + m.length);
        }
        System.arraycopy(m, 0, mean, 0, m.length);
        System.arraycopy(v, 0, var, 0, v.length);
        count = c;
    }
}
