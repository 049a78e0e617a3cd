package pponode.env;

/**
 * A legged task's velocity commands (base frame: v_x, v_y, yaw rate), as Isaac Lab's uniform
 * velocity command draws them: uniform in each range, zero for a {@code standing} share of draws
 * (a robot must learn to stand when the operator lets go, and a uniform draw is never exactly
 * zero), drawn at reset and again every {@code resampleSteps} control steps (0: once per episode).
 */
public record VelocityCommands(double[][] ranges, double standing, int resampleSteps) {
    /** Draws a command into {@code out}. Fixed commands draw nothing, so their tasks' random streams stay as they were. */
    public void sample(EnvRng rng, double[] out) {
        if (standing > 0 && rng.uniform(0, 1) < standing) {
            out[0] = out[1] = out[2] = 0;
            return;
        }
        for (int a = 0; a < 3; a++) out[a] = ranges[a][0] == ranges[a][1] ? ranges[a][0] : rng.uniform(ranges[a][0], ranges[a][1]);
    }

    /** Whether a new command is due after control step {@code t} of an episode. */
    public boolean resampleDue(int t) {
        return resampleSteps > 0 && t % resampleSteps == 0;
    }

    /** The middle of each range (v_x, v_y, yaw rate): the command a judge holds when none is given. */
    public double[] center() {
        return new double[] {(ranges[0][0] + ranges[0][1]) / 2, (ranges[1][0] + ranges[1][1]) / 2, (ranges[2][0] + ranges[2][1]) / 2};
    }

    /** This one command, always (evaluation at a fixed command, as legged_gym's play does). */
    public static VelocityCommands fixed(double vx, double vy, double yawRate) {
        return new VelocityCommands(new double[][] {{vx, vx}, {vy, vy}, {yawRate, yawRate}}, 0, 0);
    }
}
