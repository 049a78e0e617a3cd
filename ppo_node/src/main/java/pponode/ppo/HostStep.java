package pponode.ppo;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.apache.commons.rng.UniformRandomProvider;
import org.slf4j.LoggerFactory;
import pponode.config.AlgorithmConfig;
import pponode.modules.ActionDistribution;
import pponode.modules.ActorCritic;
import pponode.modules.host.HostActorCritic;
import pponode.modules.host.Kernels;
import pponode.ppo.PPO.BehaviourCloning;
import pponode.state.StateDict;
import pponode.storage.RolloutBuffer;

/**
 * One PPO minibatch step on the host, the same computation as {@link PPO}'s engine step written
 * out by hand: forward, the clipped surrogate, value and entropy terms and their gradients with
 * respect to the head outputs and values, backward through the MLPs, global-norm clipping and the
 * optimizer, over preallocated arrays. Parameters are pulled from the engine's tensors when an
 * update starts and pushed back when it ends, so checkpoints, export and rollouts are unchanged.
 */
final class HostStep {
    private final ActorCritic ac;
    private final AlgorithmConfig cfg;
    private final ActionDistribution dist;
    private final Kernels kernels;
    private final Shard[] shards;
    private final SpinningPool pool; // null: one thread
    private HostActorCritic bcNet;
    private final HostOptimizer actorOpt, criticOpt;
    private float[] actorParams, criticParams;
    private final float[] actorGrad, criticGrad; // shard 0's: the other shards' gradients are added into them
    private DemonstrationBatch demos;
    private float[] bcDHead;
    private long skipped;

    /** {@code threads} shards split each minibatch's rows; one thread computes exactly the single-threaded step. */
    HostStep(ActorCritic ac, AlgorithmConfig cfg, int capacity, Kernels kernels, int threads) {
        this.ac = ac;
        this.cfg = cfg;
        this.dist = ac.dist;
        this.kernels = kernels;
        int n = Math.max(1, Math.min(threads, capacity));
        shards = new Shard[n];
        for (int k = 0; k < n; k++) shards[k] = new Shard(k, n, (capacity + n - 1) / n, n > 1);
        pool = n > 1 ? new SpinningPool(n) : null;
        phaseOnShard = k -> runPhase(shards[k]);
        actorOpt = new HostOptimizer(cfg.optimizer(), cfg.adamEps(), cfg.weightDecay(), ac.actor.size());
        criticOpt = new HostOptimizer(cfg.optimizer(), cfg.adamEps(), cfg.weightDecay(), ac.critic.size());
        actorGrad = shards[0].actorGrad;
        criticGrad = shards[0].criticGrad;
    }

    /** Whether the host step covers this network and distribution. */
    static boolean covers(ActorCritic ac) {
        return HostActorCritic.covers(ac) && ac.dist.hostTrainable();
    }

    String kernelName() {
        return kernels.name();
    }

    int threads() {
        return shards.length;
    }

    float[][] gradients() {
        return new float[][] {actorGrad.clone(), criticGrad.clone()};
    }

    long skipped() {
        return skipped;
    }

    /** Takes the current parameters from the engine's tensors (an update starts). */
    void pull() {
        actorParams = ac.actor.toHost();
        criticParams = ac.critic.toHost();
        for (Shard s : shards) s.stale = true;
    }

    /** Gives the trained parameters back to the engine's tensors (an update ends). */
    void push() {
        ac.actor.load(actorParams);
        ac.critic.load(criticParams);
    }

    void save(StateDict out) {
        actorOpt.save(out, "actor");
        criticOpt.save(out, "critic");
    }

    void load(StateDict in) throws IOException {
        actorOpt.load(in, "actor");
        criticOpt.load(in, "critic");
    }

    /** The phases of a minibatch step that run on every shard; {@link #onShards} runs one. */
    private enum Phase { FORWARD, BACKWARD, REDUCE, OPTIMIZE }

    // The running step's arguments, set before each phase and read by every shard: fields rather
    // than a lambda's captures, so that a minibatch step allocates nothing.
    private boolean stepMasked;
    private double stepClipEps, stepEntCoef, stepActorDen, stepLrActor, stepLrCritic;
    private Double stepValueClip;
    private int stepRows;
    private float stepScale;
    private Phase phase;
    private final IntConsumer phaseOnShard;

    /** Runs {@code p} on every shard, on the pool's threads when there are several. */
    private void onShards(Phase p) {
        phase = p;
        if (pool == null) runPhase(shards[0]);
        else pool.run(phaseOnShard);
    }

    private void runPhase(Shard s) {
        switch (phase) {
            case FORWARD -> s.forward(stepMasked, stepClipEps, stepValueClip);
            case BACKWARD -> s.backward(stepMasked, stepClipEps, stepValueClip, stepEntCoef, stepActorDen, stepRows);
            case REDUCE -> s.reduce();
            case OPTIMIZE -> s.optimize(stepScale, stepLrActor, stepLrCritic);
        }
    }

    PPO.MinibatchStats step(RolloutBuffer.Minibatch mb, double clipEps, double entCoef, double lrActor, double lrCritic, BehaviourCloning bc,
                            UniformRandomProvider rng) {
        int m = mb.size;
        boolean masked = !mb.allPolicy;
        Double vClip = cfg.valueClipEpsilon();
        int n = shards.length;
        for (int k = 0; k < n; k++) shards[k].take(mb, k * m / n, (k + 1) * m / n);
        // Forward, ratios and the loss terms' sums, each shard over its rows.
        stepMasked = masked;
        stepClipEps = clipEps;
        stepValueClip = vClip;
        onShards(Phase.FORWARD);
        double nOwn = 0, kl = 0, clipped = 0, actorSum = 0, criticSum = 0, entropy = 0;
        for (Shard s : shards) {
            nOwn += s.own;
            kl += s.kl;
            clipped += s.clipped;
            actorSum += s.actorSum;
            criticSum += s.criticSum;
            entropy += n == 1 ? s.entropy : s.entropy * s.m / m;
        }
        // Approximate KL and clip fraction over the policy's own rows (as the engine step).
        double approxKl = kl / Math.max(nOwn, 1), clipFraction = clipped / Math.max(nOwn, 1);
        // actor = −mean(min(r·A, clip(r, 1 ± ε)·A)) over own rows; critic = ½·mean(max((V − R)², (V_clip − R)²))
        double actorDen = masked ? Math.max(nOwn, 1) : m;
        double actorLoss = -actorSum / actorDen, criticLoss = 0.5 * criticSum / m;
        double total = actorLoss + cfg.valueCoef() * criticLoss - entCoef * entropy;
        int bcRows = 0;
        double bcLoss = Double.NaN;
        float[] bcHead = null;
        if (bc != null) {
            bcRows = sampleDemonstrations(bc, rng);
            bcHead = bcNet.forwardActor(actorParams, demos.obs, bcRows);
            double s = 0;
            for (int r = 0; r < bcRows; r++) s += dist.logProbRow(actorParams, bcHead, demos.raw, r) - demos.corr[r];
            bcLoss = -s / bcRows;
            total += bc.coef() * bcLoss;
        }
        boolean stop = cfg.targetKl() != null && approxKl > 1.5 * cfg.targetKl();
        PPO.MinibatchStats stats = new PPO.MinibatchStats(actorLoss, criticLoss, entropy, approxKl, clipFraction, total, stop, bcLoss, nOwn / m);
        if (stop) return stats;

        stepEntCoef = entCoef;
        stepActorDen = actorDen;
        stepRows = m;
        onShards(Phase.BACKWARD);
        if (bc != null) {
            Arrays.fill(bcDHead, 0, bcRows * dist.headDim(), 0f);
            for (int r = 0; r < bcRows; r++) dist.logProbRowGradient(actorParams, bcHead, demos.raw, r, -bc.coef() / bcRows, bcDHead, actorGrad);
            bcNet.backward(bcDHead, null, bcRows, actorGrad, criticGrad);
        }
        applyGradients(lrActor, lrCritic);
        return stats;
    }

    /**
     * One thread's share of a minibatch: its rows (the minibatch itself when there is one shard, a
     * copy of a slice otherwise), its network buffers and gradients, and the sums of its rows'
     * loss terms, which the step adds up in shard order (so a run is reproducible for a given
     * number of threads).
     */
    private final class Shard {
        final HostActorCritic net;
        final float[] actorGrad, criticGrad, dHead, dValue, logRatio;
        private final RolloutBuffer.Minibatch slice; // null: the shard reads the minibatch in place
        RolloutBuffer.Minibatch rows;
        int m;
        boolean stale = true; // the parameters changed since the network's weight copies were made
        float[] head, value;
        double own, kl, clipped, actorSum, criticSum, entropy, squaredNorm;
        private final int actorFrom, actorTo, criticFrom, criticTo; // this thread's range of the parameters in the optimizer step

        Shard(int index, int count, int capacity, boolean sliced) {
            int na = ac.actor.size(), nc = ac.critic.size();
            actorFrom = index * na / count;
            actorTo = (index + 1) * na / count;
            criticFrom = index * nc / count;
            criticTo = (index + 1) * nc / count;
            net = new HostActorCritic(ac, kernels, capacity);
            actorGrad = new float[ac.actor.size()];
            criticGrad = new float[ac.critic.size()];
            dHead = new float[capacity * dist.headDim()];
            dValue = new float[capacity];
            logRatio = new float[capacity];
            slice = sliced ? new RolloutBuffer.Minibatch(capacity, ac.obsDim, dist.rawDim()) : null;
        }

        void take(RolloutBuffer.Minibatch mb, int from, int to) {
            m = to - from;
            if (slice == null) {
                rows = mb;
            } else {
                slice.copyRows(mb, from, to);
                rows = slice;
            }
        }

        void forward(boolean masked, double clipEps, Double vClip) {
            if (stale) {
                net.bind(actorParams, criticParams);
                stale = false;
            }
            RolloutBuffer.Minibatch b = rows;
            head = net.forwardActor(actorParams, b.obs, m);
            value = net.forwardValue(criticParams, b.obs, m);
            // Sums in locals, stored once: fields written per row would share cache lines between threads.
            double own = masked ? 0 : m, kl = 0, clipped = 0, actorSum = 0, criticSum = 0;
            for (int r = 0; r < m; r++) {
                logRatio[r] = (float) (dist.logProbRow(actorParams, head, b.raw, r) - b.squashCorr[r] - b.oldLogProbs[r]);
                if (masked) own += b.policyActed[r];
                if (masked && b.policyActed[r] == 0f) continue;
                double ratio = Math.exp(logRatio[r]);
                kl += (ratio - 1) - logRatio[r];
                if (Math.abs(ratio - 1) > clipEps) clipped++;
            }
            for (int r = 0; r < m; r++) {
                double e1 = value[r] - b.returns[r];
                double e = e1 * e1;
                if (vClip != null) {
                    double e2 = clippedValue(b.oldValues[r], value[r], vClip) - b.returns[r];
                    e = Math.max(e, e2 * e2);
                }
                criticSum += e;
                if (masked && b.policyActed[r] == 0f) continue;
                double ratio = Math.exp(logRatio[r]), a = b.advantages[r];
                actorSum += Math.min(ratio * a, Math.max(1 - clipEps, Math.min(1 + clipEps, ratio)) * a);
            }
            this.own = own;
            this.kl = kl;
            this.clipped = clipped;
            this.actorSum = actorSum;
            this.criticSum = criticSum;
            entropy = m > 0 ? dist.entropyBatch(actorParams, head, m) : 0;
        }

        /** Gradients of the whole minibatch's loss ({@code total} rows) with respect to this shard's rows. */
        void backward(boolean masked, double clipEps, Double vClip, double entCoef, double actorDen, int total) {
            Arrays.fill(actorGrad, 0f);
            Arrays.fill(criticGrad, 0f);
            if (m == 0) return;
            RolloutBuffer.Minibatch b = rows;
            Arrays.fill(dHead, 0, m * dist.headDim(), 0f);
            for (int r = 0; r < m; r++) {
                dValue[r] = (float) (cfg.valueCoef() * valueGradient(value[r], b.oldValues[r], b.returns[r], vClip) / total);
                if (masked && b.policyActed[r] == 0f) continue;
                double ratio = Math.exp(logRatio[r]);
                double dLossDLogProb = -surrogateGradient(ratio, b.advantages[r], clipEps) * ratio / actorDen;
                dist.logProbRowGradient(actorParams, head, b.raw, r, dLossDLogProb, dHead, actorGrad);
            }
            // The entropy term is the mean over all rows: this shard's mean weighs m / total of it.
            double entWeight = m == total ? -entCoef : -entCoef * m / total;
            dist.entropyBatchGradient(actorParams, head, m, entWeight, dHead, actorGrad);
            net.backward(dHead, dValue, m, actorGrad, criticGrad);
        }

        /** Adds every other shard's gradients into shard 0's over this shard's range; keeps the range's squared norm. */
        void reduce() {
            for (int k = 1; k < shards.length; k++) {
                add(shards[k].actorGrad, HostStep.this.actorGrad, actorFrom, actorTo);
                add(shards[k].criticGrad, HostStep.this.criticGrad, criticFrom, criticTo);
            }
            squaredNorm = squaredSum(HostStep.this.actorGrad, actorFrom, actorTo) + squaredSum(HostStep.this.criticGrad, criticFrom, criticTo);
        }

        private static void add(float[] from, float[] into, int lo, int hi) {
            for (int i = lo; i < hi; i++) into[i] += from[i];
        }

        private static double squaredSum(float[] g, int lo, int hi) {
            double sq = 0;
            for (int i = lo; i < hi; i++) sq += (double) g[i] * g[i];
            return sq;
        }

        /** Scales the summed gradients by the clip factor and steps both optimizers over this shard's range. */
        void optimize(float scale, double lrActor, double lrCritic) {
            float[] ga = HostStep.this.actorGrad, gc = HostStep.this.criticGrad;
            if (scale != 1f) {
                for (int i = actorFrom; i < actorTo; i++) ga[i] *= scale;
                for (int i = criticFrom; i < criticTo; i++) gc[i] *= scale;
            }
            actorOpt.step(actorParams, ga, lrActor, actorFrom, actorTo);
            criticOpt.step(criticParams, gc, lrCritic, criticFrom, criticTo);
        }
    }

    private static double clippedValue(float oldV, float v, double eps) {
        return oldV + Math.max(-eps, Math.min(eps, (double) v - oldV));
    }

    /**
     * ∂ min(r·A, clip(r)·A) / ∂r with torch's rules: clamp passes the gradient on [1 − ε, 1 + ε]
     * inclusive, and a tie of the minimum splits it in halves.
     */
    private static double surrogateGradient(double ratio, double adv, double clipEps) {
        double lo = 1 - clipEps, hi = 1 + clipEps;
        double clippedRatio = Math.max(lo, Math.min(hi, ratio));
        double s1 = ratio * adv, s2 = clippedRatio * adv;
        double g2 = ratio >= lo && ratio <= hi ? adv : 0;
        if (s1 < s2) return adv;
        if (s1 > s2) return g2;
        return 0.5 * (adv + g2);
    }

    /** ∂/∂V of ½·max((V − R)², (V_clip − R)²) (or ½·(V − R)²), the maximum's ties split as torch. */
    private static double valueGradient(float v, float oldV, float ret, Double vClip) {
        double e1 = (double) v - ret;
        if (vClip == null) return e1;
        double e2 = clippedValue(oldV, v, vClip) - ret;
        double g2 = Math.abs((double) v - oldV) <= vClip ? e2 : 0;
        double a = e1 * e1, b = e2 * e2;
        if (a > b) return e1;
        if (a < b) return g2;
        return 0.5 * (e1 + g2);
    }

    /** Samples demonstrations (normalised as the policy sees them) and sizes the clone's network; returns the row count. */
    private int sampleDemonstrations(BehaviourCloning bc, UniformRandomProvider rng) {
        if (bcNet == null) {
            int cap = cfg.minibatchSize();
            bcNet = new HostActorCritic(ac, kernels, cap);
            demos = new DemonstrationBatch(cap, ac.obsDim, dist.rawDim());
            bcDHead = new float[cap * dist.headDim()];
        }
        bcNet.bind(actorParams, criticParams);
        return demos.sample(bc, dist, rng);
    }

    /**
     * Adds the other shards' gradients into shard 0's, then global-norm clipping over both
     * networks and one optimizer step each; a non-finite norm skips the step. With several shards
     * each thread reduces, scales and steps its own range of the parameters (elementwise work;
     * only the norm's partial sums meet).
     */
    private void applyGradients(double lrActor, double lrCritic) {
        double sq = 0;
        if (pool == null) {
            for (float g : actorGrad) sq += (double) g * g;
            for (float g : criticGrad) sq += (double) g * g;
        } else {
            onShards(Phase.REDUCE);
            for (Shard s : shards) sq += s.squaredNorm;
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            skipped++;
            LoggerFactory.getLogger(PPO.class).warn("skipped a minibatch with a non-finite gradient norm ({} so far)", skipped);
            return;
        }
        double coef = cfg.maxGradNorm() / (norm + 1e-6);
        float scale = coef < 1 ? (float) coef : 1f;
        actorOpt.begin();
        criticOpt.begin();
        stepScale = scale;
        stepLrActor = lrActor;
        stepLrCritic = lrCritic;
        onShards(Phase.OPTIMIZE);
        for (Shard s : shards) s.stale = true;
    }
}
