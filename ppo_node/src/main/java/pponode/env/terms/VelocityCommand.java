package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The episode's velocity command: v_x, v_y (m/s) and yaw rate (rad/s) in the base frame. */
public final class VelocityCommand implements ObservationTerm {
    @Override
    public Set<Input> inputs() {
        return EnumSet.of(Input.VELOCITY_COMMAND);
    }

    @Override
    public int size(Shape shape) {
        return 3;
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (int a = 0; a < 3; a++) out[offset + a] = (float) in.command()[a];
    }
}
