package pponode.env.terms;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** The unit gravity direction in the base's frame (x y z): (0, 0, -1) upright; how a legged policy knows which way is down. */
public final class ProjectedGravity implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.BASE_ORIENTATION);
    }

    @Override
    public int size(Shape shape) {
        return 3;
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        double[] g = new double[3]; // a per-call scratch: the term is shared by every environment
        in.base().projectedGravity(g);
        for (int a = 0; a < 3; a++) out[offset + a] = (float) g[a];
    }

    @Override
    public void bounds(Shape shape, float[] low, float[] high, int offset) {
        Arrays.fill(low, offset, offset + 3, -1f);
        Arrays.fill(high, offset, offset + 3, 1f);
    }
}
