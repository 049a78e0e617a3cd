package pponode.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunningMeanStdTest {
    @Test
    void parallelMergeEqualsTwoPassOverAllData() {
        Random r = new Random(7);
        int[] sizes = {1, 5, 17, 64, 3};
        int total = 0;
        for (int s : sizes) total += s;
        float[][] all = new float[total][3];
        for (float[] row : all) {
            row[0] = (float) (r.nextGaussian() * 3 + 10);
            row[1] = (float) (r.nextGaussian() * 0.01 - 5);
            row[2] = (float) r.nextDouble();
        }
        RunningMeanStd exact = new RunningMeanStd(3, 0.0);
        RunningMeanStd withEps = new RunningMeanStd(3);
        int off = 0;
        for (int s : sizes) {
            float[][] batch = Arrays.copyOfRange(all, off, off + s);
            exact.update(batch, s);
            withEps.update(batch, s);
            off += s;
        }
        for (int j = 0; j < 3; j++) {
            double mean = 0;
            for (float[] row : all) mean += row[j];
            mean /= total;
            double var = 0;
            for (float[] row : all) var += (row[j] - mean) * (row[j] - mean);
            var /= total; // population variance, as numpy's np.var in the reference
            assertEquals(mean, exact.mean()[j], 1e-9 * Math.max(1, Math.abs(mean)));
            assertEquals(var, exact.var()[j], 1e-9 * Math.max(1, var));
            assertEquals(mean, withEps.mean()[j], 1e-6 * Math.max(1, Math.abs(mean)));
            assertEquals(var, withEps.var()[j], 1e-6);
        }
        assertEquals(total, exact.count(), 0);
    }

    @Test
    void normalizeClips() {
        RunningMeanStd r = new RunningMeanStd(1, 0.0);
        r.update(new double[] {0, 2}, 2); // mean 1, var 1
        float[] out = new float[1];
        r.normalize(new float[] {100}, out, 10.0);
        assertEquals(10f, out[0]);
        r.normalize(new float[] {3}, out, null);
        assertEquals(2f, out[0], 1e-6);
    }
}
