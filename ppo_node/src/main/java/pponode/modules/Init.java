package pponode.modules;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;

/** Weight initialisers matching PyTorch's, driven by our own restorable RNG. */
public final class Init {
    private Init() {}

    /**
     * {@code torch.nn.init.orthogonal_}: QR of a Gaussian matrix, signs fixed by diag(R), scaled
     * by {@code gain}. Returns a row-major [rows, cols] matrix.
     */
    public static float[] orthogonal(int rows, int cols, double gain, UniformRandomProvider rng) {
        boolean transpose = rows < cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols;
        ZigguratSampler.NormalizedGaussian g = ZigguratSampler.NormalizedGaussian.of(rng);
        double[][] a = new double[r][c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) a[i][j] = g.sample();
        QRDecomposition qr = new QRDecomposition(MatrixUtils.createRealMatrix(a));
        RealMatrix q = qr.getQ();
        RealMatrix rr = qr.getR();
        float[] out = new float[rows * cols];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                double s = Math.signum(rr.getEntry(j, j));
                if (s == 0) s = 1;
                double v = q.getEntry(i, j) * s * gain;
                if (transpose) out[j * cols + i] = (float) v;
                else out[i * cols + j] = (float) v;
            }
        }
        return out;
    }

    /** PyTorch's default for Linear/Conv weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static float[] uniformFanIn(int n, int fanIn, UniformRandomProvider rng) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return out;
    }

    public static float[] normal(int n, double std, UniformRandomProvider rng) {
        ZigguratSampler.NormalizedGaussian g = ZigguratSampler.NormalizedGaussian.of(rng);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (g.sample() * std);
        return out;
    }

    public static float[] constant(int n, float v) {
        float[] out = new float[n];
        Arrays.fill(out, v);
        return out;
    }
}
