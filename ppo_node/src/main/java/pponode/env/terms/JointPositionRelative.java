package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The observed joints' positions relative to the task's default positions ({@code default_joint_pos}: a legged robot's stance). */
public final class JointPositionRelative implements ObservationTerm {
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
        for (int i = 0; i < in.q().length; i++) out[offset + i] = (float) (in.q()[i] - in.qDefault()[i]);
    }
}
