package pponode.ppo;

import java.io.IOException;
import java.util.Arrays;
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
    private final HostActorCritic net;
    private HostActorCritic bcNet;
    private final HostOptimizer actorOpt, criticOpt;
    private float[] actorParams, criticParams;
    private final float[] actorGrad, criticGrad, dHead, dValue, logRatio;
    private DemonstrationBatch demos;
    private float[] bcDHead;
    private long skipped;

    HostStep(ActorCritic ac, AlgorithmConfig cfg, int capacity, Kernels kernels) {
        this.ac = ac;
        this.cfg = cfg;
        this.dist = ac.dist;
        this.kernels = kernels;
        net = new HostActorCritic(ac, kernels, capacity);
        actorOpt = new HostOptimizer(cfg.optimizer(), cfg.adamEps(), cfg.weightDecay(), ac.actor.size());
        criticOpt = new HostOptimizer(cfg.optimizer(), cfg.adamEps(), cfg.weightDecay(), ac.critic.size());
        actorGrad = new float[ac.actor.size()];
        criticGrad = new float[ac.critic.size()];
        dHead = new float[capacity * dist.headDim()];
        dValue = new float[capacity];
        logRatio = new float[capacity];
    }

    /** Whether the host step covers this network and distribution. */
    static boolean covers(ActorCritic ac) {
        return HostActorCritic.covers(ac) && ac.dist.hostTrainable();
    }

    String kernelName() {
        return kernels.name();
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
        net.bind(actorParams, criticParams);
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

    PPO.MinibatchStats step(RolloutBuffer.Minibatch mb, double clipEps, double entCoef, double lrActor, double lrCritic, BehaviourCloning bc,
                            UniformRandomProvider rng) {
        int m = mb.size;
        float[] head = net.forwardActor(actorParams, mb.obs, m);
        float[] value = net.forwardValue(criticParams, mb.obs, m);
        boolean masked = !mb.allPolicy;
        double nOwn = m;
        if (masked) {
            nOwn = 0;
            for (int r = 0; r < m; r++) nOwn += mb.policyActed[r];
        }
        // Ratios, approximate KL and clip fraction over the policy's own rows (as the engine step).
        double kl = 0, clipped = 0;
        for (int r = 0; r < m; r++) {
            logRatio[r] = (float) (dist.logProbRow(actorParams, head, mb.raw, r) - mb.squashCorr[r] - mb.oldLogProbs[r]);
            if (masked && mb.policyActed[r] == 0f) continue;
            double ratio = Math.exp(logRatio[r]);
            kl += (ratio - 1) - logRatio[r];
            if (Math.abs(ratio - 1) > clipEps) clipped++;
        }
        double approxKl = kl / Math.max(nOwn, 1), clipFraction = clipped / Math.max(nOwn, 1);
        double entropy = dist.entropyBatch(actorParams, head, m);
        // actor = −mean(min(r·A, clip(r, 1 ± ε)·A)) over own rows; critic = ½·mean(max((V − R)², (V_clip − R)²))
        double actorSum = 0, criticSum = 0;
        Double vClip = cfg.valueClipEpsilon();
        for (int r = 0; r < m; r++) {
            double e1 = value[r] - mb.returns[r];
            double e = e1 * e1;
            if (vClip != null) {
                double e2 = clippedValue(mb.oldValues[r], value[r], vClip) - mb.returns[r];
                e = Math.max(e, e2 * e2);
            }
            criticSum += e;
            if (masked && mb.policyActed[r] == 0f) continue;
            double ratio = Math.exp(logRatio[r]), a = mb.advantages[r];
            actorSum += Math.min(ratio * a, Math.max(1 - clipEps, Math.min(1 + clipEps, ratio)) * a);
        }
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

        Arrays.fill(actorGrad, 0f);
        Arrays.fill(criticGrad, 0f);
        Arrays.fill(dHead, 0, m * dist.headDim(), 0f);
        for (int r = 0; r < m; r++) {
            dValue[r] = (float) (cfg.valueCoef() * valueGradient(value[r], mb.oldValues[r], mb.returns[r], vClip) / m);
            if (masked && mb.policyActed[r] == 0f) continue;
            double ratio = Math.exp(logRatio[r]);
            double dLossDLogProb = -surrogateGradient(ratio, mb.advantages[r], clipEps) * ratio / actorDen;
            dist.logProbRowGradient(actorParams, head, mb.raw, r, dLossDLogProb, dHead, actorGrad);
        }
        dist.entropyBatchGradient(actorParams, head, m, -entCoef, dHead, actorGrad);
        net.backward(dHead, dValue, m, actorGrad, criticGrad);
        if (bc != null) {
            Arrays.fill(bcDHead, 0, bcRows * dist.headDim(), 0f);
            for (int r = 0; r < bcRows; r++) dist.logProbRowGradient(actorParams, bcHead, demos.raw, r, -bc.coef() / bcRows, bcDHead, actorGrad);
            bcNet.backward(bcDHead, null, bcRows, actorGrad, criticGrad);
        }
        applyGradients(lrActor, lrCritic);
        return stats;
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

    /** Global-norm clipping over both networks, then one optimizer step each; a non-finite norm skips the step. */
    private void applyGradients(double lrActor, double lrCritic) {
        double sq = 0;
        for (float g : actorGrad) sq += (double) g * g;
        for (float g : criticGrad) sq += (double) g * g;
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            skipped++;
            LoggerFactory.getLogger(PPO.class).warn("skipped a minibatch with a non-finite gradient norm ({} so far)", skipped);
            return;
        }
        double coef = cfg.maxGradNorm() / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (int i = 0; i < actorGrad.length; i++) actorGrad[i] *= c;
            for (int i = 0; i < criticGrad.length; i++) criticGrad[i] *= c;
        }
        actorOpt.step(actorParams, actorGrad, lrActor);
        criticOpt.step(criticParams, criticGrad, lrCritic);
        net.bind(actorParams, criticParams);
    }
}
