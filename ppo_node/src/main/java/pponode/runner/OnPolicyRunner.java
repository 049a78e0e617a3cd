package pponode.runner;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.apache.commons.rng.RestorableUniformRandomProvider;
import org.apache.commons.rng.core.RandomProviderDefaultState;
import org.apache.commons.rng.simple.RandomSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.env.Env;
import pponode.env.SyncVecEnv;
import pponode.env.ThreadedVecEnv;
import pponode.env.VecEnv;
import pponode.env.VecStep;
import pponode.log.MetricsLog;
import pponode.modules.ActorCritic;
import pponode.modules.RunningMeanStd;
import pponode.ppo.PPO;
import pponode.ppo.PPOConfig;
import pponode.ppo.Schedule;
import pponode.storage.DemonstrationBuffer;
import pponode.storage.RolloutBuffer;

/**
 * The training loop (the reference's {@code PPOAgent.learn}): collect a rollout with the current
 * policy, compute GAE, run the PPO update, log, checkpoint; repeat until total_timesteps.
 * Read {@link #collectRollout()} top to bottom to follow one environment step into the buffer.
 */
public final class OnPolicyRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnPolicyRunner.class);
    /** Keys that may differ from the checkpoint's config when resuming. */
    public static final Set<String> RESUME_OVERRIDABLE = Set.of("total_timesteps", "log_interval", "save_interval", "log_dir",
            "experiment_name", "device", "eval_episodes", "resume_from", "vec_env", "vec_env_workers");

    /** Called after every update. */
    public interface Listener {
        void onUpdate(int update, int totalUpdates, long globalStep, Map<String, Double> stats);
    }

    public final PPOConfig cfg;
    private final LongFunction<Env> envFactory;
    private final NDManager manager;
    public final ActorCritic net;
    public final PPO ppo;
    private final RolloutBuffer buffer;
    private final VecEnv envs;
    private final RunningMeanStd obsRms; // null when normalise_obs is off
    private final RunningMeanStd retRms; // running stats of the discounted return, for reward scaling
    private final double[] discountedReturn;
    private final RestorableUniformRandomProvider rng;
    private final Schedule lrSchedule, clipSchedule, entSchedule;
    public final int totalUpdates;
    private int update;
    private long globalStep;
    private float[][] obs;
    private final double[] epReturn;
    private final int[] epLength;
    public final EpisodeStats episodes = new EpisodeStats();
    private final Path runDir;
    private MetricsLog log;
    /** The checkpoint step this runner continues from (its log is cut back to it), or -1 for a new run. */
    private long resumedAtStep = -1;
    // rollout scratch, reused every step
    private final float[][] obsNorm, head, raw, envAction;
    private final float[] values, lastValues;
    private final double[] logProb, corr, scaledReward;
    // recurrent policies: each env's hidden state, and whether its next observation starts an episode
    private final float[][] rnnState;
    private final boolean[] episodeStart;
    // supervised fine-tuning: who may take over, and what the operators showed
    private Supervisor supervisor;
    private DemonstrationBuffer demos;
    private Schedule bcSchedule;
    private float[][] executed, demonstration;
    private float[] demoRaw;
    private long rolloutInterventions, rolloutSafe;
    private Supervisor.Actor[] who;

    public OnPolicyRunner(PPOConfig cfg, LongFunction<Env> envFactory, Path runDir) {
        this.cfg = cfg.validate();
        this.envFactory = envFactory;
        this.runDir = runDir;
        rng = RandomSource.XO_SHI_RO_256_PP.create(cfg.seed);
        List<Env> list = new ArrayList<>();
        for (int i = 0; i < cfg.numEnvs; i++) list.add(envFactory.apply(cfg.seed + i));
        envs = cfg.vecEnv.equals("threaded")
                ? new ThreadedVecEnv(list, cfg.vecEnvWorkers > 0 ? cfg.vecEnvWorkers : Runtime.getRuntime().availableProcessors())
                : new SyncVecEnv(list);
        if (cfg.useAmp) {
            LOG.warn("use_amp: DJL 0.36 has no autocast for PyTorch; training runs in float32 on every device");
        }
        manager = NDManager.newBaseManager(Engines.device(cfg.device), Engines.pytorch().getEngineName());
        net = new ActorCritic(cfg.network(), envs.observationSpace(), envs.actionSpace(), rng);
        net.materialize(manager);
        ppo = new PPO(net, cfg);
        int n = cfg.numEnvs;
        buffer = new RolloutBuffer(cfg.rolloutSteps, n, net.obsDim, net.dist.rawDim(), net.stateSize());
        rnnState = new float[n][net.stateSize()];
        episodeStart = new boolean[n];
        java.util.Arrays.fill(episodeStart, true);
        obsRms = cfg.normaliseObs ? new RunningMeanStd(net.obsDim) : null;
        retRms = new RunningMeanStd(1);
        discountedReturn = new double[n];
        totalUpdates = (int) (cfg.totalTimesteps / ((long) cfg.rolloutSteps * n));
        lrSchedule = new Schedule(1.0, cfg.lrSchedule, totalUpdates);
        clipSchedule = new Schedule(cfg.clipEpsilon, cfg.clipEpsilonSchedule, totalUpdates);
        entSchedule = new Schedule(cfg.entropyCoef, cfg.entropyCoefSchedule, totalUpdates);
        epReturn = new double[n];
        epLength = new int[n];
        obsNorm = new float[n][net.obsDim];
        head = new float[n][net.dist.headDim()];
        raw = new float[n][net.dist.rawDim()];
        envAction = new float[n][net.dist.envDim()];
        values = new float[n];
        lastValues = new float[n];
        logProb = new double[n];
        corr = new double[n];
        scaledReward = new double[n];
        obs = envs.reset(cfg.seed);
        LOG.info("{}: obs {} → {} actions ({}), {} parameters, {} updates of {} steps",
                cfg.envId, net.obsDim, cfg.actionSpaceType, net.dist.getClass().getSimpleName(),
                net.actor.size() + net.critic.size(), totalUpdates, (long) cfg.rolloutSteps * n);
    }

    public int update() {
        return update;
    }

    public long globalStep() {
        return globalStep;
    }

    /** Runs until total_timesteps. */
    public void learn(Listener listener) throws IOException {
        runUpdates(totalUpdates - update, listener);
    }

    /** Runs up to {@code k} more updates (fewer if the run ends first). */
    public void runUpdates(int k, Listener listener) throws IOException {
        if (runDir != null && log == null) log = new MetricsLog(runDir, resumedAtStep);
        long t0 = System.nanoTime();
        long stepsAtStart = globalStep;
        int end = Math.min(totalUpdates, update + k);
        while (update < end) {
            long r0 = System.nanoTime();
            collectRollout();
            long u0 = System.nanoTime();
            PPO.BehaviourCloning bc = demos == null ? null : new PPO.BehaviourCloning(demos, bcSchedule.at(update), this::normalize);
            Map<String, Double> stats = ppo.update(buffer, clipSchedule.at(update), entSchedule.at(update),
                    cfg.lrActor * lrSchedule.at(update), cfg.lrCritic * lrSchedule.at(update), rng, bc);
            if (supervisor != null) {
                long steps = (long) cfg.rolloutSteps * cfg.numEnvs;
                stats.put("teleop/intervention_rate", (double) rolloutInterventions / steps);
                stats.put("teleop/safe_rate", (double) rolloutSafe / steps);
            }
            long u1 = System.nanoTime();
            update++;
            double elapsed = (u1 - t0) / 1e9;
            stats.put("charts/global_step", (double) globalStep);
            stats.put("charts/mean_reward", episodes.meanReturn());
            stats.put("charts/mean_ep_length", episodes.meanLength());
            stats.put("charts/steps_per_sec", (globalStep - stepsAtStart) / Math.max(elapsed, 1e-9));
            stats.put("charts/rollout_time", (u0 - r0) / 1e9);
            stats.put("charts/update_time", (u1 - u0) / 1e9);
            stats.put("charts/progress_pct", 100.0 * globalStep / cfg.totalTimesteps);
            if (log != null && (update % cfg.logInterval == 0 || update == totalUpdates)) log.log(globalStep, stats);
            if (runDir != null && update % cfg.saveInterval == 0) saveCheckpoint(runDir.resolve("checkpoint_step" + globalStep + ".ckpt"));
            if (listener != null) listener.onUpdate(update, totalUpdates, globalStep, stats);
        }
    }

    /** Plays rollout_steps steps in every env with the current policy and fills the buffer (GAE included). */
    void collectRollout() {
        int n = cfg.numEnvs;
        rolloutInterventions = rolloutSafe = 0;
        boolean rnn = net.recurrent();
        for (int i = 0; i < n && rnn; i++) System.arraycopy(rnnState[i], 0, buffer.initialState, i * net.stateSize(), net.stateSize());
        for (int t = 0; t < cfg.rolloutSteps; t++) {
            globalStep += n;
            // 1. normalise observations (stats updated with this batch first, as the reference)
            if (obsRms != null) obsRms.update(obs, n);
            for (int i = 0; i < n; i++) normalize(obs[i], obsNorm[i]);
            // 2. one batched policy + value evaluation for all envs
            if (rnn) {
                for (int i = 0; i < n; i++) buffer.episodeStarts[t * n + i] = episodeStart[i] ? 1f : 0f;
                net.actRecurrent(obsNorm, n, episodeStart, rnnState, head, values);
            } else {
                net.act(obsNorm, n, head, values);
            }
            // 3. sample raw actions, map them to env units
            for (int i = 0; i < n; i++) {
                logProb[i] = net.dist.sample(net.actorHost(), head[i], rng, raw[i]);
                corr[i] = net.dist.squashCorrection(raw[i]);
                net.dist.toEnv(raw[i], envAction[i]);
            }
            // 3b. an operator may take over (the policy's sample is still stored, but masked out)
            Supervisor.Actor[] who = supervisor == null ? null : decideWhoActs();
            // 4. step every env (auto-reset keeps the final observation)
            VecStep s = envs.step(envAction);
            // 5. rewards: scale by the running std of the discounted return, bootstrap truncations
            scaleRewards(s);
            for (int i = 0; i < n; i++) {
                checkFinite(s.obs[i], i, "observation");
                epReturn[i] += s.rewards[i];
                epLength[i]++;
                double r = scaledReward[i];
                if (s.truncated[i] && !s.terminated[i]) {
                    // A time limit is not a terminal state: the return continues past the cut.
                    checkFinite(s.finalObs[i], i, "final observation");
                    float[] fin = new float[net.obsDim];
                    normalize(s.finalObs[i], fin);
                    r += cfg.gamma * (rnn ? net.valueRecurrent(fin, rnnState[i], false) : net.value(fin));
                }
                if (s.done(i)) {
                    episodes.add(epReturn[i], epLength[i]);
                    epReturn[i] = 0;
                    epLength[i] = 0;
                }
                buffer.add(t, i, obsNorm[i], raw[i], logProb[i], values[i], r, s.done(i), corr[i]);
                if (who != null) {
                    if (who[i] != Supervisor.Actor.POLICY) buffer.markNotPolicy(t, i);
                    supervisor.stepped(i, who[i], envAction[i], s.rewards[i], s.done(i), s.obs[i]);
                }
                obs[i] = s.obs[i];
                episodeStart[i] = s.done(i);
            }
        }
        // 6. bootstrap from the value of the observation after the last step
        float[] tmp = new float[net.obsDim];
        for (int i = 0; i < n; i++) {
            normalize(obs[i], tmp);
            lastValues[i] = rnn ? net.valueRecurrent(tmp, rnnState[i], episodeStart[i]) : net.value(tmp);
        }
        buffer.computeGae(lastValues, cfg.gamma, cfg.gaeLambda);
    }

    private Supervisor.Actor[] decideWhoActs() {
        for (int i = 0; i < cfg.numEnvs; i++) {
            who[i] = supervisor.decide(i, obs[i], envAction[i], executed[i], demonstration[i]);
            if (who[i] == Supervisor.Actor.POLICY) continue;
            System.arraycopy(executed[i], 0, envAction[i], 0, envAction[i].length);
            if (who[i] == Supervisor.Actor.OPERATOR) {
                rolloutInterventions++;
                addDemonstration(obs[i], demonstration[i]);
            } else {
                rolloutSafe++;
            }
        }
        return who;
    }

    /**
     * Lets {@code s} take over steps from now on. Operator actions are learned from by behaviour
     * cloning (bc_coef, bc_coef_schedule), and steps the policy did not act on are masked out of
     * the PPO surrogate.
     */
    public void supervise(Supervisor s) {
        if (net.recurrent()) throw new IllegalArgumentException("supervised fine-tuning supports feed-forward policies only (backbone " + cfg.backbone + ")");
        if (!cfg.actionSpaceType.equals("continuous")) throw new IllegalArgumentException("supervised fine-tuning needs continuous actions");
        supervisor = s;
        int n = cfg.numEnvs;
        executed = new float[n][net.dist.envDim()];
        demonstration = new float[n][net.dist.envDim()];
        who = new Supervisor.Actor[n];
        ensureDemos();
    }

    /** Adds one operator demonstration: a raw observation and the operator's action in environment units. */
    public void addDemonstration(float[] observation, float[] envActionOfOperator) {
        ensureDemos();
        net.dist.fromEnv(envActionOfOperator, demoRaw, cfg.bcActionEps);
        demos.add(observation, demoRaw);
    }

    public int demonstrations() {
        return demos == null ? 0 : demos.size();
    }

    private void ensureDemos() {
        if (demos != null) return;
        demos = new DemonstrationBuffer(net.obsDim, net.dist.rawDim());
        demoRaw = new float[net.dist.rawDim()];
        bcSchedule = new Schedule(cfg.bcCoef, cfg.bcCoefSchedule, totalUpdates);
    }

    /**
     * Reward scaling as SB3's VecNormalize: divide by the running std of the discounted return
     * (not of the raw reward, as the reference does — that std is the wrong scale for a return
     * and shrinks as episodes get longer), then clip to ±reward_clip.
     */
    private void scaleRewards(VecStep s) {
        int n = cfg.numEnvs;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(s.rewards[i])) {
                throw new IllegalStateException("environment " + i + " returned a non-finite reward " + s.rewards[i] + " at step " + globalStep);
            }
        }
        if (!cfg.normaliseRewards) {
            System.arraycopy(s.rewards, 0, scaledReward, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) discountedReturn[i] = discountedReturn[i] * cfg.gamma + s.rewards[i];
        retRms.update(discountedReturn, n);
        double std = retRms.std(0);
        for (int i = 0; i < n; i++) {
            scaledReward[i] = Math.max(-cfg.rewardClip, Math.min(cfg.rewardClip, s.rewards[i] / std));
            if (s.done(i)) discountedReturn[i] = 0;
        }
    }

    private float[] normalize(float[] o, float[] out) {
        if (obsRms == null) System.arraycopy(o, 0, out, 0, o.length);
        else obsRms.normalize(o, out, cfg.obsClip);
        return out;
    }

    private void checkFinite(float[] o, int env, String what) {
        if (o.length != net.obsDim) {
            throw new IllegalStateException("environment " + env + " returned an " + what + " of " + o.length + " values, expected " + net.obsDim);
        }
        for (int j = 0; j < o.length; j++) {
            if (!Float.isFinite(o[j])) {
                throw new IllegalStateException("environment " + env + " returned a non-finite " + what + " (element " + j + " = " + o[j] + ") at step " + globalStep);
            }
        }
    }

    /** The current policy, sharing this runner's networks and (frozen-copy) normalizer. */
    public Policy policy() {
        RunningMeanStd frozen = null;
        if (obsRms != null) {
            frozen = new RunningMeanStd(net.obsDim);
            frozen.load(obsRms.mean(), obsRms.var(), obsRms.count());
        }
        return new Policy(cfg, net, frozen, envs.observationSpace(), envs.actionSpace(), manager, false);
    }

    /**
     * Starts from a trained policy's weights and observation statistics (fine-tuning, e.g. from a
     * deployed ONNX file). The networks must have the same shapes.
     */
    public void initFrom(Policy p) {
        if (p.net.actor.size() != net.actor.size() || p.net.critic.size() != net.critic.size()) {
            throw new IllegalArgumentException("the policy's networks (" + p.net.actor.size() + " + " + p.net.critic.size()
                    + " parameters) do not match this run's (" + net.actor.size() + " + " + net.critic.size() + "); use the same backbone and sizes");
        }
        net.actor.load(p.net.actor.toHost());
        net.critic.load(p.net.critic.toHost());
        net.syncHost();
        if (obsRms != null && p.obsRms != null) obsRms.load(p.obsRms.mean(), p.obsRms.var(), p.obsRms.count());
    }

    public EvalResult evaluate(int episodes, long seed) {
        return policy().evaluate(envFactory, episodes, seed);
    }

    // ── checkpoints

    public void saveCheckpoint(Path path) throws IOException {
        Map<String, Object> meta = RunState.policyMeta(cfg, envs.observationSpace(), envs.actionSpace(), obsRms);
        meta.put("global_step", globalStep);
        meta.put("update", update);
        meta.put("actor_opt_steps", ppo.actorOpt.steps());
        meta.put("critic_opt_steps", ppo.criticOpt.steps());
        meta.put("rng", RunState.b64(((RandomProviderDefaultState) rng.saveState()).getState()));
        meta.put("ret_rms", RunState.rms(retRms));
        meta.put("discounted_return", discountedReturn.clone());
        meta.put("ep_return", epReturn.clone());
        meta.put("ep_length", epLength.clone());
        meta.put("episodes", episodes.toArray());
        meta.put("episodes_finished", episodes.finished());
        List<Object> envState = new ArrayList<>();
        List<Object> obsState = new ArrayList<>();
        for (int i = 0; i < envs.numEnvs(); i++) {
            envState.add(envs.env(i).supportsSnapshot() ? RunState.b64(envs.env(i).snapshot()) : null);
            List<Double> o = new ArrayList<>();
            for (float f : obs[i]) o.add((double) f);
            obsState.add(o);
        }
        meta.put("env_state", envState);
        meta.put("rnn_state", rnnState);
        meta.put("episode_start", episodeStart.clone());
        meta.put("obs", obsState);
        Map<String, float[]> arrays = new LinkedHashMap<>();
        arrays.put("actor", net.actor.toHost());
        arrays.put("critic", net.critic.toHost());
        float[][] oa = ppo.actorOpt.state(), oc = ppo.criticOpt.state();
        arrays.put("opt.actor.m", oa[0]);
        arrays.put("opt.actor.v", oa[1]);
        arrays.put("opt.critic.m", oc[0]);
        arrays.put("opt.critic.v", oc[1]);
        new Checkpoint(meta, arrays).write(path);
        LOG.info("checkpoint saved: {} (step {}, update {})", path, globalStep, update);
    }

    /**
     * A runner that continues the run saved in {@code path}. Only {@link #RESUME_OVERRIDABLE} keys
     * may be overridden; anything that changes the networks or the data is refused by name.
     */
    public static OnPolicyRunner resume(Path path, List<String> overrides, LongFunction<Env> envFactory, Path runDir) throws IOException {
        Checkpoint ck = Checkpoint.read(path);
        if (ck.meta.get("update") == null) throw new IOException(path + " is a policy-only file, not a training checkpoint; it cannot be resumed");
        PPOConfig cfg = RunState.config(ck);
        for (String a : overrides) {
            String key = a.substring(0, Math.max(0, a.indexOf('='))).trim();
            if (!RESUME_OVERRIDABLE.contains(key)) {
                throw new PPOConfig.ConfigException("'" + key + "' cannot change when resuming (it would change the run); overridable: " + RESUME_OVERRIDABLE);
            }
        }
        cfg.apply(overrides);
        OnPolicyRunner r = new OnPolicyRunner(cfg, envFactory, runDir);
        r.load(ck);
        r.resumedAtStep = r.globalStep;
        return r;
    }

    @SuppressWarnings("unchecked")
    private void load(Checkpoint ck) throws IOException {
        net.actor.load(ck.array("actor"));
        net.critic.load(ck.array("critic"));
        net.syncHost();
        ppo.actorOpt.load(new float[][] {ck.array("opt.actor.m"), ck.array("opt.actor.v")}, ((Number) ck.meta.get("actor_opt_steps")).longValue());
        ppo.criticOpt.load(new float[][] {ck.array("opt.critic.m"), ck.array("opt.critic.v")}, ((Number) ck.meta.get("critic_opt_steps")).longValue());
        globalStep = ((Number) ck.meta.get("global_step")).longValue();
        update = ((Number) ck.meta.get("update")).intValue();
        rng.restoreState(new RandomProviderDefaultState(RunState.unb64(ck.meta.get("rng"))));
        if (obsRms != null) RunState.loadRms(ck.meta.get("obs_rms"), obsRms);
        RunState.loadRms(ck.meta.get("ret_rms"), retRms);
        double[] dr = RunState.doubles(ck.meta.get("discounted_return"));
        double[] er = RunState.doubles(ck.meta.get("ep_return"));
        double[] el = RunState.doubles(ck.meta.get("ep_length"));
        List<Object> envState = (List<Object>) ck.meta.get("env_state");
        List<Object> obsState = (List<Object>) ck.meta.get("obs");
        if (envState.size() != envs.numEnvs()) throw new IOException("checkpoint has " + envState.size() + " environments, the run has " + envs.numEnvs());
        boolean allRestored = true;
        List<List<Number>> rs = (List<List<Number>>) ck.meta.get("rnn_state");
        List<Boolean> es = (List<Boolean>) ck.meta.get("episode_start");
        for (int i = 0; i < envs.numEnvs(); i++) {
            for (int j = 0; j < rnnState[i].length; j++) rnnState[i][j] = rs.get(i).get(j).floatValue();
            episodeStart[i] = es.get(i);
        }
        for (int i = 0; i < envs.numEnvs(); i++) {
            discountedReturn[i] = dr[i];
            if (envState.get(i) != null && envs.env(i).supportsSnapshot()) {
                envs.env(i).restore(RunState.unb64(envState.get(i)));
                obs[i] = RunState.toFloats((List<Object>) obsState.get(i));
                epReturn[i] = er[i];
                epLength[i] = (int) el[i];
            } else {
                allRestored = false;
                obs[i] = envs.env(i).reset(cfg.seed + i + 7919L * update);
                discountedReturn[i] = 0;
                episodeStart[i] = true;
            }
        }
        if (!allRestored) {
            LOG.warn("some environments cannot snapshot their state: they start new episodes, so this resumed run will differ from an uninterrupted one");
        }
        List<List<Number>> eps = (List<List<Number>>) ck.meta.get("episodes");
        double[][] rows = new double[eps.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = new double[] {eps.get(i).get(0).doubleValue(), eps.get(i).get(1).doubleValue()};
        episodes.load(rows, ((Number) ck.meta.get("episodes_finished")).longValue());
    }

    public MetricsLog log() {
        return log;
    }

    @Override
    public void close() throws IOException {
        if (log != null) log.close();
        envs.close();
        manager.close();
    }
}
