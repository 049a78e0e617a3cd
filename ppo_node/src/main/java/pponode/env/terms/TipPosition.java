package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The tip link's position (world frame, x y z). */
public final class TipPosition implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.TIP);
    }

    @Override
    public int size(Shape shape) {
        return 3;
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (int a = 0; a < 3; a++) out[offset++] = (float) in.tip()[a];
    }
}
