package pponode.env.terms;

/** From the tip link to the target (world frame), on the axes the task varies. */
public final class TipToTarget implements ObservationTerm {
    @Override
    public int size(Shape shape) {
        return shape.targetAxes();
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (int a : in.targetAxes()) out[offset++] = (float) (in.target()[a] - in.tip()[a]);
    }
}
