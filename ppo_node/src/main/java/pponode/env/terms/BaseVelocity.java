package pponode.env.terms;

import java.util.EnumSet;
import java.util.Set;

/** The base's linear (m/s, {@code base_lin_vel}) or angular (rad/s, {@code base_ang_vel}) velocity in its own frame (x y z). */
public final class BaseVelocity implements ObservationTerm {
    private final boolean angular;

    BaseVelocity(boolean angular) {
        this.angular = angular;
    }

    @Override
    public Set<Input> inputs() {
        return angular ? EnumSet.of(Input.BASE_ORIENTATION, Input.BASE_ANGULAR_VELOCITY) : EnumSet.of(Input.BASE_ORIENTATION, Input.BASE_LINEAR_VELOCITY);
    }

    @Override
    public int size(Shape shape) {
        return 3;
    }

    @Override
    public void fill(Inputs in, float[] out, int offset) {
        double[] body = new double[3]; // a per-call scratch: the term is shared by every environment
        in.base().toBody(angular ? in.base().angularVelocity : in.base().linearVelocity, body);
        for (int a = 0; a < 3; a++) out[offset + a] = (float) body[a];
    }
}
