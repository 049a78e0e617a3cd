package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The target (world frame), on the axes the task varies. */
public final class TargetPosition implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.TARGET);
    }

    @Override
    public int size(Shape shape) {
        return shape.targetAxes();
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (int a : in.targetAxes()) out[offset++] = (float) in.target()[a];
    }
}
