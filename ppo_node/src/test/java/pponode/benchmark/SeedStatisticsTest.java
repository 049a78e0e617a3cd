package pponode.benchmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The sweep's statistics against values worked out by hand. */
class SeedStatisticsTest {
    @Test
    void interquartileMeanDropsAQuarterAtEachEnd() {
        // ten Pendulum-like returns with one failed seed (-428) and one lucky one (-150):
        // sorted, 2 dropped at each end, the middle six averaged: (-222 - 222 - 210 - 205 - 200 - 199) / 6
        double[] returns = {-210, -222, -428, -222, -244.8, -205, -150, -200, -199, -190};
        assertEquals(-1258.0 / 6, SeedStatistics.iqm(returns), 1e-12);
        assertEquals(4.5, SeedStatistics.iqm(new double[] {8, 1, 7, 2, 6, 3, 5, 4}), 1e-12, "n = 8: the middle four, 3 to 6");
        assertEquals(2.0, SeedStatistics.iqm(new double[] {1, 2, 3}), 1e-12, "n < 4: nothing dropped");
    }

    @Test
    void meanStdAndQuantiles() {
        double[] x = {2, 4, 4, 4, 5, 5, 7, 9};
        assertEquals(5, SeedStatistics.mean(x), 1e-12);
        assertEquals(Math.sqrt(32.0 / 7), SeedStatistics.std(x), 1e-12, "squares sum to 32 over n - 1 = 7");
        assertEquals(0, SeedStatistics.std(new double[] {3}));
        assertEquals(1.75, SeedStatistics.quantile(new double[] {4, 1, 3, 2}, 0.25), 1e-12, "numpy's linear rule: 1 + 0.75 (2 - 1)");
        assertEquals(2.5, SeedStatistics.quantile(new double[] {4, 1, 3, 2}, 0.5), 1e-12);
    }

    @Test
    void bootstrapIntervalMatchesTheExactResamplingDistribution() {
        // Resampling {0, 10, 20} three times gives 27 equally likely samples; their mean is 0 and
        // 20 in one each (3.7 % > 2.5 %), so the 95 % interval is exactly [0, 20].
        SeedStatistics.Interval ci = SeedStatistics.bootstrapInterval(new double[] {0, 10, 20}, SeedStatistics::mean, SeedStatistics.RESAMPLES, 0.95, 1);
        assertEquals(0, ci.low(), 1e-12);
        assertEquals(20, ci.high(), 1e-12);
        // a 50 % interval of the same: the 25th and 75th percentiles of that distribution, 20/3 and 40/3 (P(mean <= 20/3) = 10/27)
        SeedStatistics.Interval half = SeedStatistics.bootstrapInterval(new double[] {0, 10, 20}, SeedStatistics::mean, SeedStatistics.RESAMPLES, 0.5, 1);
        assertEquals(20.0 / 3, half.low(), 1e-9);
        assertEquals(40.0 / 3, half.high(), 1e-9);
        SeedStatistics.Summary constant = SeedStatistics.summarize(new double[] {500, 500, 500, 500});
        assertEquals(500, constant.iqmLow());
        assertEquals(500, constant.iqmHigh());
        SeedStatistics.Summary s = SeedStatistics.summarize(new double[] {-210, -222, -428, -222, -244.8, -205, -150, -200, -199, -190});
        assertEquals(s, SeedStatistics.summarize(new double[] {-210, -222, -428, -222, -244.8, -205, -150, -200, -199, -190}), "the same sample, the same interval");
        assertEquals(true, s.iqmLow() <= s.iqm() && s.iqm() <= s.iqmHigh(), s.toString());
    }

    @Test
    void bandIsTheQuartilesOverRunsAtEachStep() {
        List<double[]> a = List.of(new double[] {512, Double.NaN}, new double[] {1024, 10}), b = List.of(new double[] {512, 4}, new double[] {1024, 20}),
                c = List.of(new double[] {512, 8}, new double[] {1024, 30});
        SeedStatistics.Band band = SeedStatistics.band(List.of(a, b, c));
        assertArrayEquals(new double[] {512, 1024}, band.steps());
        assertArrayEquals(new double[] {6, 20}, band.median(), 1e-12, "at 512 the run without an episode yet is left out");
        assertArrayEquals(new double[] {5, 15}, band.q1(), 1e-12);
        assertArrayEquals(new double[] {7, 25}, band.q3(), 1e-12);
    }
}
