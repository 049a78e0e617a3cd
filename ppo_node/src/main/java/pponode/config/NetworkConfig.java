package pponode.config;

/**
 * What the networks are made of, and nothing else of the learner's settings: the action
 * distribution, the backbone and its sizes, initialisation, recurrence. {@code PPOConfig.network()}
 * gives it; the modules never read the whole learner configuration.
 */
public record NetworkConfig(
        String actionSpaceType,
        String continuousDist,
        boolean squashActions,
        double logStdInit,
        String backbone,
        int[] hiddenSizes,
        String activation,
        boolean sharedBackbone,
        boolean orthoInit,
        boolean recurrent,
        String rnnType,
        int rnnHiddenSize,
        int transformerSeqLen,
        int transformerDModel,
        int transformerHeads,
        int transformerLayers,
        int transformerFfnDim,
        int[] cnnChannels,
        int[] cnnKernels,
        int[] cnnStrides) {}
