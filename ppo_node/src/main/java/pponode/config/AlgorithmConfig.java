package pponode.config;

/**
 * What the PPO update reads of a run's settings, and nothing else: the rollout's shape, the
 * epochs and minibatches, the loss coefficients and clips, advantage normalisation, the early stop
 * on KL, gradient clipping and the optimizer. {@link PPOConfig#algorithm()} derives it.
 *
 * @param valueClipEpsilon null: the value loss is not clipped
 * @param targetKl null: no early stop
 * @param learnerBackend auto, host or djl: who computes the update (see {@code learner_backend})
 * @param learnerThreads threads of the host update; 0: chosen from the machine and the minibatch (see {@code learner_threads})
 */
public record AlgorithmConfig(int numEnvs, int rolloutSteps, int nEpochs, int minibatchSize, int numMinibatches, boolean normAdv, double valueCoef,
        Double valueClipEpsilon, Double targetKl, double maxGradNorm, String optimizer, double adamEps, double weightDecay,
        String learnerBackend, int learnerThreads) {}
