package pponode.env.terms;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** The last action, normalised to [-1, 1] over the command limits. */
public final class LastAction implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.LAST_ACTION);
    }

    @Override
    public int size(Shape shape) {
        return shape.actions();
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (float a : in.lastAction()) out[offset++] = a;
    }

    @Override
    public void bounds(Shape shape, float[] low, float[] high, int offset) {
        Arrays.fill(low, offset, offset + shape.actions(), -1f);
        Arrays.fill(high, offset, offset + shape.actions(), 1f);
    }
}
