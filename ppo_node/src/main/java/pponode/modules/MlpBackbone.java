package pponode.modules;

import ai.djl.ndarray.NDArray;
import org.apache.commons.rng.UniformRandomProvider;

/** Linear → activation, per hidden size (the reference's {@code MLPBackbone}, orthogonal √2 init). */
public final class MlpBackbone implements Backbone {
    private final Linear[] layers;
    private final Activation act;
    private final float[][] scratch;

    public MlpBackbone(ParamGroup g, String prefix, int inDim, int[] hidden, Activation act, boolean orthoInit, UniformRandomProvider rng) {
        this.act = act;
        layers = new Linear[hidden.length];
        scratch = new float[hidden.length][];
        int in = inDim;
        for (int i = 0; i < hidden.length; i++) {
            layers[i] = new Linear(g, prefix + ".net." + (2 * i), in, hidden[i], orthoInit ? Math.sqrt(2) : null, rng);
            scratch[i] = new float[hidden[i]];
            in = hidden[i];
        }
    }

    public Linear[] layers() {
        return layers.clone();
    }

    public Activation activation() {
        return act;
    }

    @Override
    public int outputDim() {
        return layers[layers.length - 1].out;
    }

    @Override
    public NDArray forward(NDArray[] p, NDArray x) {
        if (x.getShape().dimension() > 2) x = x.reshape(x.getShape().get(0), -1); // images etc. are read flat
        for (Linear l : layers) x = act.apply(l.forward(p, x));
        return x;
    }

    @Override
    public boolean supportsHost() {
        return true;
    }

    @Override
    public void forwardHost(float[] params, float[] obs, float[] out) {
        float[] x = obs;
        for (int i = 0; i < layers.length; i++) {
            float[] y = i == layers.length - 1 ? out : scratch[i];
            layers[i].forward(params, x, y);
            act.applyInPlace(y);
            x = y;
        }
    }
}
