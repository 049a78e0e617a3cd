package pponode.modules;

/**
 * A forward pass of an actor-critic's flat host parameters over many rows at once (the host
 * learner's kernels), which {@link ActorCritic} uses for rollouts when the algorithm hands it one:
 * rollout and update then share one arithmetic. Its parameters are bound once per update.
 */
public interface BatchedForward {
    /** The most rows one pass takes. */
    int capacity();

    /** Binds the actor's and the critic's flat parameters (until they are replaced). */
    void bind(float[] actorParams, float[] criticParams);

    /** Head outputs of {@code rows} rows of {@code obs}, row after row. */
    float[] forwardActor(float[] actorParams, float[] obs, int rows);

    /** Values of {@code rows} rows of {@code obs}. */
    float[] forwardValue(float[] criticParams, float[] obs, int rows);

    /** Makes a pass for up to {@code capacity} rows. */
    interface Factory {
        BatchedForward create(int capacity);
    }
}
