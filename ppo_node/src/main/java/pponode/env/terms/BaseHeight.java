package pponode.env.terms;

/** Ends the episode when the base falls below {@code min} (m, world z): a robot that has collapsed. */
public final class BaseHeight implements TerminationTerm {
    private final double min;

    BaseHeight(double min, String path) {
        if (!Double.isFinite(min)) throw new IllegalArgumentException("'" + path + ".min' (m) is required");
        this.min = min;
    }

    @Override
    public boolean terminated(StepState s) {
        return s.base.position[2] < min;
    }
}
