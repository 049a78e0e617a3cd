package pponode.modules;

import ai.djl.ndarray.NDArray;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A fully connected layer living in a {@link ParamGroup}: weight [out, in] (PyTorch layout, so the
 * ONNX export is a Gemm with transB=1) and bias [out].
 */
public final class Linear {
    public final ParamGroup.Slot weight;
    public final ParamGroup.Slot bias;
    public final int in;
    public final int out;

    /** {@code gain} null means PyTorch's default init; otherwise orthogonal with that gain and zero bias. */
    public Linear(ParamGroup g, String name, int in, int out, Double gain, UniformRandomProvider rng) {
        this.in = in;
        this.out = out;
        if (gain != null) {
            weight = g.add(name + ".weight", Init.orthogonal(out, in, gain, rng), out, in);
            bias = g.add(name + ".bias", new float[out], out);
        } else {
            weight = g.add(name + ".weight", Init.uniformFanIn(out * in, in, rng), out, in);
            bias = g.add(name + ".bias", Init.uniformFanIn(out, in, rng), out);
        }
    }

    public NDArray forward(NDArray[] p, NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, p[weight.index()], p[bias.index()]).head();
    }

    /** Host forward of one row: y = W x + b. */
    public void forward(float[] params, float[] x, float[] y) {
        int w = weight.offset(), b = bias.offset();
        for (int o = 0; o < out; o++) {
            float s = params[b + o];
            int row = w + o * in;
            for (int i = 0; i < in; i++) s += params[row + i] * x[i];
            y[o] = s;
        }
    }
}
