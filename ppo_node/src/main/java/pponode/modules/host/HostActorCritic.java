package pponode.modules.host;

import java.util.Set;
import pponode.modules.Activation;
import pponode.modules.ActorCritic;
import pponode.modules.BatchedForward;
import pponode.modules.Linear;
import pponode.modules.MlpBackbone;

/**
 * The forward and backward passes of an MLP {@link ActorCritic} over a batch of rows in plain Java
 * (no engine): actor body → actor head, critic body (or the actor's, when shared) → value head.
 * Gradients go into flat arrays laid out as the actor and critic parameter groups, so the
 * optimizer, clipping and checkpoints see the same vectors as on the engine path.
 */
public final class HostActorCritic implements BatchedForward {
    /** The activations the host path implements; others train on the engine. */
    public static final Set<Activation> ACTIVATIONS = Set.of(Activation.TANH, Activation.RELU, Activation.ELU);

    private final Chain actorBody, actorHead, criticBody, valueHead;
    private final float[] dFeatA, dFeatC;
    private final int capacity;
    private float[] featC;

    /** Whether {@code ac} is a network this class covers: feed-forward, MLP backbones, a host activation. */
    public static boolean covers(ActorCritic ac) {
        return !ac.recurrent() && ac.actorBody instanceof MlpBackbone a && ACTIVATIONS.contains(a.activation())
                && (ac.criticBody == null || ac.criticBody instanceof MlpBackbone);
    }

    public HostActorCritic(ActorCritic ac, Kernels k, int capacity) {
        if (!covers(ac)) throw new IllegalArgumentException("the host learner covers feed-forward MLP networks with tanh, relu or elu");
        this.capacity = capacity;
        MlpBackbone a = (MlpBackbone) ac.actorBody;
        actorBody = new Chain(k, a.layers(), a.activation(), capacity);
        actorHead = new Chain(k, new Linear[] {ac.actorHead}, null, capacity);
        criticBody = ac.criticBody == null ? null : new Chain(k, ((MlpBackbone) ac.criticBody).layers(), a.activation(), capacity);
        valueHead = new Chain(k, new Linear[] {ac.valueHead}, null, capacity);
        dFeatA = new float[capacity * actorBody.outDim()];
        dFeatC = new float[capacity * actorBody.outDim()];
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Refreshes the weight copies from the flat parameters; call after every optimizer step. */
    @Override
    public void bind(float[] actorParams, float[] criticParams) {
        actorBody.bind(actorParams);
        actorHead.bind(actorParams);
        if (criticBody != null) criticBody.bind(criticParams);
        valueHead.bind(criticParams);
    }

    /** Head outputs [m × headDim] of {@code m} rows of {@code obs}. */
    @Override
    public float[] forwardActor(float[] actorParams, float[] obs, int m) {
        check(m);
        return actorHead.forward(actorParams, actorBody.forward(actorParams, obs, m), m);
    }

    /** Values [m] of the rows last given to {@link #forwardActor} (whose features a shared backbone reuses). */
    @Override
    public float[] forwardValue(float[] criticParams, float[] obs, int m) {
        featC = criticBody == null ? actorBody.output() : criticBody.forward(criticParams, obs, m);
        return valueHead.forward(criticParams, featC, m);
    }

    /**
     * Backward from the gradients of the loss with respect to the head outputs and the values
     * ({@code dHead} [m × headDim], {@code dValue} [m], or null for an actor-only pass): adds into
     * {@code gradActor} and {@code gradCritic}. {@code dHead} is left unchanged.
     */
    public void backward(float[] dHead, float[] dValue, int m, float[] gradActor, float[] gradCritic) {
        if (dHead != null) actorHead.backward(dHead, m, gradActor, dFeatA);
        if (dValue != null) {
            boolean shared = criticBody == null;
            if (shared && dHead == null) throw new IllegalStateException("a shared backbone's backward needs the actor's gradient");
            valueHead.backward(dValue, m, gradCritic, dFeatC);
            if (shared) {
                for (int i = 0, n = m * actorBody.outDim(); i < n; i++) dFeatA[i] += dFeatC[i];
            } else {
                criticBody.backward(dFeatC, m, gradCritic, null);
            }
        }
        if (dHead != null) actorBody.backward(dFeatA, m, gradActor, null);
    }

    private void check(int m) {
        if (m > capacity) throw new IllegalArgumentException(m + " rows for a host network sized for " + capacity);
    }
}
