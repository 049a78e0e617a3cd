package pponode.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * One LSTM or GRU layer with PyTorch's parameter layout and gate order (LSTM: i, f, g, o; GRU:
 * r, z, n), run one time step at a time so the state can be reset where an episode starts.
 *
 * <p>State per env: LSTM [h, c] (2H values), GRU [h] (H values). Sequences are replayed in the
 * update from the state stored at the start of the rollout, with {@code keep = 0} at every step
 * that begins a new episode — the same treatment the rollout gave them, so old and new log-probs
 * are computed on identical hidden states.
 */
public final class RecurrentCore {
    private final boolean lstm;
    private final int in, hidden, gates;
    private final ParamGroup.Slot wIh, wHh, bIh, bHh;
    private final float[] gateBuf, hPrev;

    public RecurrentCore(ParamGroup g, String prefix, String type, int in, int hidden, boolean orthoInit, UniformRandomProvider rng) {
        this.lstm = type.equals("lstm");
        this.in = in;
        this.hidden = hidden;
        this.gates = (lstm ? 4 : 3) * hidden;
        if (orthoInit) { // CleanRL's LSTM init: orthogonal weights, zero biases
            wIh = g.add(prefix + ".weight_ih_l0", Init.orthogonal(gates, in, 1.0, rng), gates, in);
            wHh = g.add(prefix + ".weight_hh_l0", Init.orthogonal(gates, hidden, 1.0, rng), gates, hidden);
            bIh = g.add(prefix + ".bias_ih_l0", new float[gates], gates);
            bHh = g.add(prefix + ".bias_hh_l0", new float[gates], gates);
        } else { // PyTorch's default: U(-1/sqrt(H), 1/sqrt(H)) everywhere
            wIh = g.add(prefix + ".weight_ih_l0", Init.uniformFanIn(gates * in, hidden, rng), gates, in);
            wHh = g.add(prefix + ".weight_hh_l0", Init.uniformFanIn(gates * hidden, hidden, rng), gates, hidden);
            bIh = g.add(prefix + ".bias_ih_l0", Init.uniformFanIn(gates, hidden, rng), gates);
            bHh = g.add(prefix + ".bias_hh_l0", Init.uniformFanIn(gates, hidden, rng), gates);
        }
        gateBuf = new float[2 * gates];
        hPrev = new float[hidden];
    }

    public boolean lstm() {
        return lstm;
    }

    public int hidden() {
        return hidden;
    }

    /** weight_ih, weight_hh, bias_ih, bias_hh. */
    public ParamGroup.Slot[] slots() {
        return new ParamGroup.Slot[] {wIh, wHh, bIh, bHh};
    }

    public int stateSize() {
        return lstm ? 2 * hidden : hidden;
    }

    public int outputDim() {
        return hidden;
    }

    /**
     * Runs a sequence: {@code x} [T, E, in], {@code keep} [T, E, 1] (0 where an episode starts),
     * {@code state0} [E, stateSize]. Returns the outputs [T·E, H] in time-major order.
     */
    public NDArray forwardSequence(NDArray[] p, NDArray x, NDArray keep, NDArray state0) {
        long steps = x.getShape().get(0);
        NDArray xw = ai.djl.nn.core.Linear.linear(x, p[wIh.index()], p[bIh.index()]).head(); // input part for all steps at once
        NDArray h = lstm ? state0.get(":, 0:" + hidden) : state0;
        NDArray c = lstm ? state0.get(":, " + hidden + ":") : null;
        NDList outs = new NDList();
        for (long t = 0; t < steps; t++) {
            NDArray k = keep.get(t);
            h = h.mul(k);
            NDArray hw = ai.djl.nn.core.Linear.linear(h, p[wHh.index()], p[bHh.index()]).head();
            NDArray xt = xw.get(t);
            if (lstm) {
                c = c.mul(k);
                NDArray gsum = xt.add(hw);
                NDArray i = ai.djl.nn.Activation.sigmoid(gsum.get(":, 0:" + hidden));
                NDArray f = ai.djl.nn.Activation.sigmoid(gsum.get(":, " + hidden + ":" + 2 * hidden));
                NDArray gg = gsum.get(":, " + 2 * hidden + ":" + 3 * hidden).tanh();
                NDArray o = ai.djl.nn.Activation.sigmoid(gsum.get(":, " + 3 * hidden + ":"));
                c = f.mul(c).add(i.mul(gg));
                h = o.mul(c.tanh());
            } else {
                NDArray r = ai.djl.nn.Activation.sigmoid(xt.get(":, 0:" + hidden).add(hw.get(":, 0:" + hidden)));
                NDArray z = ai.djl.nn.Activation.sigmoid(xt.get(":, " + hidden + ":" + 2 * hidden).add(hw.get(":, " + hidden + ":" + 2 * hidden)));
                NDArray n = xt.get(":, " + 2 * hidden + ":").add(r.mul(hw.get(":, " + 2 * hidden + ":"))).tanh();
                h = z.neg().add(1f).mul(n).add(z.mul(h));
            }
            outs.add(h);
        }
        return NDArrays.stack(outs).reshape(-1, hidden);
    }

    /** One host step: {@code state} is read and updated in place, {@code out} gets h. */
    public void stepHost(float[] p, float[] x, float[] state, int stateOff, float[] out) {
        float[] g = gateBuf;
        int wi = wIh.offset(), wh = wHh.offset(), bi = bIh.offset(), bh = bHh.offset();
        System.arraycopy(state, stateOff, hPrev, 0, hidden);
        for (int r = 0; r < gates; r++) {
            float a = p[bi + r];
            int row = wi + r * in;
            for (int j = 0; j < in; j++) a += p[row + j] * x[j];
            float b = p[bh + r];
            row = wh + r * hidden;
            for (int j = 0; j < hidden; j++) b += p[row + j] * hPrev[j];
            g[r] = a;
            g[gates + r] = b;
        }
        if (lstm) {
            for (int j = 0; j < hidden; j++) {
                double i = sigmoid(g[j] + g[gates + j]);
                double f = sigmoid(g[hidden + j] + g[gates + hidden + j]);
                double gg = Math.tanh(g[2 * hidden + j] + g[gates + 2 * hidden + j]);
                double o = sigmoid(g[3 * hidden + j] + g[gates + 3 * hidden + j]);
                double c = f * state[stateOff + hidden + j] + i * gg;
                state[stateOff + hidden + j] = (float) c;
                float h = (float) (o * Math.tanh((float) c));
                state[stateOff + j] = h;
                out[j] = h;
            }
        } else {
            for (int j = 0; j < hidden; j++) {
                double r = sigmoid(g[j] + g[gates + j]);
                double z = sigmoid(g[hidden + j] + g[gates + hidden + j]);
                double n = Math.tanh(g[2 * hidden + j] + r * g[gates + 2 * hidden + j]);
                float h = (float) ((1 - z) * n + z * hPrev[j]);
                state[stateOff + j] = h;
                out[j] = h;
            }
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
