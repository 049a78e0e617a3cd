package pponode.env.terms;

/**
 * Squared distance of the base's height (m, world z) from {@code target} (Isaac Lab's
 * base_height_l2): with a negative weight it keeps a legged robot from walking crouched, which
 * another robot or engine that stands it a little lower turns into a fall.
 */
public final class BaseHeightL2 implements RewardTerm {
    private final double target;

    BaseHeightL2(double target, String path) {
        if (!(target > 0)) throw new IllegalArgumentException("'" + path + ".target' (m) is required and must be positive");
        this.target = target;
    }

    @Override
    public double value(StepState s) {
        double e = s.base.position[2] - target;
        return e * e;
    }
}
