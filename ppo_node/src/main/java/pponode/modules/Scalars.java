package pponode.modules;

import ai.djl.ndarray.NDArray;

/**
 * Constants inside autograd graphs. DJL's {@code x.mul(0.5f)} (also {@code div}, {@code pow},
 * {@code maximum}, {@code minimum} with a number) wraps the number in a tensor that borrows a
 * direct buffer, and closes that tensor as soon as the product is made. PyTorch's backward for
 * those ops keeps the tensor to scale the gradient, so once the collector frees the unreferenced
 * buffer the backward pass reads freed memory: gradients, and whole training runs, then depended
 * on when garbage collection happened to run. A constant made here belongs to the array's
 * manager (and the enclosing NDScope), so it outlives the backward pass. {@code add}/{@code sub}
 * with a number are safe: their backward does not read it.
 */
public final class Scalars {
    private Scalars() {}

    /** {@code v} as a 0-d tensor on {@code like}'s manager, alive until that manager or scope closes. */
    public static NDArray of(NDArray like, float v) {
        return like.getManager().create(v);
    }
}
