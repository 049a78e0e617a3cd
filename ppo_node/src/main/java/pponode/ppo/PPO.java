package pponode.ppo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.commons.rng.UniformRandomProvider;
import org.slf4j.LoggerFactory;
import pponode.config.AlgorithmConfig;
import pponode.modules.ActorCritic;
import pponode.modules.Scalars;
import pponode.modules.host.HostActorCritic;
import pponode.modules.host.Kernels;
import pponode.state.StateDict;
import pponode.storage.DemonstrationBuffer;
import pponode.storage.RolloutBuffer;

/**
 * The PPO update: n_epochs passes of shuffled minibatches over one rollout, each a clipped
 * surrogate + (optionally clipped) value loss − entropy bonus, global gradient-norm clipping and
 * an optimizer step per network. Stops the update early when the approximate KL of a minibatch
 * exceeds 1.5 × target_kl, checked before that minibatch's step, as the reference does.
 */
public final class PPO {
    private final ActorCritic ac;
    private final AlgorithmConfig cfg;
    private final NDManager manager;
    private final FlatOptimizer actorOpt, criticOpt; // null when the host computes the update
    private final HostStep host; // null when the engine does
    private final RolloutBuffer.Minibatch mb;
    private final long[] obsShape;
    private long skipped;

    public PPO(ActorCritic ac, AlgorithmConfig cfg) {
        this.ac = ac;
        this.cfg = cfg;
        this.manager = ac.manager();
        if (ac.recurrent()) {
            int envsPerBatch = cfg.numEnvs() / cfg.numMinibatches();
            mb = new RolloutBuffer.Minibatch(cfg.rolloutSteps() * envsPerBatch, ac.obsDim, ac.dist.rawDim(), envsPerBatch, ac.stateSize());
        } else {
            mb = new RolloutBuffer.Minibatch(cfg.minibatchSize(), ac.obsDim, ac.dist.rawDim());
        }
        host = hostLearner(ac, cfg, manager) ? new HostStep(ac, cfg, mb.obs.length / ac.obsDim, Kernels.best(), learnerThreads(cfg)) : null;
        if (host != null && !HostActorCritic.covers(ac)) throw new IllegalArgumentException("batched host rollouts need a network the host learner covers");
        ac.batchRollouts(host != null ? n -> new HostActorCritic(ac, Kernels.best(), n) : null);
        actorOpt = host != null ? null : new FlatOptimizer(cfg.optimizer(), cfg.adamEps(), cfg.weightDecay(), manager, ac.actor.size());
        criticOpt = host != null ? null : new FlatOptimizer(cfg.optimizer(), cfg.adamEps(), cfg.weightDecay(), manager, ac.critic.size());
        obsShape = new long[ac.obsShape.length + 1];
        for (int i = 0; i < ac.obsShape.length; i++) obsShape[i + 1] = ac.obsShape[i];
    }

    /**
     * learner_backend: host where {@link HostStep} covers the network (feed-forward MLPs with tanh,
     * relu or elu; Gaussian, tanh-squashed Gaussian, Beta or categorical heads) and the tensors
     * live on the CPU; djl otherwise. An explicit host that cannot be honoured is an error.
     */
    static boolean hostLearner(ActorCritic ac, AlgorithmConfig cfg, NDManager manager) {
        String backend = cfg.learnerBackend();
        if (backend.equals("djl")) return false;
        boolean cpu = !manager.getDevice().isGpu();
        boolean covered = HostStep.covers(ac);
        if (backend.equals("host") && !(cpu && covered)) {
            throw new IllegalArgumentException("'learner_backend' host trains feed-forward MLP networks (tanh, relu or elu) on the CPU; this run "
                    + (cpu ? "has a network it does not cover" : "is on " + manager.getDevice()) + ": use auto or djl");
        }
        return cpu && covered;
    }

    /**
     * learner_threads, or for 0 (auto): two threads where the machine has two cores and a
     * minibatch has at least {@link #ROWS_PER_THREAD} rows per thread, else one.
     */
    static int learnerThreads(AlgorithmConfig cfg) {
        if (cfg.learnerThreads() > 0) return cfg.learnerThreads();
        int cores = Runtime.getRuntime().availableProcessors();
        return cores >= 2 && cfg.minibatchSize() >= 2 * ROWS_PER_THREAD ? 2 : 1;
    }

    /**
     * Fewer rows per thread than this and the hand-offs eat what the second core gives: end to end,
     * CleanRL's CartPole settings (128 rows) train 1.18× faster on two threads, its Pendulum
     * settings (64 rows) no faster (bench --env ... --set learner_threads=1|2).
     */
    static final int ROWS_PER_THREAD = 64;

    /** Which backend computes the update, with the host kernels' kind and threads: for logs and the benchmark. */
    public String backendName() {
        return host == null ? "djl" : "host, " + host.kernelName() + " kernels, " + host.threads() + (host.threads() == 1 ? " thread" : " threads");
    }

    /** Saves both optimizers' state ({@link FlatOptimizer#save}); the host and engine learners use the same keys. */
    public void save(StateDict out) {
        if (host != null) {
            host.save(out);
            return;
        }
        actorOpt.save(out, "actor");
        criticOpt.save(out, "critic");
    }

    public void load(StateDict in) throws IOException {
        if (host != null) {
            host.load(in);
            return;
        }
        actorOpt.load(in, "actor");
        criticOpt.load(in, "critic");
    }

    /**
     * Behaviour cloning of operator demonstrations: {@code coef · −mean log π(a_op | s)} over a
     * batch of demonstrations is added to every minibatch's loss. {@code normalize} maps a raw
     * observation to the policy's input (the run's current observation normaliser).
     */
    public record BehaviourCloning(DemonstrationBuffer demos, double coef, BiConsumer<float[], float[]> normalize) {}

    /** Runs the update on a filled buffer (GAE computed) and returns averaged statistics. */
    public Map<String, Double> update(RolloutBuffer buf, double clipEps, double entCoef, double lrActor, double lrCritic, UniformRandomProvider rng) {
        return update(buf, clipEps, entCoef, lrActor, lrCritic, rng, null);
    }

    /** As {@link #update(RolloutBuffer, double, double, double, double, UniformRandomProvider)}, plus behaviour cloning when {@code bc} has demonstrations. */
    public Map<String, Double> update(RolloutBuffer buf, double clipEps, double entCoef, double lrActor, double lrCritic, UniformRandomProvider rng,
                                      BehaviourCloning bc) {
        if (bc != null && (bc.coef() <= 0 || bc.demos().size() == 0)) bc = null;
        if (bc != null && ac.recurrent()) throw new IllegalArgumentException("behaviour cloning supports feed-forward policies only");
        MinibatchStats.Mean mean = new MinibatchStats.Mean();
        boolean earlyStopped = false;
        boolean seq = ac.recurrent();
        // Feed-forward policies shuffle single steps (those an env took); recurrent ones shuffle
        // whole env sequences, where a step not taken is kept out of the surrogate instead.
        int[] rows = seq ? null : buf.liveRows();
        int n = seq ? buf.envs : rows == null ? buf.size() : rows.length;
        int chunk = seq ? cfg.numEnvs() / cfg.numMinibatches() : cfg.minibatchSize();
        if (host != null) host.pull();
        epochs:
        for (int epoch = 0; epoch < cfg.nEpochs(); epoch++) {
            int[] perm = RolloutBuffer.permutation(n, rng);
            if (rows != null) for (int j = 0; j < n; j++) perm[j] = rows[perm[j]];
            for (int from = 0; from < n; from += chunk) {
                if (seq) buf.gatherSequences(perm, from, Math.min(n, from + chunk), mb, cfg.normAdv());
                else buf.gather(perm, from, Math.min(n, from + chunk), mb, cfg.normAdv());
                MinibatchStats s = host != null ? host.step(mb, clipEps, entCoef, lrActor, lrCritic, bc, rng)
                        : step(clipEps, entCoef, lrActor, lrCritic, bc, rng);
                mean.add(s);
                if (s.stoppedEarly()) {
                    earlyStopped = true;
                    break epochs;
                }
            }
        }
        if (host != null) host.push();
        MinibatchStats m = mean.mean();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("train/actor_loss", m.actorLoss());
        out.put("train/critic_loss", m.criticLoss());
        out.put("train/entropy", m.entropy());
        out.put("train/approx_kl", m.approxKl());
        out.put("train/clip_fraction", m.clipFraction());
        out.put("train/total_loss", m.totalLoss());
        out.put("train/learning_rate", lrActor);
        out.put("train/clip_epsilon", clipEps);
        out.put("train/entropy_coef", entCoef);
        out.put("train/early_stopped", earlyStopped ? 1.0 : 0.0);
        out.put("train/explained_variance", buf.explainedVariance());
        out.put("train/skipped_nonfinite", (double) (skipped + (host == null ? 0 : host.skipped())));
        out.put("train/policy_acted_fraction", m.policyActedFraction());
        if (bc != null) {
            out.put("train/bc_loss", m.bcLoss());
            out.put("train/bc_coef", bc.coef());
            out.put("train/demonstrations", (double) bc.demos().size());
        }
        ac.syncHost();
        return out;
    }

    /**
     * One minibatch's statistics: the loss terms, the approximate KL and clip fraction over the
     * policy's own rows, whether target_kl stopped the update before this step's gradient, the
     * behaviour-cloning loss (NaN without demonstrations), the fraction of rows the policy acted on.
     */
    record MinibatchStats(double actorLoss, double criticLoss, double entropy, double approxKl, double clipFraction, double totalLoss, boolean stoppedEarly,
            double bcLoss, double policyActedFraction) {
        /** The running mean over an update's minibatches. */
        static final class Mean {
            private double actor, critic, entropy, kl, clip, total, bc, acted;
            private int n;

            void add(MinibatchStats s) {
                actor += s.actorLoss;
                critic += s.criticLoss;
                entropy += s.entropy;
                kl += s.approxKl;
                clip += s.clipFraction;
                total += s.totalLoss;
                bc += s.bcLoss;
                acted += s.policyActedFraction;
                n++;
            }

            MinibatchStats mean() {
                return new MinibatchStats(actor / n, critic / n, entropy / n, kl / n, clip / n, total / n, false, bc / n, acted / n);
            }
        }
    }

    private MinibatchStats step(double clipEps, double entCoef, double lrActor, double lrCritic, BehaviourCloning bc, UniformRandomProvider rng) {
        int m = mb.size;
        try (NDScope scope = new NDScope()) {
            obsShape[0] = m;
            NDArray obs = manager.create(slice(mb.obs, m * ac.obsDim), new Shape(obsShape));
            NDArray raw = manager.create(slice(mb.raw, m * ac.dist.rawDim()), new Shape(m, ac.dist.rawDim()));
            NDArray oldLp = manager.create(slice(mb.oldLogProbs, m));
            NDArray adv = manager.create(slice(mb.advantages, m));
            NDArray ret = manager.create(slice(mb.returns, m));
            NDArray oldV = manager.create(slice(mb.oldValues, m));
            NDArray corr = manager.create(slice(mb.squashCorr, m));
            // Rows an operator acted on carry no valid PPO ratio: mask them out of the surrogate
            // and the KL/clip statistics (they still train the critic). Plain PPO skips the mask
            // so its numerics stay those of the reference.
            NDArray own = mb.allPolicy ? null : manager.create(slice(mb.policyActed, m));
            double nOwn = m;
            if (own != null) {
                nOwn = 0;
                for (int r = 0; r < m; r++) nOwn += mb.policyActed[r];
            }
            double actedFraction = nOwn / m;
            MinibatchStats stats;
            try (GradientCollector gc = Engine.getEngine(manager.getEngine().getEngineName()).newGradientCollector()) {
                ActorCritic.Output o;
                if (ac.recurrent()) {
                    NDArray keep = manager.create(slice(mb.keep, m), new Shape(mb.seqSteps, mb.seqEnvs, 1));
                    NDArray state0 = manager.create(slice(mb.state0, mb.seqEnvs * ac.stateSize()), new Shape(mb.seqEnvs, ac.stateSize()));
                    o = ac.forwardSequence(obs, mb.seqSteps, mb.seqEnvs, keep, state0);
                } else {
                    o = ac.forward(obs);
                }
                NDArray newLp = ac.dist.logProb(o.actorParams(), o.head(), raw, corr);
                NDArray logRatio = newLp.sub(oldLp);
                NDArray ratio = logRatio.exp();
                float[] lr = logRatio.toFloatArray();
                double kl = 0, clipped = 0;
                for (int r0 = 0; r0 < lr.length; r0++) {
                    if (own != null && mb.policyActed[r0] == 0f) continue;
                    float x = lr[r0];
                    double r = Math.exp(x);
                    kl += (r - 1) - x;
                    if (Math.abs(r - 1) > clipEps) clipped++;
                }
                double approxKl = kl / Math.max(nOwn, 1), clipFraction = clipped / Math.max(nOwn, 1);

                NDArray entropy = ac.dist.entropy(o.actorParams(), o.head()).mean();
                Losses L = losses(ratio, adv, o.value(), oldV, ret, entropy, clipEps, cfg.valueClipEpsilon(), cfg.valueCoef(), entCoef, own);
                NDArray loss = L.total();
                double bcValue = Double.NaN;
                if (bc != null) {
                    NDArray bcLoss = behaviourCloningLoss(bc, rng);
                    bcValue = bcLoss.getFloat();
                    loss = loss.add(bcLoss.mul(Scalars.of(bcLoss, (float) bc.coef())));
                }
                float[] l = stackScalars(L.actor(), L.critic(), entropy, loss);
                boolean stop = cfg.targetKl() != null && approxKl > 1.5 * cfg.targetKl();
                stats = new MinibatchStats(l[0], l[1], l[2], approxKl, clipFraction, l[3], stop, bcValue, actedFraction);
                if (stop) return stats;
                gc.backward(loss);
            }
            applyGradients(lrActor, lrCritic);
            return stats;
        }
    }

    private DemonstrationBatch demos;

    /** −mean log π(a_op | s) over a batch of demonstrations (minibatch_size, or all of them if fewer). */
    private NDArray behaviourCloningLoss(BehaviourCloning bc, UniformRandomProvider rng) {
        if (demos == null) demos = new DemonstrationBatch(cfg.minibatchSize(), ac.obsDim, ac.dist.rawDim());
        int m = demos.sample(bc, ac.dist, rng);
        int od = ac.obsDim, rd = ac.dist.rawDim();
        long[] shape = obsShape.clone();
        shape[0] = m;
        ActorCritic.Output o = ac.forward(manager.create(slice(demos.obs, m * od), new Shape(shape)));
        NDArray lp = ac.dist.logProb(o.actorParams(), o.head(), manager.create(slice(demos.raw, m * rd), new Shape(m, rd)), manager.create(slice(demos.corr, m)));
        return lp.mean().neg();
    }

    /** The three PPO loss terms and their weighted sum. */
    public record Losses(NDArray actor, NDArray critic, NDArray total) {}

    /**
     * actor  = −mean(min(r·A, clip(r, 1 ± ε)·A))
     * critic = ½·mean(max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²))   (or ½·MSE without value clipping)
     * total  = actor + value_coef·critic − entropy_coef·entropy
     */
    public static Losses losses(NDArray ratio, NDArray adv, NDArray newV, NDArray oldV, NDArray ret, NDArray entropy,
                                double clipEps, Double valueClipEps, double valueCoef, double entCoef) {
        return losses(ratio, adv, newV, oldV, ret, entropy, clipEps, valueClipEps, valueCoef, entCoef, null);
    }

    /** As above; with {@code policyMask} [B] (1 = the policy's own sample) the surrogate averages over masked-in rows only. */
    public static Losses losses(NDArray ratio, NDArray adv, NDArray newV, NDArray oldV, NDArray ret, NDArray entropy,
                                double clipEps, Double valueClipEps, double valueCoef, double entCoef, NDArray policyMask) {
        NDArray surr1 = ratio.mul(adv);
        NDArray surr2 = ratio.clip(1 - clipEps, 1 + clipEps).mul(adv);
        NDArray actor = policyMask == null ? surr1.minimum(surr2).mean().neg()
                : surr1.minimum(surr2).mul(policyMask).sum().div(policyMask.sum().maximum(1f)).neg();
        NDArray critic;
        if (valueClipEps != null) {
            float vc = valueClipEps.floatValue();
            NDArray vClipped = oldV.add(newV.sub(oldV).clip(-vc, vc));
            critic = newV.sub(ret).square().maximum(vClipped.sub(ret).square()).mean().mul(Scalars.of(newV, 0.5f));
        } else {
            critic = newV.sub(ret).square().mean().mul(Scalars.of(newV, 0.5f));
        }
        NDArray total = actor.add(critic.mul(Scalars.of(critic, (float) valueCoef))).sub(entropy.mul(Scalars.of(entropy, (float) entCoef)));
        return new Losses(actor, critic, total);
    }

    /** Global-norm clipping over both networks (torch.nn.utils.clip_grad_norm_), then one step each. */
    private void applyGradients(double lrActor, double lrCritic) {
        NDArray ga = ac.actor.flat().getGradient();
        NDArray gc = ac.critic.flat().getGradient();
        float[] sq = stackScalars(ga.square().sum(), gc.square().sum());
        double norm = Math.sqrt(sq[0] + sq[1]);
        if (captureGradients) lastGradients = new float[][] {ga.toFloatArray(), gc.toFloatArray()};
        if (!Double.isFinite(norm)) {
            // A non-finite gradient would poison the weights for good: skip this minibatch, as
            // PyTorch's GradScaler does for overflowing steps, and report it.
            ga.muli(0f);
            gc.muli(0f);
            skipped++;
            LoggerFactory.getLogger(PPO.class).warn("skipped a minibatch with a non-finite gradient norm ({} so far)", skipped);
            return;
        }
        double coef = cfg.maxGradNorm() / (norm + 1e-6);
        if (coef < 1) {
            ga.muli((float) coef);
            gc.muli((float) coef);
        }
        actorOpt.step(ac.actor.flat(), ga, lrActor);
        criticOpt.step(ac.critic.flat(), gc, lrCritic);
        ga.muli(0f); // PyTorch accumulates gradients; DJL's collector does not clear them for us
        gc.muli(0f);
    }

    /** Tests: when set, the engine step keeps its gradients (before clipping) in {@link #lastGradients}. */
    boolean captureGradients;
    float[][] lastGradients;

    /** Tests: one minibatch step on {@code batch} through whichever backend this update uses. */
    MinibatchStats stepOn(RolloutBuffer.Minibatch batch, double clipEps, double entCoef, double lrActor, double lrCritic, BehaviourCloning bc,
                          UniformRandomProvider rng) {
        int m = batch.size;
        mb.size = m;
        mb.allPolicy = batch.allPolicy;
        System.arraycopy(batch.obs, 0, mb.obs, 0, m * ac.obsDim);
        System.arraycopy(batch.raw, 0, mb.raw, 0, m * ac.dist.rawDim());
        for (float[][] pair : new float[][][] {{batch.oldLogProbs, mb.oldLogProbs}, {batch.advantages, mb.advantages}, {batch.returns, mb.returns},
                {batch.oldValues, mb.oldValues}, {batch.squashCorr, mb.squashCorr}, {batch.policyActed, mb.policyActed}}) {
            System.arraycopy(pair[0], 0, pair[1], 0, m);
        }
        if (host == null) return step(clipEps, entCoef, lrActor, lrCritic, bc, rng);
        host.pull();
        MinibatchStats s = host.step(mb, clipEps, entCoef, lrActor, lrCritic, bc, rng);
        host.push();
        ac.syncHost();
        return s;
    }

    /** Tests: the host step's gradients of its last minibatch (clipped if clipping applied), actor then critic. */
    float[][] hostGradients() {
        return host.gradients();
    }

    /** Several scalars fetched in one device-to-host copy. */
    static float[] stackScalars(NDArray... xs) {
        NDArray[] r = new NDArray[xs.length];
        for (int i = 0; i < xs.length; i++) r[i] = xs[i].reshape(1);
        return NDArrays.concat(new NDList(r)).toFloatArray();
    }

    private static float[] slice(float[] a, int n) {
        return n == a.length ? a : Arrays.copyOf(a, n);
    }
}
