package pponode.modules.host;

import pponode.modules.Activation;
import pponode.modules.Linear;

/**
 * A stack of {@link Linear} layers over a batch of rows, with an activation after every layer
 * when {@code activated}: the forward pass keeps each layer's output for the backward pass, which
 * adds weight and bias gradients into a flat gradient array laid out as the parameter group.
 */
final class Chain {
    private final Kernels k;
    private final Linear[] layers;
    private final Activation act; // null: no activation after the layers
    private final float[][] w, wt, biases, out, delta;
    private float[] input;

    Chain(Kernels k, Linear[] layers, Activation act, int capacity) {
        this.k = k;
        this.layers = layers;
        this.act = act;
        int n = layers.length;
        w = new float[n][];
        wt = new float[n][];
        biases = new float[n][];
        out = new float[n][];
        delta = new float[n][];
        for (int i = 0; i < n; i++) {
            w[i] = new float[layers[i].in * layers[i].out];
            wt[i] = new float[layers[i].in * layers[i].out];
            biases[i] = new float[layers[i].out];
            out[i] = new float[capacity * layers[i].out];
            delta[i] = new float[capacity * Math.max(layers[i].in, layers[i].out)];
        }
    }

    int outDim() {
        return layers[layers.length - 1].out;
    }

    /** Copies the weights out of the flat parameters (and transposed, for the forward gemm). */
    void bind(float[] params) {
        for (int l = 0; l < layers.length; l++) {
            Linear layer = layers[l];
            int in = layer.in, o = layer.out, off = layer.weight.offset();
            System.arraycopy(params, off, w[l], 0, in * o);
            for (int r = 0; r < o; r++) for (int c = 0; c < in; c++) wt[l][c * o + r] = params[off + r * in + c];
        }
    }

    /** Forward over {@code m} rows of {@code x}; returns the last layer's output buffer. */
    float[] forward(float[] params, float[] x, int m) {
        input = x;
        float[] in = x;
        for (int l = 0; l < layers.length; l++) {
            Linear layer = layers[l];
            float[] bias = biasOf(params, layer, l);
            k.gemm(in, wt[l], bias, out[l], m, layer.in, layer.out);
            if (act != null) activate(out[l], m * layer.out);
            in = out[l];
        }
        return in;
    }

    private float[] biasOf(float[] params, Linear layer, int l) {
        System.arraycopy(params, layer.bias.offset(), biases[l], 0, layer.out);
        return biases[l];
    }

    float[] output() {
        return out[layers.length - 1];
    }

    /**
     * Backward from {@code dOut} (gradient of the last layer's output, [m × outDim]; overwritten):
     * adds parameter gradients into {@code grad}; writes the input gradient into {@code dInput}
     * when not null.
     */
    void backward(float[] dOut, int m, float[] grad, float[] dInput) {
        float[] d = dOut;
        for (int l = layers.length - 1; l >= 0; l--) {
            Linear layer = layers[l];
            int len = m * layer.out;
            if (act != null) activationBackward(out[l], d, len);
            float[] in = l == 0 ? input : out[l - 1];
            k.gemmTransAAccumulate(d, in, grad, layer.weight.offset(), m, layer.out, layer.in);
            k.sumRowsAccumulate(d, grad, layer.bias.offset(), m, layer.out);
            if (l > 0 || dInput != null) {
                float[] dIn = l == 0 ? dInput : delta[l];
                k.gemm(d, w[l], null, dIn, m, layer.out, layer.in);
                d = dIn;
            }
        }
    }

    private void activate(float[] y, int len) {
        switch (act) {
            case TANH -> k.tanh(y, len);
            case RELU -> {
                for (int i = 0; i < len; i++) y[i] = Math.max(0f, y[i]);
            }
            case ELU -> {
                for (int i = 0; i < len; i++) if (y[i] <= 0f) y[i] = (float) Math.expm1(y[i]);
            }
            default -> throw new IllegalStateException("no host activation " + act);
        }
    }

    /** d ← d ⊙ f'(·), from the activation's output y (tanh: 1 − y², ReLU: y > 0, ELU: y > 0 ? 1 : y + 1). */
    private void activationBackward(float[] y, float[] d, int len) {
        switch (act) {
            case TANH -> k.tanhBackward(y, d, d, len);
            case RELU -> {
                for (int i = 0; i < len; i++) if (y[i] <= 0f) d[i] = 0f;
            }
            case ELU -> {
                for (int i = 0; i < len; i++) if (y[i] <= 0f) d[i] *= y[i] + 1f;
            }
            default -> throw new IllegalStateException("no host activation " + act);
        }
    }
}
