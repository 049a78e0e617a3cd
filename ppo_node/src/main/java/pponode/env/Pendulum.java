package pponode.env;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Exact port of Gymnasium's {@code Pendulum-v1}: torque in [-2, 2] N·m, g = 10, dt = 0.05 s,
 * speed clipped to 8 rad/s, cost θ² + 0.1 θ̇² + 0.001 u². Never terminates; the 200-step limit is a
 * truncation applied by {@link TimeLimit}.
 */
public final class Pendulum implements Env {
    private static final double MAX_SPEED = 8;
    private static final double MAX_TORQUE = 2.0;
    private static final double DT = 0.05;
    private static final double G = 10.0;
    private static final double M = 1.0;
    private static final double L = 1.0;

    private final Space.Box observationSpace = Space.Box.symmetric(1f, 1f, (float) MAX_SPEED);
    private final Space.Box actionSpace = Space.Box.symmetric((float) MAX_TORQUE);
    private final EnvRng rng;
    private double th, thDot;

    public Pendulum(long seed) {
        rng = new EnvRng(seed);
    }

    @Override
    public Space observationSpace() {
        return observationSpace;
    }

    @Override
    public Space actionSpace() {
        return actionSpace;
    }

    @Override
    public float[] reset(Long seed) {
        if (seed != null) rng.seed(seed);
        th = rng.uniform(-Math.PI, Math.PI);
        thDot = rng.uniform(-1, 1);
        return obs();
    }

    @Override
    public StepResult step(float[] action) {
        if (action.length != 1 || !Float.isFinite(action[0])) {
            throw new IllegalArgumentException("Pendulum needs one finite torque, got " + Arrays.toString(action));
        }
        double u = Math.max(-MAX_TORQUE, Math.min(MAX_TORQUE, action[0]));
        double a = angleNormalize(th);
        double cost = a * a + 0.1 * thDot * thDot + 0.001 * u * u;
        double newThDot = thDot + (3 * G / (2 * L) * Math.sin(th) + 3.0 / (M * L * L) * u) * DT;
        newThDot = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, newThDot));
        th = th + newThDot * DT;
        thDot = newThDot;
        return new StepResult(obs(), -cost, false, false);
    }

    /** Python's ((x + π) % 2π) − π: the modulo result takes the sign of the divisor. */
    static double angleNormalize(double x) {
        double twoPi = 2 * Math.PI;
        double r = (x + Math.PI) % twoPi;
        if (r < 0) r += twoPi;
        return r - Math.PI;
    }

    private float[] obs() {
        return new float[] {(float) Math.cos(th), (float) Math.sin(th), (float) thDot};
    }

    @Override
    public boolean supportsSnapshot() {
        return true;
    }

    @Override
    public byte[] snapshot() {
        byte[] r = rng.saveState();
        return ByteBuffer.allocate(16 + r.length).putDouble(th).putDouble(thDot).put(r).array();
    }

    @Override
    public void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        th = b.getDouble();
        thDot = b.getDouble();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        rng.restoreState(r);
    }
}
