package pponode.modules.host;

/**
 * tanh in float from exactly rounded operations only (+, −, ×, ÷, fma and bit moves), so that
 * the scalar and the vector kernels, compiled or interpreted, give the same bits. Error within a
 * few units in the last place of {@link Math#tanh} (KernelsTest checks it).
 *
 * <p>|x| &lt; 9/16: the odd Taylor series to x¹⁹ (truncation below 1e-8 relative). Otherwise
 * 1 − 2/(e^{2|x|} + 1), with e^y = 2^k·e^r, k = rint(y / ln 2) found by adding and subtracting
 * 1.5·2²³, r = y − k ln 2 in two parts, e^r by its Taylor polynomial to r⁸ (|r| ≤ ln 2 / 2), and
 * 2^k written into the exponent bits. |x| is clamped at 9, where tanh rounds to 1 in float.
 */
final class Tanh {
    static final float SMALL = 0.5625f, CLAMP = 9f;
    static final float ROUND = 0x1.8p23f, LOG2E = 1.44269504f, LN2_HI = 0.693145752f, LN2_LO = 1.42860677e-6f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** tanh x = x + x³·P(x²): P's coefficients from the constant term up. */
    static final float[] C = {
        (float) (-1.0 / 3), (float) (2.0 / 15), (float) (-17.0 / 315), (float) (62.0 / 2835), (float) (-1382.0 / 155925),
        (float) (21844.0 / 6081075), (float) (-929569.0 / 638512875), (float) (6404582.0 / 10854718875.0), (float) (-443861162.0 / 1856156927625.0)};
    /** e^r = Σ r^j / j!, j = 0..8. */
    static final float[] E = {1f, 1f, 1f / 2, 1f / 6, 1f / 24, 1f / 120, 1f / 720, 1f / 5040, 1f / 40320};

    private Tanh() {}

    static float of(float x) {
        float a = Math.abs(x);
        float x2 = x * x;
        float p = C[C.length - 1];
        for (int k = C.length - 2; k >= 0; k--) p = Math.fma(p, x2, C[k]);
        float small = Math.fma(x * x2, p, x);
        float y = Math.min(a, CLAMP) * 2f;
        float t = Math.fma(y, LOG2E, ROUND);
        float k = t - ROUND;
        float r = Math.fma(k, -LN2_HI, y);
        r = Math.fma(k, -LN2_LO, r);
        float e = E[E.length - 1];
        for (int j = E.length - 2; j >= 0; j--) e = Math.fma(e, r, E[j]);
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23);
        float big = 1f - 2f / (e * scale + 1f);
        if (x < 0f) big = -big;
        return a < SMALL ? small : big;
    }
}
