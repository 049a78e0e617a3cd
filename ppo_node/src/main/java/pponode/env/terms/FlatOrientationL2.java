package pponode.env.terms;

/** Squared horizontal part of the projected gravity: 0 when the base is level, 1 when it lies on its side. */
public final class FlatOrientationL2 implements RewardTerm {
    @Override
    public double value(StepState s) {
        double[] g = new double[3]; // per call: one task's terms serve every environment, on every worker thread
        s.base.projectedGravity(g);
        return g[0] * g[0] + g[1] * g[1];
    }
}
