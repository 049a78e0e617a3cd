package pponode.modules;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import org.hipparchus.special.Erf;

/** The reference's activations, on tensors (training) and on host floats (rollout mirror). */
public enum Activation {
    TANH, RELU, ELU, GELU, LEAKY_RELU, SILU;

    public static Activation of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    public NDArray apply(NDArray x) {
        return switch (this) {
            case TANH -> x.tanh();
            case RELU -> ai.djl.nn.Activation.relu(x);
            case ELU -> ai.djl.nn.Activation.elu(x, 1.0f);
            case GELU -> x.mul(x.div(Scalars.of(x, (float) Math.sqrt(2))).erf().add(1f)).mul(Scalars.of(x, 0.5f)); // exact (erf) GELU, as nn.GELU()
            case LEAKY_RELU -> ai.djl.nn.Activation.leakyRelu(x, 0.01f);
            case SILU -> x.mul(ai.djl.nn.Activation.sigmoid(x));
        };
    }

    public float apply(float x) {
        return switch (this) {
            case TANH -> (float) Math.tanh(x);
            case RELU -> Math.max(0f, x);
            case ELU -> x > 0 ? x : (float) Math.expm1(x);
            case GELU -> (float) (0.5 * x * (1 + Erf.erf(x / Math.sqrt(2))));
            case LEAKY_RELU -> x > 0 ? x : 0.01f * x;
            case SILU -> (float) (x / (1 + Math.exp(-x)));
        };
    }

    public void applyInPlace(float[] v) {
        for (int i = 0; i < v.length; i++) v[i] = apply(v[i]);
    }
}
