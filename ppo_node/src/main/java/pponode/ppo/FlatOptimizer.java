package pponode.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.List;
import pponode.state.StateDict;

/**
 * Adam, AdamW or SGD (momentum 0.9, as the reference) on one flat parameter tensor, with the
 * update rules of {@code torch.optim}: Adam adds weight decay to the gradient, AdamW decays the
 * weights directly, bias correction as PyTorch (ε added after dividing by √(1 − β₂ᵗ)).
 */
public final class FlatOptimizer {
    private static final double BETA1 = 0.9, BETA2 = 0.999, MOMENTUM = 0.9;
    private final String kind;
    private final double eps, weightDecay;
    private final NDArray m, v; // Adam moments, or (m only) the SGD momentum buffer
    private long t;

    public FlatOptimizer(String kind, double eps, double weightDecay, NDManager manager, long size) {
        if (!List.of("adam", "adamw", "sgd").contains(kind)) throw new IllegalArgumentException("optimizer must be adam, adamw or sgd, got '" + kind + "'");
        this.kind = kind;
        this.eps = eps;
        this.weightDecay = weightDecay;
        m = manager.zeros(new Shape(size));
        v = manager.zeros(new Shape(size));
    }

    /** One step; call inside an NDScope (temporaries are freed with it) and outside a gradient collector. */
    public void step(NDArray param, NDArray grad, double lr) {
        t++;
        if (kind.equals("sgd")) {
            NDArray g = weightDecay != 0 ? grad.add(param.mul((float) weightDecay)) : grad;
            if (t == 1) m.addi(g);
            else m.muli((float) MOMENTUM).addi(g);
            param.subi(m.mul((float) lr));
            return;
        }
        NDArray g = grad;
        if (kind.equals("adamw")) {
            if (weightDecay != 0) param.muli((float) (1 - lr * weightDecay));
        } else if (weightDecay != 0) {
            g = grad.add(param.mul((float) weightDecay));
        }
        m.muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
        v.muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
        double bc1 = 1 - Math.pow(BETA1, t);
        double bc2 = 1 - Math.pow(BETA2, t);
        NDArray denom = v.sqrt().divi((float) Math.sqrt(bc2)).addi((float) eps);
        param.subi(m.div(denom).muli((float) (lr / bc1)));
    }

    public long steps() {
        return t;
    }

    /** Saves the moments and the step count as {@code opt.<name>.m}, {@code opt.<name>.v} and {@code <name>_opt_steps}. */
    public void save(StateDict out, String name) {
        out.putArray("opt." + name + ".m", m.toFloatArray());
        out.putArray("opt." + name + ".v", v.toFloatArray());
        out.put(name + "_opt_steps", t);
    }

    public void load(StateDict in, String name) throws IOException {
        float[] ms = in.array("opt." + name + ".m"), vs = in.array("opt." + name + ".v");
        if (ms.length != m.size() || vs.length != v.size()) throw new IOException(in.source() + ": optimizer state of " + ms.length + " values, this network has " + m.size());
        m.set(ms);
        v.set(vs);
        t = in.integer(name + "_opt_steps");
    }
}
