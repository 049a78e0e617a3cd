package pponode.runner;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongFunction;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import pponode.config.PPOConfig;
import pponode.env.Env;
import pponode.env.Space;
import pponode.modules.ActorCritic;
import pponode.modules.RunningMeanStd;
import pponode.state.StateDict;

/**
 * A policy ready to act: networks, the observation normalizer frozen at its training statistics,
 * and the config it was trained with. What {@code evaluate}, {@code predict} and export use.
 */
public final class Policy implements AutoCloseable {
    public final PPOConfig cfg;
    public final ActorCritic net;
    public final RunningMeanStd obsRms; // null when normalise_obs is off
    public final Space obsSpace, actSpace;
    private final NDManager manager;
    private final boolean ownsManager;
    private final float[] obsNorm;
    private final float[][] head;
    private final float[] raw;
    private final float[][] state; // recurrent policies: hidden state carried between predict calls
    private final boolean[] start = {true};

    Policy(PPOConfig cfg, ActorCritic net, RunningMeanStd obsRms, Space obsSpace, Space actSpace, NDManager manager, boolean ownsManager) {
        this.cfg = cfg;
        this.net = net;
        this.obsRms = obsRms;
        this.obsSpace = obsSpace;
        this.actSpace = actSpace;
        this.manager = manager;
        this.ownsManager = ownsManager;
        obsNorm = new float[net.obsDim];
        head = new float[][] {new float[net.dist.headDim()]};
        raw = new float[net.dist.rawDim()];
        state = new float[1][net.stateSize()];
    }

    /** Starts a new episode: recurrent policies forget their hidden state. */
    public void resetState() {
        start[0] = true;
    }

    /** Normalises (and clips) one observation with the frozen statistics; rejects NaN/Inf. */
    public float[] normalize(float[] obs, float[] out) {
        if (obs.length != net.obsDim) {
            throw new IllegalArgumentException("observation has " + obs.length + " values, the policy expects " + net.obsDim);
        }
        for (int j = 0; j < obs.length; j++) {
            if (!Float.isFinite(obs[j])) throw new IllegalArgumentException("observation element " + j + " is " + obs[j]);
        }
        if (obsRms == null) System.arraycopy(obs, 0, out, 0, obs.length);
        else obsRms.normalize(obs, out, cfg.obsClip);
        return out;
    }

    /**
     * The action for one raw observation, in environment units. Deterministic means argmax for
     * discrete, the mean for a Gaussian, tanh of the mean (scaled) for a squashed Gaussian, the
     * mean for a Beta. The reference's "deterministic" evaluation sampled instead.
     */
    public float[] predict(float[] obs, boolean deterministic, UniformRandomProvider rng) {
        normalize(obs, obsNorm);
        if (net.recurrent()) {
            net.actRecurrent(new float[][] {obsNorm}, 1, start, state, head, null);
            start[0] = false;
        } else {
            net.act(new float[][] {obsNorm}, 1, head, null);
        }
        if (deterministic) net.dist.mode(net.actorHost(), head[0], raw);
        else net.dist.sample(net.actorHost(), head[0], rng, raw);
        float[] env = new float[net.dist.envDim()];
        net.dist.toEnv(raw, env);
        return env;
    }

    /** {@code episodes} deterministic episodes; episode k starts from {@code reset(seed + k)}. */
    public EvalResult evaluate(LongFunction<Env> factory, int episodes, long seed) {
        return Evaluator.run(factory, episodes, seed, new Evaluator.Actor() {
            @Override
            public void reset() {
                resetState();
            }

            @Override
            public float[] act(float[] obs) {
                return predict(obs, true, null);
            }
        });
    }

    /** A freshly initialised policy for {@code cfg} (weights then loaded by the caller). */
    public static Policy create(PPOConfig cfg, Space obsSpace, Space actSpace, Device device) {
        NDManager m = NDManager.newBaseManager(device, Engines.pytorch().getEngineName());
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(cfg.seed);
        ActorCritic net = new ActorCritic(cfg.network(), obsSpace, actSpace, rng);
        net.materialize(m);
        RunningMeanStd rms = cfg.normaliseObs ? new RunningMeanStd(net.obsDim) : null;
        return new Policy(cfg, net, rms, obsSpace, actSpace, m, true);
    }

    /** Loads the policy part of a checkpoint or a policy-only file onto {@code device}. */
    public static Policy load(Path path, Device device) throws IOException {
        StateDict ck = Checkpoint.read(path);
        PPOConfig cfg = RunState.config(ck);
        RunState.Spaces spaces = RunState.spaces(ck);
        NDManager m = NDManager.newBaseManager(device, Engines.pytorch().getEngineName());
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(cfg.seed);
        ActorCritic net = new ActorCritic(cfg.network(), spaces.observation(), spaces.action(), rng);
        net.materialize(m);
        net.load(ck);
        RunningMeanStd rms = null;
        if (ck.has("obs_rms")) {
            rms = new RunningMeanStd(net.obsDim);
            rms.load(ck, "obs_rms");
        }
        return new Policy(cfg, net, rms, spaces.observation(), spaces.action(), m, true);
    }

    /** Writes a policy-only file (weights, normalizer, config, spaces; no optimizer or env state). */
    public void save(Path path) throws IOException {
        StateDict s = RunState.header(cfg, obsSpace, actSpace);
        if (obsRms != null) obsRms.save(s, "obs_rms");
        net.save(s);
        Checkpoint.write(s, path);
    }

    @Override
    public void close() {
        if (ownsManager) manager.close();
    }
}
