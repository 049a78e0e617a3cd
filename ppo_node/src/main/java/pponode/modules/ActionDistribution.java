package pponode.modules;

import ai.djl.ndarray.NDArray;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The policy's action distribution, parameterised by the actor head's output.
 *
 * <p>A distribution works on "raw" actions: what it samples and what the rollout buffer stores
 * (a category index, a pre-squash Gaussian sample, a Beta sample in (0, 1)). {@link #toEnv} maps a
 * raw action to what the environment receives, scaled to its bounds. Log-probabilities are always
 * of the raw action, so the update never has to invert a squash.
 */
public interface ActionDistribution {

    /** Width of the actor head's output. */
    int headDim();

    /** Width of one stored raw action. */
    int rawDim();

    /** Width of the environment action. */
    int envDim();

    /** Adds distribution parameters that are not head outputs (the Gaussian's log-std). */
    default void addParams(ParamGroup actor) {}

    // ── training side: differentiable, batched

    /** Log-probability [B] of raw actions [B, rawDim], including any squash correction {@code corr} [B]. */
    NDArray logProb(NDArray[] actorParams, NDArray head, NDArray raw, NDArray corr);

    /** Entropy [B] (or a scalar, when it does not depend on the observation). */
    NDArray entropy(NDArray[] actorParams, NDArray head);

    // ── rollout side: host floats, one observation

    /** Samples a raw action into {@code raw}; returns its log-probability (squash-corrected). */
    double sample(float[] actorParams, float[] head, UniformRandomProvider rng, float[] raw);

    /** The deterministic raw action: argmax, mean, or Beta mean. */
    void mode(float[] actorParams, float[] head, float[] raw);

    /** Log-probability of an existing raw action (used for operator actions and tests). */
    double logProb(float[] actorParams, float[] head, float[] raw);

    // ── host training side (the host learner): batches as flat row-major arrays, in double

    /** Whether the host learner implements this distribution's log-probability and entropy gradients. */
    default boolean hostTrainable() {
        return false;
    }

    /** log π(raw | head) of row {@code r} ({@code head} [m × headDim], {@code raw} [m × rawDim]), before any squash correction. */
    default double logProbRow(float[] actorParams, float[] head, float[] raw, int r) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no host training path");
    }

    /**
     * Adds {@code g · ∂logProbRow/∂head} into row {@code r} of {@code dHead} and {@code g · ∂/∂θ}
     * for the distribution's own parameters θ (a log-std) into {@code dActorParams}.
     */
    default void logProbRowGradient(float[] actorParams, float[] head, float[] raw, int r, double g, float[] dHead, float[] dActorParams) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no host training path");
    }

    /** The batch's entropy as the update uses it: the mean over {@code m} rows (a Gaussian's is one scalar). */
    default double entropyBatch(float[] actorParams, float[] head, int m) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no host training path");
    }

    /** Adds {@code g · ∂entropyBatch/∂head} into {@code dHead} and {@code g · ∂/∂θ} into {@code dActorParams}. */
    default void entropyBatchGradient(float[] actorParams, float[] head, int m, double g, float[] dHead, float[] dActorParams) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no host training path");
    }

    /** The log |det Jacobian| term subtracted from the base log-prob; 0 unless actions are squashed. */
    default double squashCorrection(float[] raw) {
        return 0;
    }

    /** Raw action → environment action (scaled to the action space bounds). */
    void toEnv(float[] raw, float[] env);

    /**
     * Environment action → the raw action whose log-probability is learned from (an operator's
     * action for behaviour cloning). Bounded distributions cannot put density on their bounds, so
     * actions are first pulled {@code eps} (as a fraction of the range) inside them.
     */
    default void fromEnv(float[] env, float[] raw, double eps) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " actions cannot be learned from operator demonstrations");
    }
}
