package pponode.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pponode.TestSupport;
import pponode.config.PPOConfig;
import pponode.env.Space;
import pponode.modules.ActorCritic;
import pponode.storage.DemonstrationBuffer;
import pponode.storage.RolloutBuffer;

/**
 * The host learner against the engine (the reference): the losses and gradients of one minibatch
 * agree to 1e-5 (relative), and ten full updates from the same state give parameters within 1e-4,
 * for every head and activation, shared and separate backbones, with and without value clipping,
 * with operator masks and behaviour cloning, and with AdamW and SGD (with weight decay) besides Adam;
 * each on one thread and with the rows split over two.
 */
class HostStepParityTest {
    private static final int OBS = 5, ACT = 3, CATEGORIES = 4, ROWS = 64;

    record Case(String head, String activation, boolean shared, boolean valueClip, boolean masksAndCloning, String optimizer, int threads) {
        Case(String head, String activation, boolean shared, boolean valueClip, boolean masksAndCloning) {
            this(head, activation, shared, valueClip, masksAndCloning, "adam", 1);
        }

        Case(String head, String activation, boolean shared, boolean valueClip, boolean masksAndCloning, String optimizer) {
            this(head, activation, shared, valueClip, masksAndCloning, optimizer, 1);
        }

        Case onThreads(int n) {
            return new Case(head, activation, shared, valueClip, masksAndCloning, optimizer, n);
        }

        @Override
        public String toString() {
            return head + "/" + activation + (shared ? "/shared" : "") + (valueClip ? "" : "/no-value-clip") + (masksAndCloning ? "/masks+bc" : "")
                    + (optimizer.equals("adam") ? "" : "/" + optimizer) + (threads == 1 ? "" : "/" + threads + " threads");
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String head : List.of("gaussian", "squashed", "beta", "categorical")) {
            for (String act : List.of("tanh", "relu", "elu")) out.add(Arguments.of(new Case(head, act, false, true, false)));
        }
        out.add(Arguments.of(new Case("gaussian", "tanh", true, true, false)));
        out.add(Arguments.of(new Case("categorical", "relu", true, false, false)));
        out.add(Arguments.of(new Case("squashed", "tanh", false, false, true)));
        out.add(Arguments.of(new Case("squashed", "elu", true, true, true)));
        out.add(Arguments.of(new Case("gaussian", "tanh", false, true, false, "adamw")));
        out.add(Arguments.of(new Case("categorical", "tanh", false, true, false, "sgd")));
        // The host update with a minibatch's rows split over two threads (and the optimizer's elements).
        int single = out.size();
        for (int i = 0; i < single; i++) out.add(Arguments.of(((Case) out.get(i).get()[0]).onThreads(2)));
        return out.stream();
    }

    static PPOConfig config(Case c, String backend) {
        PPOConfig cfg = new PPOConfig();
        cfg.actionSpaceType = c.head.equals("categorical") ? "discrete" : "continuous";
        cfg.continuousDist = c.head.equals("beta") ? "beta" : "gaussian";
        cfg.squashActions = c.head.equals("squashed");
        cfg.activation = c.activation;
        cfg.sharedBackbone = c.shared;
        cfg.valueClipEpsilon = c.valueClip ? 0.2 : null;
        cfg.numEnvs = 2;
        cfg.rolloutSteps = ROWS;
        cfg.minibatchSize = ROWS;
        cfg.nEpochs = 2;
        cfg.targetKl = null; // every minibatch steps (the stop decision rests on approx KL, compared below)
        cfg.optimizer = c.optimizer;
        if (!c.optimizer.equals("adam")) cfg.weightDecay = 0.01;
        cfg.learnerBackend = backend;
        cfg.learnerThreads = c.threads;
        return cfg.validate();
    }

    static Space actionSpace(Case c) {
        return c.head.equals("categorical") ? new Space.Discrete(CATEGORIES) : Space.Box.symmetric(2f, 1f, 0.5f);
    }

    /** A learner of {@code backend} with weights drawn from {@code seed} (identical across backends). */
    record Learner(ActorCritic net, PPO ppo) {}

    static Learner learner(Case c, PPOConfig cfg, NDManager manager) {
        ActorCritic net = new ActorCritic(cfg.network(), Space.Box.symmetric(1f, 1f, 1f, 1f, 1f), actionSpace(c), RandomSource.XO_SHI_RO_256_PP.create(7L));
        net.materialize(manager);
        return new Learner(net, new PPO(net, cfg.algorithm()));
    }

    /** Random rows around the current policy: ratios spread over the clip range, values around the clip range. */
    static RolloutBuffer.Minibatch minibatch(Case c, ActorCritic net, long seed) {
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(seed);
        ZigguratSampler.NormalizedGaussian g = ZigguratSampler.NormalizedGaussian.of(rng);
        int rd = net.dist.rawDim();
        RolloutBuffer.Minibatch mb = new RolloutBuffer.Minibatch(ROWS, OBS, rd);
        mb.size = ROWS;
        mb.allPolicy = !c.masksAndCloning;
        float[][] obs = new float[1][OBS], head = new float[1][net.dist.headDim()];
        float[] value = new float[1], raw = new float[rd];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < OBS; j++) obs[0][j] = (float) g.sample();
            System.arraycopy(obs[0], 0, mb.obs, r * OBS, OBS);
            for (int j = 0; j < rd; j++) {
                raw[j] = switch (c.head) {
                    case "categorical" -> rng.nextInt(CATEGORIES);
                    case "beta" -> (float) (0.05 + 0.9 * rng.nextDouble());
                    default -> (float) g.sample();
                };
            }
            System.arraycopy(raw, 0, mb.raw, r * rd, rd);
            net.act(obs, 1, head, value);
            mb.squashCorr[r] = (float) net.dist.squashCorrection(raw);
            mb.oldLogProbs[r] = (float) (net.dist.logProb(net.actorHost(), head[0], raw) + 0.3 * g.sample());
            mb.advantages[r] = (float) g.sample();
            mb.returns[r] = (float) g.sample();
            mb.oldValues[r] = (float) (value[0] + 0.3 * g.sample());
            mb.policyActed[r] = c.masksAndCloning && r % 3 == 0 ? 0f : 1f;
        }
        return mb;
    }

    static PPO.BehaviourCloning cloning(Case c, ActorCritic net) {
        if (!c.masksAndCloning) return null;
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(3L);
        DemonstrationBuffer demos = new DemonstrationBuffer(OBS, net.dist.rawDim());
        for (int k = 0; k < 40; k++) {
            float[] o = new float[OBS], a = new float[net.dist.rawDim()];
            for (int j = 0; j < OBS; j++) o[j] = (float) (2 * rng.nextDouble() - 1);
            for (int j = 0; j < a.length; j++) a[j] = (float) (1.5 * rng.nextDouble() - 0.75);
            demos.add(o, a);
        }
        return new PPO.BehaviourCloning(demos, 0.5, (in, out) -> {
            for (int j = 0; j < in.length; j++) out[j] = 0.5f * in[j];
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneMinibatchGivesTheEngineLossesAndGradients(Case c) {
        try (NDManager manager = TestSupport.cpuManager()) {
            PPOConfig djlCfg = config(c, "djl"), hostCfg = config(c, "host");
            djlCfg.maxGradNorm = hostCfg.maxGradNorm = 1e9; // compare the raw gradients
            Learner djl = learner(c, djlCfg, manager), host = learner(c, hostCfg, manager);
            assertEquals("djl", djl.ppo().backendName());
            assertTrue(host.ppo().backendName().startsWith("host") && host.ppo().backendName().endsWith(c.threads == 1 ? "1 thread" : c.threads + " threads"),
                    host.ppo().backendName());
            RolloutBuffer.Minibatch mb = minibatch(c, djl.net(), 11L);
            djl.ppo().captureGradients = true;
            PPO.MinibatchStats d = djl.ppo().stepOn(mb, 0.2, 0.01, 3e-4, 1e-3, cloning(c, djl.net()), RandomSource.XO_SHI_RO_256_PP.create(5L));
            PPO.MinibatchStats h = host.ppo().stepOn(mb, 0.2, 0.01, 3e-4, 1e-3, cloning(c, host.net()), RandomSource.XO_SHI_RO_256_PP.create(5L));
            assertTrue(d.clipFraction() > 0.1 && d.clipFraction() < 0.9, "the batch exercises the clip: " + d.clipFraction());
            close(d.actorLoss(), h.actorLoss(), "actor loss");
            close(d.criticLoss(), h.criticLoss(), "critic loss");
            close(d.entropy(), h.entropy(), "entropy");
            close(d.totalLoss(), h.totalLoss(), "total loss");
            close(d.approxKl(), h.approxKl(), "approx KL");
            assertEquals(d.clipFraction(), h.clipFraction(), 1e-12, "clip fraction");
            if (c.masksAndCloning) close(d.bcLoss(), h.bcLoss(), "behaviour-cloning loss");
            float[][] gd = djl.ppo().lastGradients, gh = host.ppo().hostGradients();
            closeVectors(gd[0], gh[0], 1e-5, "actor gradient");
            closeVectors(gd[1], gh[1], 1e-5, "critic gradient");
            closeVectors(djl.net().actor.toHost(), host.net().actor.toHost(), 0, 1e-6, "actor parameters after the step");
            closeVectors(djl.net().critic.toHost(), host.net().critic.toHost(), 0, 1e-6, "critic parameters after the step");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tenUpdatesFromTheSameStateGiveTheEngineParameters(Case c) {
        try (NDManager manager = TestSupport.cpuManager()) {
            Learner djl = learner(c, config(c, "djl"), manager), host = learner(c, config(c, "host"), manager);
            UniformRandomProvider rd = RandomSource.XO_SHI_RO_256_PP.create(9L), rh = RandomSource.XO_SHI_RO_256_PP.create(9L);
            for (int u = 0; u < 10; u++) {
                RolloutBuffer forDjl = rollout(c, djl.net(), 100L + u), forHost = rollout(c, djl.net(), 100L + u);
                djl.ppo().update(forDjl, 0.2, 0.01, 3e-4, 1e-3, rd, cloning(c, djl.net()));
                host.ppo().update(forHost, 0.2, 0.01, 3e-4, 1e-3, rh, cloning(c, host.net()));
                closeVectors(djl.net().actor.toHost(), host.net().actor.toHost(), 0, 1e-4, "actor parameters after update " + (u + 1));
                closeVectors(djl.net().critic.toHost(), host.net().critic.toHost(), 0, 1e-4, "critic parameters after update " + (u + 1));
            }
        }
    }

    /** Rows split over two threads: the sums meet in a fixed order, so a run repeats bit for bit. */
    @Test
    void twoThreadsRepeatBitForBit() {
        Case c = new Case("squashed", "elu", false, true, false).onThreads(2);
        try (NDManager manager = TestSupport.cpuManager()) {
            Learner a = learner(c, config(c, "host"), manager), b = learner(c, config(c, "host"), manager);
            UniformRandomProvider ra = RandomSource.XO_SHI_RO_256_PP.create(9L), rb = RandomSource.XO_SHI_RO_256_PP.create(9L);
            for (int u = 0; u < 10; u++) {
                RolloutBuffer forA = rollout(c, a.net(), 100L + u), forB = rollout(c, b.net(), 100L + u);
                a.ppo().update(forA, 0.2, 0.01, 3e-4, 1e-3, ra);
                b.ppo().update(forB, 0.2, 0.01, 3e-4, 1e-3, rb);
                assertArrayEquals(a.net().actor.toHost(), b.net().actor.toHost(), "actor parameters after update " + (u + 1));
                assertArrayEquals(a.net().critic.toHost(), b.net().critic.toHost(), "critic parameters after update " + (u + 1));
            }
        }
    }

    /** A rollout buffer of ROWS × 2 transitions drawn around {@code net}'s current policy, GAE computed. */
    static RolloutBuffer rollout(Case c, ActorCritic net, long seed) {
        RolloutBuffer buf = new RolloutBuffer(ROWS, 2, OBS, net.dist.rawDim());
        RolloutBuffer.Minibatch a = minibatch(c, net, seed), b = minibatch(c, net, seed + 1000);
        int rd = net.dist.rawDim();
        for (int t = 0; t < ROWS; t++) {
            for (int i = 0; i < 2; i++) {
                RolloutBuffer.Minibatch src = i == 0 ? a : b;
                float[] o = new float[OBS], r = new float[rd];
                System.arraycopy(src.obs, t * OBS, o, 0, OBS);
                System.arraycopy(src.raw, t * rd, r, 0, rd);
                buf.add(t, i, o, r, src.oldLogProbs[t], src.oldValues[t], src.returns[t], t % 50 == 49, src.squashCorr[t]);
                if (src.policyActed[t] == 0f) buf.markNotPolicy(t, i);
            }
        }
        buf.computeGae(new float[] {0.1f, -0.2f}, 0.99, 0.95);
        return buf;
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.max(1e-2, Math.abs(expected)), what);
    }

    /** ‖actual − expected‖∞ ≤ rel · ‖expected‖∞ + abs. */
    private static void closeVectors(float[] expected, float[] actual, double rel, double abs, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 0, worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double d = Math.abs(expected[i] - actual[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= rel * scale + abs, what + ": largest difference " + worst + " at " + at + " (scale " + scale + ")");
    }

    private static void closeVectors(float[] expected, float[] actual, double rel, String what) {
        closeVectors(expected, actual, rel, 0, what);
    }
}
