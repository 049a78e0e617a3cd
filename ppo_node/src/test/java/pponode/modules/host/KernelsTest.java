package pponode.modules.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels against the plain loops: bit-identical results (each element sees the
 * same FMA sequence, and tanh is built from exactly rounded operations), tanh within four units
 * in the last place of {@link Math#tanh}, over shapes that exercise the
 * four-row blocks, the single-row remainder and the scalar column tails.
 */
class KernelsTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 4, 64}, {64, 64, 64}, {130, 5, 2}, {7, 64, 1}, {128, 17, 33}, {5, 3, 48}};
    private final Kernels scalar = new ScalarKernels(), vector = new VectorKernels();

    @Test
    void theSuiteRunsTheVectorKernels() {
        assertInstanceOf(VectorKernels.class, Kernels.best(), "surefire starts the JVM with --add-modules jdk.incubator.vector");
    }

    @Test
    void gemmIsBitIdenticalWithAndWithoutBias() {
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = random(rnd, m * k), b = random(rnd, k * n), bias = random(rnd, n);
            for (float[] bi : new float[][] {bias, null}) {
                float[] cs = new float[m * n], cv = new float[m * n];
                scalar.gemm(a, b, bi, cs, m, k, n);
                vector.gemm(a, b, bi, cv, m, k, n);
                assertArrayEquals(cs, cv, 0f, m + "x" + k + "x" + n);
            }
        }
    }

    @Test
    void transposedGemmAndRowSumsAccumulateBitIdentically() {
        Random rnd = new Random(2);
        for (int[] s : SHAPES) {
            int m = s[0], p = s[1], n = s[2];
            float[] a = random(rnd, m * p), b = random(rnd, m * n);
            float[] start = random(rnd, 3 + p * n);
            float[] cs = start.clone(), cv = start.clone();
            scalar.gemmTransAAccumulate(a, b, cs, 3, m, p, n);
            vector.gemmTransAAccumulate(a, b, cv, 3, m, p, n);
            assertArrayEquals(cs, cv, 0f, "dW " + m + "x" + p + "x" + n);
            float[] os = random(rnd, 2 + n), ov = os.clone();
            scalar.sumRowsAccumulate(b, os, 2, m, n);
            vector.sumRowsAccumulate(b, ov, 2, m, n);
            assertArrayEquals(os, ov, 0f, "db " + m + "x" + n);
        }
    }

    @Test
    void tanhAndItsBackwardAgree() {
        Random rnd = new Random(3);
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 4);
        x[0] = 0f;
        x[1] = 30f;
        x[2] = -30f;
        x[3] = 1e-8f;
        float[] ys = x.clone(), yv = x.clone();
        scalar.tanh(ys, 997);
        vector.tanh(yv, 997);
        assertArrayEquals(ys, yv, 0f, "vector and scalar tanh");
        for (int i = 0; i < 997; i++) {
            float exact = (float) Math.tanh(x[i]);
            assertEquals(exact, ys[i], 4 * Math.ulp(exact), "tanh(" + x[i] + ")");
        }
        for (float v = -12f; v <= 12f; v += 1e-3f) {
            float exact = (float) Math.tanh(v);
            assertEquals(exact, Tanh.of(v), 4 * Math.ulp(exact), "tanh(" + v + ")");
        }
        float[] dy = random(rnd, 1000), ds = new float[1000], dv = new float[1000];
        scalar.tanhBackward(ys, dy, ds, 1000);
        vector.tanhBackward(ys, dy, dv, 1000);
        assertArrayEquals(ds, dv, 0f);
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
