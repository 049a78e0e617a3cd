package pponode.env.terms;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** cos of every observed joint's position, then sin: continuous across a revolute joint's wrap. */
public final class JointPositionCosSin implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.JOINT_POSITIONS);
    }

    @Override
    public int size(Shape shape) {
        return 2 * shape.joints();
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (double v : in.q()) out[offset++] = (float) Math.cos(v);
        for (double v : in.q()) out[offset++] = (float) Math.sin(v);
    }

    @Override
    public void bounds(Shape shape, float[] low, float[] high, int offset) {
        Arrays.fill(low, offset, offset + size(shape), -1f);
        Arrays.fill(high, offset, offset + size(shape), 1f);
    }
}
