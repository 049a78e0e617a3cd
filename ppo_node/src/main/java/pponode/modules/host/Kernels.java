package pponode.modules.host;

/**
 * The dense kernels of the host learner, over row-major {@code float[]} matrices. Two
 * implementations: {@link ScalarKernels} (plain loops, any JVM) and {@link VectorKernels} (the JDK
 * Vector API, FMA into register accumulators, about 5× faster here); {@link #best()} takes the
 * vector one when the JVM was started with {@code --add-modules jdk.incubator.vector}.
 */
public interface Kernels {

    /** C[m×n] = A[m×k]·B[k×n] (+ bias[n] when not null). */
    void gemm(float[] a, float[] b, float[] bias, float[] c, int m, int k, int n);

    /** C[p×n] += A[m×p]ᵀ·B[m×n]: a weight gradient, dW += dYᵀ·X. */
    void gemmTransAAccumulate(float[] a, float[] b, float[] c, int cOff, int m, int p, int n);

    /** out[n] += Σ_r A[r, :] over m rows: a bias gradient. */
    void sumRowsAccumulate(float[] a, float[] out, int outOff, int m, int n);

    /** y = tanh(y) over the first {@code len} values. */
    void tanh(float[] y, int len);

    /** dz = dy ⊙ (1 − y²): tanh's backward from its output. */
    void tanhBackward(float[] y, float[] dy, float[] dz, int len);

    String name();

    /** The Vector API kernels when the module is loaded, else the scalar ones. */
    static Kernels best() {
        // Checked by module, not by touching a Vector API class, which would fail to link without it.
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? new VectorKernels() : new ScalarKernels();
    }
}
