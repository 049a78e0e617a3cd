package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The observed joints' positions (rad or m), bounded by their URDF limits. */
public final class JointPosition implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.JOINT_POSITIONS);
    }

    @Override
    public int size(Shape shape) {
        return shape.joints();
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (double v : in.q()) out[offset++] = (float) v;
    }

    @Override
    public void bounds(Shape shape, float[] low, float[] high, int offset) {
        for (int k = 0; k < shape.joints(); k++) {
            low[offset + k] = Double.isFinite(shape.jointLower()[k]) ? (float) shape.jointLower()[k] : Float.NEGATIVE_INFINITY;
            high[offset + k] = Double.isFinite(shape.jointUpper()[k]) ? (float) shape.jointUpper()[k] : Float.POSITIVE_INFINITY;
        }
    }
}
