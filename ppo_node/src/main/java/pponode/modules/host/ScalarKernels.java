package pponode.modules.host;

/** Plain-loop kernels: the reference for {@link VectorKernels} and the fallback without the Vector API. */
public final class ScalarKernels implements Kernels {

    @Override
    public void gemm(float[] a, float[] b, float[] bias, float[] c, int m, int k, int n) {
        for (int r = 0; r < m; r++) {
            int co = r * n;
            for (int j = 0; j < n; j++) c[co + j] = bias == null ? 0f : bias[j];
            for (int i = 0; i < k; i++) {
                float x = a[r * k + i];
                int bo = i * n;
                for (int j = 0; j < n; j++) c[co + j] = Math.fma(x, b[bo + j], c[co + j]);
            }
        }
    }

    @Override
    public void gemmTransAAccumulate(float[] a, float[] b, float[] c, int cOff, int m, int p, int n) {
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < p; o++) {
                float x = a[r * p + o];
                int co = cOff + o * n, bo = r * n;
                for (int j = 0; j < n; j++) c[co + j] = Math.fma(x, b[bo + j], c[co + j]);
            }
        }
    }

    @Override
    public void sumRowsAccumulate(float[] a, float[] out, int outOff, int m, int n) {
        for (int r = 0; r < m; r++) for (int j = 0; j < n; j++) out[outOff + j] += a[r * n + j];
    }

    @Override
    public void tanh(float[] y, int len) {
        for (int i = 0; i < len; i++) y[i] = Tanh.of(y[i]);
    }

    @Override
    public void tanhBackward(float[] y, float[] dy, float[] dz, int len) {
        for (int i = 0; i < len; i++) dz[i] = dy[i] * (1f - y[i] * y[i]);
    }

    @Override
    public String name() {
        return "scalar";
    }
}
