package pponode.env.terms;

/** The episode's velocity command: v_x, v_y (m/s) and yaw rate (rad/s) in the base frame. */
public final class VelocityCommand implements ObservationTerm {
    @Override
    public int size(Shape shape) {
        return 3;
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        for (int a = 0; a < 3; a++) out[offset + a] = (float) in.command()[a];
    }
}
