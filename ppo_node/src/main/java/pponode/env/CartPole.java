package pponode.env;

import java.nio.ByteBuffer;

/**
 * Exact port of Gymnasium's {@code CartPole-v1} dynamics (Euler integrator, 12 degree / 2.4 m
 * thresholds, reward 1 per step including the terminating one). The 500-step limit is applied by
 * {@link TimeLimit} in {@link EnvRegistry}, as Gymnasium's registration does.
 */
public final class CartPole implements Env {
    private static final double GRAVITY = 9.8;
    private static final double MASS_CART = 1.0;
    private static final double MASS_POLE = 0.1;
    private static final double TOTAL_MASS = MASS_CART + MASS_POLE;
    private static final double LENGTH = 0.5; // half the pole length
    private static final double POLE_MASS_LENGTH = MASS_POLE * LENGTH;
    private static final double FORCE_MAG = 10.0;
    private static final double TAU = 0.02;
    private static final double THETA_THRESHOLD = 12 * 2 * Math.PI / 360;
    private static final double X_THRESHOLD = 2.4;

    private final Space.Box observationSpace = Space.Box.symmetric(
            (float) (X_THRESHOLD * 2), Float.POSITIVE_INFINITY, (float) (THETA_THRESHOLD * 2), Float.POSITIVE_INFINITY);
    private final Space.Discrete actionSpace = new Space.Discrete(2);
    private final EnvRng rng;
    private double x, xDot, theta, thetaDot;

    public CartPole(long seed) {
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
        x = rng.uniform(-0.05, 0.05);
        xDot = rng.uniform(-0.05, 0.05);
        theta = rng.uniform(-0.05, 0.05);
        thetaDot = rng.uniform(-0.05, 0.05);
        return obs();
    }

    @Override
    public StepResult step(float[] action) {
        int a = (int) action[0];
        if (a != 0 && a != 1) {
            throw new IllegalArgumentException("CartPole action must be 0 or 1, got " + action[0]);
        }
        double force = a == 1 ? FORCE_MAG : -FORCE_MAG;
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * cos * cos / TOTAL_MASS));
        double xAcc = temp - POLE_MASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
        x += TAU * xDot;
        xDot += TAU * xAcc;
        theta += TAU * thetaDot;
        thetaDot += TAU * thetaAcc;
        boolean terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
        return new StepResult(obs(), 1.0, terminated, false);
    }

    private float[] obs() {
        return new float[] {(float) x, (float) xDot, (float) theta, (float) thetaDot};
    }

    @Override
    public boolean supportsSnapshot() {
        return true;
    }

    @Override
    public byte[] snapshot() {
        byte[] r = rng.saveState();
        return ByteBuffer.allocate(32 + r.length).putDouble(x).putDouble(xDot).putDouble(theta).putDouble(thetaDot).put(r).array();
    }

    @Override
    public void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        x = b.getDouble();
        xDot = b.getDouble();
        theta = b.getDouble();
        thetaDot = b.getDouble();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        rng.restoreState(r);
    }
}
