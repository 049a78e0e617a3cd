package pponode.modules;

import ai.djl.ndarray.NDArray;
import pponode.config.NetworkConfig;

/**
 * A feature extractor: observation batch in, feature batch [B, outputDim()] out. The reference's
 * {@code backbone_cls}.
 *
 * <p>To plug in your own, implement this interface with a public constructor
 * {@code (ParamGroup group, int[] obsShape, NetworkConfig cfg, UniformRandomProvider rng)} that
 * declares its parameters in {@code group} (for example through {@link Linear}), then set
 * {@code backbone: com.example.MyBackbone} in the config. {@link #forward} receives the group's
 * bound views, indexed by {@link ParamGroup.Slot#index()}.
 */
public interface Backbone {

    int outputDim();

    /** Differentiable forward pass; {@code params} are the views from {@link ParamGroup#bind()}. */
    NDArray forward(NDArray[] params, NDArray obs);

    /**
     * Whether {@link #forwardHost} exists. A host forward lets rollouts run in plain Java with no
     * JNI round trip per step; without one, rollouts batch all envs through the engine.
     */
    default boolean supportsHost() {
        return false;
    }

    /** Host forward of one observation with the group's flat parameters. */
    default void forwardHost(float[] params, float[] obs, float[] out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no host forward");
    }
}
