package pponode.env.terms;

/** The tip link's position (world frame, x y z). */
public final class TipPosition implements ObservationTerm {
    @Override
    public int size(Shape shape) {
        return 3;
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (int a = 0; a < 3; a++) out[offset++] = (float) in.tip()[a];
    }
}
