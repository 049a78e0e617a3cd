package pponode.modules.host;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the JDK Vector API: four rows (or four weight rows) at a time, FMA into
 * register accumulators along the contiguous dimension. Each output element sees the same FMA
 * sequence as in {@link ScalarKernels}, so the two agree bit for bit; tanh is {@link Tanh}'s, built
 * from exactly rounded operations only, so it too is bit-identical (the Vector API's own TANH is
 * not: its compiled and interpreted forms differ in the last place, which made a run's numbers
 * depend on when the JIT compiled it).
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public void gemm(float[] a, float[] b, float[] bias, float[] c, int m, int k, int n) {
        int nv = S.loopBound(n);
        int r = 0;
        for (; r + 4 <= m; r += 4) {
            int a0 = r * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            for (int j = 0; j < nv; j += L) {
                FloatVector init = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j);
                FloatVector c0 = init, c1 = init, c2 = init, c3 = init;
                for (int i = 0, bo = j; i < k; i++, bo += n) {
                    FloatVector w = FloatVector.fromArray(S, b, bo);
                    c0 = FloatVector.broadcast(S, a[a0 + i]).fma(w, c0);
                    c1 = FloatVector.broadcast(S, a[a1 + i]).fma(w, c1);
                    c2 = FloatVector.broadcast(S, a[a2 + i]).fma(w, c2);
                    c3 = FloatVector.broadcast(S, a[a3 + i]).fma(w, c3);
                }
                c0.intoArray(c, r * n + j);
                c1.intoArray(c, (r + 1) * n + j);
                c2.intoArray(c, (r + 2) * n + j);
                c3.intoArray(c, (r + 3) * n + j);
            }
            gemmTail4(a, b, bias, c, r, k, n, nv);
        }
        for (; r < m; r++) {
            int a0 = r * k;
            for (int j = 0; j < nv; j += L) {
                FloatVector c0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j);
                for (int i = 0, bo = j; i < k; i++, bo += n) c0 = FloatVector.broadcast(S, a[a0 + i]).fma(FloatVector.fromArray(S, b, bo), c0);
                c0.intoArray(c, r * n + j);
            }
            gemmTail(a, b, bias, c, r, k, n, nv);
        }
    }

    /** Columns from {@code from} of rows r..r+3: four independent FMA chains, so the latency of one does not stall the next. */
    private static void gemmTail4(float[] a, float[] b, float[] bias, float[] c, int r, int k, int n, int from) {
        int a0 = r * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int j = from; j < n; j++) {
            float init = bias == null ? 0f : bias[j];
            float s0 = init, s1 = init, s2 = init, s3 = init;
            for (int i = 0, bo = j; i < k; i++, bo += n) {
                float w = b[bo];
                s0 = Math.fma(a[a0 + i], w, s0);
                s1 = Math.fma(a[a1 + i], w, s1);
                s2 = Math.fma(a[a2 + i], w, s2);
                s3 = Math.fma(a[a3 + i], w, s3);
            }
            c[r * n + j] = s0;
            c[(r + 1) * n + j] = s1;
            c[(r + 2) * n + j] = s2;
            c[(r + 3) * n + j] = s3;
        }
    }

    private static void gemmTail(float[] a, float[] b, float[] bias, float[] c, int r, int k, int n, int from) {
        for (int j = from; j < n; j++) {
            float s = bias == null ? 0f : bias[j];
            for (int i = 0; i < k; i++) s = Math.fma(a[r * k + i], b[i * n + j], s);
            c[r * n + j] = s;
        }
    }

    @Override
    public void gemmTransAAccumulate(float[] a, float[] b, float[] c, int cOff, int m, int p, int n) {
        int nv = S.loopBound(n);
        int o = 0;
        for (; o + 4 <= p; o += 4) {
            int r0 = cOff + o * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
            for (int j = 0; j < nv; j += L) {
                FloatVector c0 = FloatVector.fromArray(S, c, r0 + j), c1 = FloatVector.fromArray(S, c, r1 + j);
                FloatVector c2 = FloatVector.fromArray(S, c, r2 + j), c3 = FloatVector.fromArray(S, c, r3 + j);
                for (int r = 0, ao = o, bo = j; r < m; r++, ao += p, bo += n) {
                    FloatVector x = FloatVector.fromArray(S, b, bo);
                    c0 = FloatVector.broadcast(S, a[ao]).fma(x, c0);
                    c1 = FloatVector.broadcast(S, a[ao + 1]).fma(x, c1);
                    c2 = FloatVector.broadcast(S, a[ao + 2]).fma(x, c2);
                    c3 = FloatVector.broadcast(S, a[ao + 3]).fma(x, c3);
                }
                c0.intoArray(c, r0 + j);
                c1.intoArray(c, r1 + j);
                c2.intoArray(c, r2 + j);
                c3.intoArray(c, r3 + j);
            }
        }
        for (; o < p; o++) {
            int co = cOff + o * n;
            for (int j = 0; j < nv; j += L) {
                FloatVector c0 = FloatVector.fromArray(S, c, co + j);
                for (int r = 0, ao = o, bo = j; r < m; r++, ao += p, bo += n) c0 = FloatVector.broadcast(S, a[ao]).fma(FloatVector.fromArray(S, b, bo), c0);
                c0.intoArray(c, co + j);
            }
        }
        int q = 0;
        for (; q + 4 <= p && nv < n; q += 4) { // four weight rows at a time: independent FMA chains
            int c0 = cOff + q * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
            for (int j = nv; j < n; j++) {
                float s0 = c[c0 + j], s1 = c[c1 + j], s2 = c[c2 + j], s3 = c[c3 + j];
                for (int r = 0, ao = q, bo = j; r < m; r++, ao += p, bo += n) {
                    float x = b[bo];
                    s0 = Math.fma(a[ao], x, s0);
                    s1 = Math.fma(a[ao + 1], x, s1);
                    s2 = Math.fma(a[ao + 2], x, s2);
                    s3 = Math.fma(a[ao + 3], x, s3);
                }
                c[c0 + j] = s0;
                c[c1 + j] = s1;
                c[c2 + j] = s2;
                c[c3 + j] = s3;
            }
        }
        for (; q < p; q++) {
            int co = cOff + q * n;
            for (int j = nv; j < n; j++) {
                float s = c[co + j];
                for (int r = 0; r < m; r++) s = Math.fma(a[r * p + q], b[r * n + j], s);
                c[co + j] = s;
            }
        }
    }

    @Override
    public void sumRowsAccumulate(float[] a, float[] out, int outOff, int m, int n) {
        int nv = S.loopBound(n);
        for (int j = 0; j < nv; j += L) {
            FloatVector s = FloatVector.fromArray(S, out, outOff + j);
            for (int r = 0, ao = j; r < m; r++, ao += n) s = s.add(FloatVector.fromArray(S, a, ao));
            s.intoArray(out, outOff + j);
        }
        for (int j = nv; j < n; j++) {
            float s = out[outOff + j];
            for (int r = 0; r < m; r++) s += a[r * n + j];
            out[outOff + j] = s;
        }
    }

    @Override
    public void tanh(float[] y, int len) {
        int v = S.loopBound(len);
        for (int i = 0; i < v; i += L) tanh(FloatVector.fromArray(S, y, i)).intoArray(y, i);
        for (int i = v; i < len; i++) y[i] = Tanh.of(y[i]);
    }

    /** {@link Tanh#of} lane by lane, the same operations in the same order. */
    private static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        // |x| < SMALL: the odd series
        FloatVector x2 = x.mul(x);
        FloatVector p = FloatVector.broadcast(S, Tanh.C[Tanh.C.length - 1]);
        for (int k = Tanh.C.length - 2; k >= 0; k--) p = p.fma(x2, FloatVector.broadcast(S, Tanh.C[k]));
        FloatVector small = x.mul(x2).fma(p, x);
        // otherwise 1 − 2 / (e^{2|x|} + 1), e^y = 2^k e^r with k = rint(y / ln 2) by the round-to-integer constant
        FloatVector y = a.min(Tanh.CLAMP).mul(2f);
        FloatVector t = y.fma(FloatVector.broadcast(S, Tanh.LOG2E), FloatVector.broadcast(S, Tanh.ROUND));
        FloatVector k = t.sub(Tanh.ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(S, -Tanh.LN2_HI), y);
        r = k.fma(FloatVector.broadcast(S, -Tanh.LN2_LO), r);
        FloatVector e = FloatVector.broadcast(S, Tanh.E[Tanh.E.length - 1]);
        for (int j = Tanh.E.length - 2; j >= 0; j--) e = e.fma(r, FloatVector.broadcast(S, Tanh.E[j]));
        IntVector bits = (IntVector) t.reinterpretAsInts();
        FloatVector scale = bits.sub(Tanh.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.mul(scale).add(1f)));
        big = big.blend(big.neg(), x.lt(0f));
        return big.blend(small, a.lt(Tanh.SMALL));
    }

    @Override
    public void tanhBackward(float[] y, float[] dy, float[] dz, int len) {
        int v = S.loopBound(len);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < v; i += L) {
            FloatVector t = FloatVector.fromArray(S, y, i);
            FloatVector.fromArray(S, dy, i).mul(one.sub(t.mul(t))).intoArray(dz, i);
        }
        for (int i = v; i < len; i++) dz[i] = dy[i] * (1f - y[i] * y[i]);
    }

    @Override
    public String name() {
        return "vector (" + S.vectorBitSize() + "-bit)";
    }
}
