package pponode.env;

import java.util.Map;

/**
 * A Gymnasium-like environment. Implementations are single-threaded; {@link VecEnv} runs many.
 *
 * <p>Actions are flat float vectors: for a {@link Space.Discrete} action space the chosen index is
 * {@code action[0]}; for a {@link Space.Box} they are in the box's units (already scaled by the
 * policy), and an environment must clip or reject anything out of its bounds itself.
 */
public interface Env extends AutoCloseable {

    Space observationSpace();

    Space actionSpace();

    /**
     * Starts a new episode. A non-null seed re-seeds the environment's random generator (as
     * Gymnasium's {@code reset(seed=...)}); null continues the current random stream.
     */
    float[] reset(Long seed);

    StepResult step(float[] action);

    /**
     * Task metrics of the episode that just ended (e.g. {@code final_distance} for a reacher), read
     * before the environment is reset. Evaluation reports their mean.
     */
    default Map<String, Double> episodeMetrics() {
        return Map.of();
    }

    /**
     * What defines this environment beyond its id (a robot task's file settings and hashes; empty
     * for a built-in environment). Checkpoints record it so that a resume can tell what changed.
     */
    default Map<String, Object> definition() {
        return Map.of();
    }

    /**
     * In evaluation an environment leaves out what is there only to make training robust
     * (observation noise): a deterministic evaluation sees the clean signal. Randomized physics
     * stays: it is the robot the policy is judged on.
     */
    default void evaluation(boolean on) {}

    /** Whether {@link #snapshot()} and {@link #restore(byte[])} capture the whole state, RNG included. */
    default boolean supportsSnapshot() {
        return false;
    }

    /** The complete state of the environment, so that a resumed training run continues bit-for-bit. */
    default byte[] snapshot() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot snapshot its state");
    }

    default void restore(byte[] state) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore a snapshot");
    }

    @Override
    default void close() {}
}
