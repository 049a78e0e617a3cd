package pponode.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import pponode.config.NetworkConfig;
import pponode.env.Space;
import pponode.state.StateDict;

/**
 * The policy and value networks (the reference's {@code ActorCritic}): a backbone per network
 * (or one shared), an actor head feeding an {@link ActionDistribution}, and a value head.
 *
 * <p>Parameters live in two {@link ParamGroup}s so actor and critic can have their own learning
 * rates ({@code lr_actor}, {@code lr_critic}; the reference declares both but trains everything
 * at {@code lr_actor}). A shared backbone belongs to the actor group.
 *
 * <p>Rollouts use {@link #act} and {@link #value}. With an MLP backbone these run in plain Java on
 * a host copy of the weights ({@link #syncHost()} after each update); otherwise they batch every
 * environment through the engine in one call.
 */
public final class ActorCritic {
    public final NetworkConfig cfg;
    public final ParamGroup actor = new ParamGroup("actor");
    public final ParamGroup critic = new ParamGroup("critic");
    public final Backbone actorBody;
    public final Backbone criticBody; // null when shared
    public final Linear actorHead;
    public final Linear valueHead;
    public final RecurrentCore actorRnn; // null unless cfg.recurrent()
    public final RecurrentCore criticRnn; // null unless recurrent with separate networks
    public final ActionDistribution dist;
    public final int[] obsShape;
    public final int obsDim;
    private final boolean host;
    private NDManager manager;
    private float[] actorHost, criticHost;
    private float[] featA, featC;
    private final float[] rnnA, rnnC;
    private float[] stateScratch = new float[0];
    private BatchedForward rolloutNet; // several rows at once through the host kernels (MLP networks)
    private BatchedForward.Factory batchedRollouts; // null: row by row
    private boolean rolloutNetBound;
    private float[] rolloutObs = new float[0];

    /** Training-side outputs of one forward pass. */
    public record Output(NDArray head, NDArray value, NDArray[] actorParams) {}

    public ActorCritic(NetworkConfig cfg, Space obsSpace, Space actSpace, UniformRandomProvider rng) {
        this.cfg = cfg;
        if (!(obsSpace instanceof Space.Box ob)) throw new IllegalArgumentException("observation space must be a Box, got " + obsSpace);
        obsShape = ob.shape().clone();
        obsDim = ob.flatDim();
        dist = distribution(cfg, actSpace);
        actorBody = backbone(cfg, actor, "actor_backbone", ob, rng);
        criticBody = cfg.sharedBackbone() ? null : backbone(cfg, critic, "critic_backbone", ob, rng);
        int feat = actorBody.outputDim();
        boolean ortho = cfg.orthoInit();
        if (cfg.recurrent()) {
            actorRnn = new RecurrentCore(actor, "actor_rnn", cfg.rnnType(), feat, cfg.rnnHiddenSize(), ortho, rng);
            criticRnn = criticBody == null ? null : new RecurrentCore(critic, "critic_rnn", cfg.rnnType(), feat, cfg.rnnHiddenSize(), ortho, rng);
            feat = cfg.rnnHiddenSize();
        } else {
            actorRnn = null;
            criticRnn = null;
        }
        // Heads: value gain 1, actor gain 0.01 (near-uniform / near-zero-mean start), as the reference.
        valueHead = new Linear(critic, "critic_head", feat, 1, ortho ? 1.0 : null, rng);
        actorHead = new Linear(actor, "actor_head", feat, dist.headDim(), ortho ? 0.01 : null, rng);
        dist.addParams(actor);
        host = actorBody.supportsHost() && (criticBody == null || criticBody.supportsHost());
        featA = new float[actorBody.outputDim()];
        featC = new float[actorBody.outputDim()];
        rnnA = new float[feat];
        rnnC = new float[feat];
    }

    public boolean recurrent() {
        return actorRnn != null;
    }

    /** Hidden-state values per env (actor's then critic's); 0 for feed-forward policies. */
    public int stateSize() {
        if (actorRnn == null) return 0;
        return actorRnn.stateSize() + (criticRnn == null ? 0 : criticRnn.stateSize());
    }

    static ActionDistribution distribution(NetworkConfig cfg, Space actSpace) {
        if (cfg.actionSpaceType().equals("discrete")) {
            if (!(actSpace instanceof Space.Discrete d)) {
                throw new IllegalArgumentException("'action_space_type' is discrete but the environment's action space is " + actSpace);
            }
            return new Categorical(d.n());
        }
        if (!(actSpace instanceof Space.Box box)) {
            throw new IllegalArgumentException("'action_space_type' is continuous but the environment's action space is " + actSpace);
        }
        if (cfg.continuousDist().equals("beta")) return new BetaDistribution(box);
        return cfg.squashActions() ? new TanhGaussian(box, cfg.logStdInit()) : new DiagGaussian(box, cfg.logStdInit());
    }

    static Backbone backbone(NetworkConfig cfg, ParamGroup g, String prefix, Space.Box ob, UniformRandomProvider rng) {
        Activation act = Activation.of(cfg.activation());
        switch (cfg.backbone()) {
            case "mlp":
                return new MlpBackbone(g, prefix, ob.flatDim(), cfg.hiddenSizes(), act, cfg.orthoInit(), rng);
            case "transformer":
                return new TransformerBackbone(g, prefix, ob.flatDim(), cfg.transformerSeqLen(), cfg.transformerDModel(), cfg.transformerHeads(),
                        cfg.transformerLayers(), cfg.transformerFfnDim(), act, cfg.orthoInit(), rng);
            case "cnn": {
                float scale = ob.high().length > 0 && ob.high()[0] >= 255f ? 1f / 255f : 1f;
                return new NatureCnnBackbone(g, prefix, ob.shape(), cfg.cnnChannels(), cfg.cnnKernels(), cfg.cnnStrides(), cfg.hiddenSizes(), act,
                        cfg.orthoInit(), scale, rng);
            }
            default:
                return customBackbone(cfg, g, ob, rng);
        }
    }

    private static Backbone customBackbone(NetworkConfig cfg, ParamGroup g, Space.Box ob, UniformRandomProvider rng) {
        try {
            Class<?> c = Class.forName(cfg.backbone());
            if (!Backbone.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException("'backbone' class " + cfg.backbone() + " does not implement " + Backbone.class.getName());
            }
            Constructor<?> k = c.getConstructor(ParamGroup.class, int[].class, NetworkConfig.class, UniformRandomProvider.class);
            return (Backbone) k.newInstance(g, ob.shape(), cfg, rng);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("'backbone' must be mlp, transformer, cnn or a class name on the classpath; no class " + cfg.backbone());
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("'backbone' class " + cfg.backbone()
                    + " needs a public constructor (ParamGroup, int[], NetworkConfig, UniformRandomProvider)");
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("'backbone' class " + cfg.backbone() + " failed to construct: " + e.getCause());
        }
    }

    /** Puts the parameters on {@code manager}'s device as trainable tensors. */
    public void materialize(NDManager manager) {
        this.manager = manager;
        actor.materialize(manager);
        critic.materialize(manager);
        syncHost();
    }

    /** Saves the weights as arrays {@code actor} and {@code critic}. */
    public void save(StateDict out) {
        out.putArray("actor", actor.toHost());
        out.putArray("critic", critic.toHost());
    }

    /** Loads weights saved by {@link #save}; a network of another shape is refused with both sizes. */
    public void load(StateDict in) throws IOException {
        float[] a = in.array("actor"), c = in.array("critic");
        if (a.length != actor.size() || c.length != critic.size()) {
            throw new IOException(in.source() + ": networks of " + a.length + " + " + c.length + " parameters, this one has " + actor.size() + " + " + critic.size());
        }
        actor.load(a);
        critic.load(c);
        syncHost();
    }

    public NDManager manager() {
        return manager;
    }

    /** Refreshes the host copy of the weights used by rollouts (two JNI copies). */
    public void syncHost() {
        actorHost = actor.toHost();
        criticHost = critic.toHost();
        rolloutNetBound = false;
    }

    public float[] actorHost() {
        return actorHost;
    }

    public boolean hostInference() {
        return host;
    }

    /** Differentiable forward pass for the update. */
    public Output forward(NDArray obs) {
        NDArray[] pa = actor.bind();
        NDArray[] pc = critic.bind();
        NDArray fa = actorBody.forward(pa, obs);
        NDArray fc = criticBody == null ? fa : criticBody.forward(pc, obs);
        NDArray head = actorHead.forward(pa, fa);
        // A shared backbone's features come from the actor group; the value head reads them either way.
        NDArray value = valueHead.forward(pc, fc).squeeze(-1);
        return new Output(head, value, pa);
    }

    /**
     * Differentiable forward pass of a recurrent policy over sequences: {@code obs} holds
     * {@code steps × envs} rows in time-major order, {@code keep} [steps, envs, 1] is 0 where an
     * episode starts, {@code state0} [envs, stateSize()] is the state before the first step.
     */
    public Output forwardSequence(NDArray obs, int steps, int envs, NDArray keep, NDArray state0) {
        NDArray[] pa = actor.bind();
        NDArray[] pc = critic.bind();
        int sa = actorRnn.stateSize();
        NDArray fa = actorBody.forward(pa, obs);
        NDArray ha = actorRnn.forwardSequence(pa, fa.reshape(steps, envs, -1), keep, criticRnn == null ? state0 : state0.get(":, 0:" + sa));
        NDArray head = actorHead.forward(pa, ha);
        NDArray hc = ha;
        if (criticRnn != null) {
            NDArray fc = criticBody.forward(pc, obs);
            hc = criticRnn.forwardSequence(pc, fc.reshape(steps, envs, -1), keep, state0.get(":, " + sa + ":"));
        }
        return new Output(head, valueHead.forward(pc, hc).squeeze(-1), pa);
    }

    /**
     * Recurrent rollout step for {@code n} envs: zeroes the state of envs whose episode starts,
     * advances every state by one step, writes head outputs and values.
     */
    public void actRecurrent(float[][] obs, int n, boolean[] starts, float[][] state, float[][] headOut, float[] values) {
        for (int i = 0; i < n; i++) {
            if (starts[i]) Arrays.fill(state[i], 0f);
            float v = stepRecurrent(obs[i], state[i], headOut[i]);
            if (values != null) values[i] = v;
        }
    }

    private float stepRecurrent(float[] obs, float[] state, float[] headOut) {
        actorBody.forwardHost(actorHost, obs, featA);
        actorRnn.stepHost(actorHost, featA, state, 0, rnnA);
        if (headOut != null) actorHead.forward(actorHost, rnnA, headOut);
        float[] f = rnnA;
        if (criticRnn != null) {
            criticBody.forwardHost(criticHost, obs, featC);
            criticRnn.stepHost(criticHost, featC, state, actorRnn.stateSize(), rnnC);
            f = rnnC;
        }
        float[] v = new float[1];
        valueHead.forward(criticHost, f, v);
        return v[0];
    }

    /** Value of {@code obs} after {@code state} (left unchanged), as the bootstrap needs. */
    public float valueRecurrent(float[] obs, float[] state, boolean start) {
        if (stateScratch.length != state.length) stateScratch = new float[state.length];
        if (start) Arrays.fill(stateScratch, 0f);
        else System.arraycopy(state, 0, stateScratch, 0, state.length);
        return stepRecurrent(obs, stateScratch, null);
    }

    /**
     * Head outputs and values for {@code n} normalised observations (rows of {@code obs}).
     * {@code values} may be null when only actions are needed.
     */
    public void act(float[][] obs, int n, float[][] headOut, float[] values) {
        if (actorRnn != null) throw new IllegalStateException("recurrent policies act through actRecurrent");
        if (host && batchedRollouts != null) {
            actBatched(obs, n, headOut, values);
            return;
        }
        if (host) {
            for (int i = 0; i < n; i++) {
                actorBody.forwardHost(actorHost, obs[i], featA);
                actorHead.forward(actorHost, featA, headOut[i]);
                if (values != null) values[i] = valueHost(obs[i], featA);
            }
            return;
        }
        try (NDManager sub = manager.newSubManager()) {
            float[] flat = new float[n * obsDim];
            for (int i = 0; i < n; i++) System.arraycopy(obs[i], 0, flat, i * obsDim, obsDim);
            long[] shape = new long[obsShape.length + 1];
            shape[0] = n;
            for (int k = 0; k < obsShape.length; k++) shape[k + 1] = obsShape[k];
            NDArray x = sub.create(flat, new Shape(shape));
            Output o = forward(x);
            float[] h = o.head().toFloatArray();
            int hd = dist.headDim();
            for (int i = 0; i < n; i++) System.arraycopy(h, i * hd, headOut[i], 0, hd);
            if (values != null) {
                float[] v = o.value().toFloatArray();
                System.arraycopy(v, 0, values, 0, n);
            }
        }
    }

    /**
     * Rollouts through the host learner's kernels (every environment in one pass) instead of row
     * by row: set where the host learner trains, so that rollout and update share one arithmetic;
     * the engine learner keeps the row-by-row path and with it the numbers of earlier versions.
     */
    public void batchRollouts(BatchedForward.Factory passes) {
        batchedRollouts = passes;
        rolloutNet = null;
    }

    /** All rows in one pass of the host kernels. */
    private void actBatched(float[][] obs, int n, float[][] headOut, float[] values) {
        if (rolloutNet == null || rolloutNet.capacity() < n) {
            rolloutNet = batchedRollouts.create(n);
            rolloutObs = new float[n * obsDim];
            rolloutNetBound = false;
        }
        if (!rolloutNetBound) {
            rolloutNet.bind(actorHost, criticHost);
            rolloutNetBound = true;
        }
        for (int i = 0; i < n; i++) System.arraycopy(obs[i], 0, rolloutObs, i * obsDim, obsDim);
        float[] h = rolloutNet.forwardActor(actorHost, rolloutObs, n);
        int hd = dist.headDim();
        for (int i = 0; i < n; i++) System.arraycopy(h, i * hd, headOut[i], 0, hd);
        if (values != null) System.arraycopy(rolloutNet.forwardValue(criticHost, rolloutObs, n), 0, values, 0, n);
    }

    private float valueHost(float[] obs, float[] sharedFeat) {
        float[] f = sharedFeat;
        if (criticBody != null) {
            criticBody.forwardHost(criticHost, obs, featC);
            f = featC;
        }
        float[] v = new float[1];
        valueHead.forward(criticHost, f, v);
        return v[0];
    }

    /** Value of one normalised observation. */
    public float value(float[] obs) {
        if (host) {
            actorBody.forwardHost(actorHost, obs, featA);
            return valueHost(obs, featA);
        }
        float[][] h = {new float[dist.headDim()]};
        float[] v = new float[1];
        act(new float[][] {obs}, 1, h, v);
        return v[0];
    }
}
