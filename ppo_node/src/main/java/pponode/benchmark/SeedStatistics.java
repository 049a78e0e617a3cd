package pponode.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * The statistics a seed sweep reports, as RL practice recommends for few runs (Agarwal et al.,
 * "Deep RL at the Edge of the Statistical Precipice", the rliable library): mean ± standard
 * deviation, the interquartile mean (IQM: the mean of the middle half of the runs, robust to one
 * lucky or failed seed), and a 95 % percentile-bootstrap confidence interval for it, resampling
 * runs with replacement (the stratified bootstrap of rliable with one task, i.e. one stratum).
 */
public final class SeedStatistics {
    /** The bootstrap's resample count and its fixed random seed: the same sample always gives the same interval. */
    public static final int RESAMPLES = 10_000;
    private static final long BOOTSTRAP_SEED = 0x5eed;

    private SeedStatistics() {}

    /** A confidence interval. */
    public record Interval(double low, double high) {}

    /** One metric over the seeds. {@code std} is the sample standard deviation (n − 1); 0 for one seed. */
    public record Summary(int n, double mean, double std, double median, double iqm, double iqmLow, double iqmHigh) {}

    public static Summary summarize(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("no values");
        Interval ci = bootstrapInterval(values, SeedStatistics::iqm, RESAMPLES, 0.95, BOOTSTRAP_SEED);
        return new Summary(values.length, mean(values), std(values), quantile(values, 0.5), iqm(values), ci.low(), ci.high());
    }

    public static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1 in the denominator); 0 for a single value. */
    public static double std(double[] x) {
        if (x.length < 2) return 0;
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / (x.length - 1));
    }

    /**
     * The interquartile mean: sorted, ⌊n/4⌋ values dropped at each end, the rest averaged (as
     * scipy.stats.trim_mean(x, 0.25), which rliable uses). For n < 4 nothing is dropped.
     */
    public static double iqm(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int cut = s.length / 4;
        double sum = 0;
        for (int i = cut; i < s.length - cut; i++) sum += s[i];
        return sum / (s.length - 2 * cut);
    }

    /** Learning curves over seeds: at each logged step, the quartiles of the runs' values there. */
    public record Band(double[] steps, double[] q1, double[] median, double[] q3) {}

    /**
     * The band of several runs' (step, value) curves, row by row (the runs of a sweep log at the
     * same steps); a run without a finite value at a row (no finished episode yet) is left out there.
     */
    public static Band band(List<List<double[]>> runs) {
        int longest = runs.stream().mapToInt(List::size).max().orElse(0);
        List<double[]> rows = new ArrayList<>(); // step, q1, median, q3
        for (int i = 0; i < longest; i++) {
            final int row = i;
            double[] values = runs.stream().filter(r -> r.size() > row && Double.isFinite(r.get(row)[1])).mapToDouble(r -> r.get(row)[1]).toArray();
            if (values.length == 0) continue;
            double step = runs.stream().filter(r -> r.size() > row).findFirst().orElseThrow().get(row)[0];
            rows.add(new double[] {step, quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)});
        }
        return new Band(column(rows, 0), column(rows, 1), column(rows, 2), column(rows, 3));
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }

    /** The q-quantile by linear interpolation between order statistics (numpy's default). */
    public static double quantile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        double h = (s.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }

    /**
     * The percentile-bootstrap interval of {@code statistic} at {@code level}: {@code resamples}
     * samples of n values drawn with replacement, and the (1 − level)/2 and (1 + level)/2
     * quantiles of the statistic over them.
     */
    public static Interval bootstrapInterval(double[] x, ToDoubleFunction<double[]> statistic, int resamples, double level, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] stats = new double[resamples], sample = new double[x.length];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < x.length; i++) sample[i] = x[rng.nextInt(x.length)];
            stats[b] = statistic.applyAsDouble(sample);
        }
        return new Interval(quantile(stats, (1 - level) / 2), quantile(stats, (1 + level) / 2));
    }
}
