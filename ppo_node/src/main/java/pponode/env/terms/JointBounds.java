package pponode.env.terms;

import java.util.List;

/**
 * Ends the episode when a named joint leaves its [low, high] position band
 * ({@code joint_bounds: {cart_to_pole: [-0.21, 0.21]}}): a pole that has fallen, a cart off its rail.
 */
public final class JointBounds implements TerminationTerm {
    private final int[] joints;
    private final double[] low, high;

    JointBounds(TermParams p) {
        List<String> names = p.keys();
        if (names.isEmpty()) throw new IllegalArgumentException("'" + p.path() + "' names no joints; give joint: [low, high]");
        joints = new int[names.size()];
        low = new double[names.size()];
        high = new double[names.size()];
        for (int i = 0; i < joints.length; i++) {
            String j = names.get(i);
            joints[i] = p.joint(j);
            double[] b = p.numbers(j, 2);
            if (!(b[0] < b[1])) throw new IllegalArgumentException("'" + p.path() + "." + j + "' must be [low, high] with low < high, got [" + b[0] + ", " + b[1] + "]");
            low[i] = b[0];
            high[i] = b[1];
        }
    }

    @Override
    public boolean terminated(StepState s) {
        for (int i = 0; i < joints.length; i++) {
            double q = s.q[joints[i]];
            if (q < low[i] || q > high[i]) return true;
        }
        return false;
    }
}
