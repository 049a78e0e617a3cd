package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The observed joints' velocities (rad/s or m/s). */
public final class JointVelocity implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.JOINT_VELOCITIES);
    }

    @Override
    public int size(Shape shape) {
        return shape.joints();
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (double v : in.qd()) out[offset++] = (float) v;
    }
}
