package pponode.env.terms;

/**
 * Ends the episode when the base tilts more than {@code max_angle} (rad) from upright: the angle
 * between the body's z axis and the world's, read from the projected gravity (a fallen robot).
 */
public final class BaseTilt implements TerminationTerm {
    private final double minCos;

    BaseTilt(double maxAngle, String path) {
        if (!(maxAngle > 0 && maxAngle <= Math.PI)) throw new IllegalArgumentException("'" + path + ".max_angle' must be in (0, pi] rad, got " + maxAngle);
        minCos = Math.cos(maxAngle);
    }

    @Override
    public boolean terminated(StepState s) {
        double[] g = new double[3]; // per call: one task's terms serve every environment, on every worker thread
        s.base.projectedGravity(g);
        return -g[2] < minCos;
    }
}
