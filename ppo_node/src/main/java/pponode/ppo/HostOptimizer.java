package pponode.ppo;

import java.io.IOException;
import java.util.List;
import pponode.state.StateDict;

/**
 * {@link FlatOptimizer}'s rules (Adam, AdamW, SGD with momentum 0.9, as torch.optim) on a host
 * {@code float[]}, in float arithmetic as the engine does. Saves and loads the same keys, so a
 * checkpoint moves between the host and engine learners.
 */
final class HostOptimizer {
    private static final double BETA1 = 0.9, BETA2 = 0.999;
    private static final float B1 = (float) BETA1, B2 = (float) BETA2, ONE_MINUS_B1 = (float) (1 - BETA1), ONE_MINUS_B2 = (float) (1 - BETA2), MOMENTUM = 0.9f;
    private final String kind;
    private final double eps, weightDecay;
    private final float[] m, v;
    private long t;

    HostOptimizer(String kind, double eps, double weightDecay, int size) {
        if (!List.of("adam", "adamw", "sgd").contains(kind)) throw new IllegalArgumentException("optimizer must be adam, adamw or sgd, got '" + kind + "'");
        this.kind = kind;
        this.eps = eps;
        this.weightDecay = weightDecay;
        m = new float[size];
        v = new float[size];
    }

    void step(float[] param, float[] grad, double lr) {
        begin();
        step(param, grad, lr, 0, param.length);
    }

    /** Counts one step: call once, then {@link #step(float[], float[], double, int, int)} over ranges that cover the parameters. */
    void begin() {
        t++;
    }

    /** The step's update of elements {@code [from, to)}; each element's update reads only its own state, so ranges may run on different threads. */
    void step(float[] param, float[] grad, double lr, int from, int to) {
        float wd = (float) weightDecay;
        if (kind.equals("sgd")) {
            float rate = (float) lr;
            for (int i = from; i < to; i++) {
                float g = wd != 0 ? grad[i] + param[i] * wd : grad[i];
                m[i] = t == 1 ? m[i] + g : m[i] * MOMENTUM + g;
                param[i] -= m[i] * rate;
            }
            return;
        }
        boolean decoupled = kind.equals("adamw");
        float decay = (float) (1 - lr * weightDecay);
        float sqrtBc2 = (float) Math.sqrt(1 - Math.pow(BETA2, t));
        float stepSize = (float) (lr / (1 - Math.pow(BETA1, t)));
        float e = (float) eps;
        for (int i = from; i < to; i++) {
            float g = grad[i];
            if (decoupled) {
                if (wd != 0) param[i] *= decay;
            } else if (wd != 0) {
                g += param[i] * wd;
            }
            m[i] = m[i] * B1 + g * ONE_MINUS_B1;
            v[i] = v[i] * B2 + g * g * ONE_MINUS_B2;
            float denom = (float) Math.sqrt(v[i]) / sqrtBc2 + e;
            param[i] -= m[i] / denom * stepSize;
        }
    }

    void save(StateDict out, String name) {
        out.putArray("opt." + name + ".m", m.clone());
        out.putArray("opt." + name + ".v", v.clone());
        out.put(name + "_opt_steps", t);
    }

    void load(StateDict in, String name) throws IOException {
        float[] ms = in.array("opt." + name + ".m"), vs = in.array("opt." + name + ".v");
        if (ms.length != m.length || vs.length != v.length) throw new IOException(in.source() + ": optimizer state of " + ms.length + " values, this network has " + m.length);
        System.arraycopy(ms, 0, m, 0, m.length);
        System.arraycopy(vs, 0, v, 0, v.length);
        t = in.integer(name + "_opt_steps");
    }
}
