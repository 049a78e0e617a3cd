package pponode.runner;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.apache.commons.rng.RestorableUniformRandomProvider;
import org.apache.commons.rng.core.RandomProviderDefaultState;
import org.apache.commons.rng.simple.RandomSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.config.PPOConfig;
import pponode.env.Env;
import pponode.env.SyncVecEnv;
import pponode.env.ThreadedVecEnv;
import pponode.env.VecEnv;
import pponode.env.VecStep;
import pponode.log.MetricsLog;
import pponode.modules.ActorCritic;
import pponode.modules.RunningMeanStd;
import pponode.ppo.PPO;
import pponode.ppo.Schedule;
import pponode.state.StateDict;
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
            "experiment_name", "device", "eval_episodes", "resume_from", "vec_env", "vec_env_workers", "min_live_envs", "learner_backend",
            "learner_threads");

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
    private final RewardScaler rewards;
    private final RestorableUniformRandomProvider rng;
    private final Schedule lrSchedule, clipSchedule, entSchedule;
    public final int totalUpdates;
    private int update;
    private long globalStep;
    private float[][] obs;
    private final double[] epReturn;
    private final int[] epLength;
    /** Whether env i is in an episode (false while its robot is away), and how many episodes a robot that stopped answering cut short. */
    private final boolean[] inEpisode;
    private long lostEpisodes;
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
    /** Supervised fine-tuning, when an operator may take over; null otherwise. */
    private SupervisedFineTuning supervision;
    /** Set from another thread (a stop signal): the run ends after the update in progress. */
    private volatile boolean stopRequested;
    /** Task changes accepted on resume, oldest first ({@code step} and {@code changes}): checkpoints carry them on. */
    private final List<Map<String, Object>> taskChanges = new ArrayList<>();

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
        envs.minLive(cfg.minLiveEnvs);
        if (cfg.useAmp) {
            LOG.warn("use_amp: DJL 0.36 has no autocast for PyTorch; training runs in float32 on every device");
        }
        manager = NDManager.newBaseManager(Engines.device(cfg.device), Engines.pytorch().getEngineName());
        net = new ActorCritic(cfg.network(), envs.observationSpace(), envs.actionSpace(), rng);
        net.materialize(manager);
        ppo = new PPO(net, cfg.algorithm());
        int n = cfg.numEnvs;
        buffer = new RolloutBuffer(cfg.rolloutSteps, n, net.obsDim, net.dist.rawDim(), net.stateSize());
        rnnState = new float[n][net.stateSize()];
        episodeStart = new boolean[n];
        Arrays.fill(episodeStart, true);
        inEpisode = new boolean[n];
        Arrays.fill(inEpisode, true);
        obsRms = cfg.normaliseObs ? new RunningMeanStd(net.obsDim) : null;
        rewards = new RewardScaler(n, cfg.normaliseRewards, cfg.gamma, cfg.rewardClip);
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
        LOG.info("{}: obs {} → {} actions ({}), {} parameters, {} updates of {} steps, learner: {}",
                cfg.envId, net.obsDim, cfg.actionSpaceType, net.dist.getClass().getSimpleName(),
                net.actor.size() + net.critic.size(), totalUpdates, (long) cfg.rolloutSteps * n, ppo.backendName());
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
        while (update < end && !stopRequested) {
            long r0 = System.nanoTime();
            collectRollout();
            long u0 = System.nanoTime();
            PPO.BehaviourCloning bc = supervision == null ? null : supervision.behaviourCloning(update, this::normalize);
            Map<String, Double> stats = ppo.update(buffer, clipSchedule.at(update), entSchedule.at(update),
                    cfg.lrActor * lrSchedule.at(update), cfg.lrCritic * lrSchedule.at(update), rng, bc);
            if (supervision != null) supervision.addStats(stats, (long) cfg.rolloutSteps * cfg.numEnvs);
            long u1 = System.nanoTime();
            update++;
            double elapsed = (u1 - t0) / 1e9;
            stats.put("charts/global_step", (double) globalStep);
            stats.put("charts/mean_reward", episodes.meanReturn());
            stats.put("charts/mean_ep_length", episodes.meanLength());
            stats.put("charts/live_envs", (double) envs.liveCount());
            stats.put("charts/lost_episodes", (double) lostEpisodes);
            stats.put("charts/steps_per_sec", (globalStep - stepsAtStart) / Math.max(elapsed, 1e-9));
            stats.put("charts/rollout_time", (u0 - r0) / 1e9);
            stats.put("charts/update_time", (u1 - u0) / 1e9);
            stats.put("charts/progress_pct", 100.0 * globalStep / cfg.totalTimesteps);
            if (log != null && (update % cfg.logInterval == 0 || update == totalUpdates)) log.log(globalStep, stats);
            if (runDir != null && update % cfg.saveInterval == 0) saveCheckpoint(runDir.resolve("checkpoint_step" + globalStep + ".ckpt"));
            if (listener != null) listener.onUpdate(update, totalUpdates, globalStep, stats);
        }
    }

    /**
     * Ends {@link #learn}/{@link #runUpdates} after the update in progress (safe to call from a
     * signal handler's thread): the runner's state is then whole, ready for a checkpoint.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Whether the run ended because {@link #requestStop()} was called. */
    public boolean stopped() {
        return stopRequested && update < totalUpdates;
    }

    /** Plays rollout_steps steps in every env with the current policy and fills the buffer (GAE included). */
    void collectRollout() {
        int n = cfg.numEnvs;
        if (supervision != null) supervision.rolloutStarted();
        boolean rnn = net.recurrent();
        for (int i = 0; i < n && rnn; i++) System.arraycopy(rnnState[i], 0, buffer.initialState, i * net.stateSize(), net.stateSize());
        for (int t = 0; t < cfg.rolloutSteps; t++) {
            // 1. normalise observations (stats updated with this batch first, as the reference)
            if (obsRms != null) updateObsStats();
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
            Supervisor.Actor[] who = supervision == null ? null : supervision.decide(obs, envAction);
            // 4. step every env (auto-reset keeps the final observation); one whose robot stopped
            //    answering takes no step until it is back
            VecStep s = envs.step(envAction);
            globalStep += s.liveCount();
            // 5. rewards: scale by the running std of the discounted return, bootstrap truncations
            rewards.scale(s, globalStep, scaledReward);
            for (int i = 0; i < n; i++) {
                if (!s.live[i]) {
                    absent(t, i, s);
                    continue;
                }
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
                    // a robot task's episode (its tracking, its randomization draws): a row of episodes.csv
                    if (log != null && s.finalMetrics[i] != null && !s.finalMetrics[i].isEmpty()) log.episode(globalStep, i, epReturn[i], epLength[i], s.finalMetrics[i]);
                    epReturn[i] = 0;
                    epLength[i] = 0;
                }
                buffer.add(t, i, obsNorm[i], raw[i], logProb[i], values[i], r, s.done(i), corr[i]);
                if (who != null) {
                    if (who[i] != Supervisor.Actor.POLICY) buffer.markNotPolicy(t, i);
                    supervision.stepped(i, envAction[i], s.rewards[i], s.done(i), s.obs[i]);
                }
                obs[i] = s.obs[i];
                episodeStart[i] = s.done(i);
                inEpisode[i] = envs.live(i); // false when its robot stopped answering at the reset after this step
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

    /**
     * Env {@code i} took no step at {@code t}. If it was in an episode, that episode ends here,
     * before the lost step (kept in the buffer as a truncation, not counted among finished
     * episodes); when it is back, its new episode's first observation is in {@code s.obs}.
     */
    private void absent(int t, int i, VecStep s) {
        buffer.addAbsent(t, i, obsNorm[i], values[i]);
        if (inEpisode[i]) {
            inEpisode[i] = false;
            lostEpisodes++;
            epReturn[i] = 0;
            epLength[i] = 0;
            rewards.restart(i);
        }
        if (s.rejoined[i]) {
            checkFinite(s.obs[i], i, "observation");
            obs[i] = s.obs[i];
        }
        inEpisode[i] = envs.live(i);
        episodeStart[i] = true;
    }

    /** The observation statistics take in the envs about to step (not those away, whose observation is old). */
    private void updateObsStats() {
        int n = cfg.numEnvs, live = envs.liveCount();
        if (live == n) {
            obsRms.update(obs, n);
            return;
        }
        float[][] stepping = new float[live][];
        for (int i = 0, r = 0; i < n; i++) if (envs.live(i)) stepping[r++] = obs[i];
        obsRms.update(stepping, live);
    }

    /**
     * Lets {@code s} take over steps from now on (teleop-supervised fine-tuning): the returned
     * extension learns from the operators' actions and keeps the steps the policy did not act on
     * out of the PPO surrogate.
     */
    public SupervisedFineTuning supervise(Supervisor s) {
        supervision = new SupervisedFineTuning(s, net, cfg, totalUpdates);
        return supervision;
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

    // ── checkpoints: each component saves and loads its own state; the runner adds its counters and the environments

    public void saveCheckpoint(Path path) throws IOException {
        StateDict s = RunState.header(cfg, envs.observationSpace(), envs.actionSpace());
        Map<String, Object> task = envs.env(0).definition();
        if (!task.isEmpty()) s.put("task", task);
        if (!taskChanges.isEmpty()) s.put("task_changes", taskChanges);
        if (obsRms != null) obsRms.save(s, "obs_rms");
        net.save(s);
        ppo.save(s);
        rewards.save(s);
        episodes.save(s);
        saveProgress(s);
        Checkpoint.write(s, path);
        LOG.info("checkpoint saved: {} (step {}, update {})", path, globalStep, update);
    }

    /** The runner's own state: counters, random stream, and where every environment is in its episode. */
    private void saveProgress(StateDict s) {
        s.put("global_step", globalStep);
        s.put("update", update);
        s.putBytes("rng", ((RandomProviderDefaultState) rng.saveState()).getState());
        s.put("ep_return", epReturn.clone());
        s.put("ep_length", epLength.clone());
        List<Object> envState = new ArrayList<>();
        for (int i = 0; i < envs.numEnvs(); i++) {
            envState.add(envs.env(i).supportsSnapshot() ? Base64.getEncoder().encodeToString(envs.env(i).snapshot()) : null);
        }
        s.put("env_state", envState);
        s.put("rnn_state", rnnState);
        s.put("episode_start", episodeStart.clone());
        s.put("obs", StateDict.rows(obs));
    }

    /**
     * A runner that continues the run saved in {@code path}. Only {@link #RESUME_OVERRIDABLE} keys
     * may be overridden; anything that changes the networks or the data is refused by name. A task
     * file that changed since the checkpoint is refused naming the settings that differ, unless
     * {@code acceptTaskChange}: then the run goes on with the changed task, its environments start
     * new episodes, and the change is recorded in every later checkpoint ({@code task_changes}).
     */
    public static OnPolicyRunner resume(Path path, List<String> overrides, LongFunction<Env> envFactory, Path runDir, boolean acceptTaskChange)
            throws IOException {
        StateDict ck = Checkpoint.read(path);
        if (!ck.has("update")) throw new IOException(path + " is a policy-only file, not a training checkpoint; it cannot be resumed");
        PPOConfig cfg = RunState.config(ck);
        for (String a : overrides) {
            String key = a.substring(0, Math.max(0, a.indexOf('='))).trim();
            if (!RESUME_OVERRIDABLE.contains(key)) {
                throw new PPOConfig.ConfigException("'" + key + "' cannot change when resuming (it would change the run); overridable: " + RESUME_OVERRIDABLE);
            }
        }
        cfg.apply(overrides);
        OnPolicyRunner r = new OnPolicyRunner(cfg, envFactory, runDir);
        try {
            List<String> changes = RunState.taskChanges(ck, r.envs.env(0).definition());
            if (!changes.isEmpty() && !acceptTaskChange) throw new PPOConfig.ConfigException(taskChangedMessage(path, changes));
            if (ck.has("task_changes")) {
                for (Object c : ck.list("task_changes")) r.taskChanges.add(castMap(c));
            }
            if (r.obsRms != null) r.obsRms.load(ck, "obs_rms");
            r.net.load(ck);
            r.ppo.load(ck);
            r.rewards.load(ck);
            r.episodes.load(ck);
            r.loadProgress(ck, changes.isEmpty());
            if (!changes.isEmpty()) {
                r.taskChanges.add(Map.of("step", r.globalStep, "changes", changes));
                LOG.warn("resuming on a changed task (accepted, recorded in the run's checkpoints): {}; every environment starts a new episode",
                        String.join("; ", changes));
            }
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        r.resumedAtStep = r.globalStep;
        return r;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    /** The refusal of a resume whose task file changed since {@code checkpoint}, naming the settings. */
    public static String taskChangedMessage(Path checkpoint, List<String> changes) {
        return "--resume " + checkpoint + ": the task changed since this checkpoint (" + String.join("; ", changes)
                + "); resume with --accept-task-change to train on the changed task (recorded in the run), or start a new run";
    }

    private void loadProgress(StateDict ck, boolean restoreEnvironments) throws IOException {
        globalStep = ck.integer("global_step");
        update = (int) ck.integer("update");
        rng.restoreState(new RandomProviderDefaultState(ck.bytes("rng")));
        double[] er = ck.doubles("ep_return"), el = ck.doubles("ep_length");
        List<?> envState = ck.list("env_state"), obsState = ck.list("obs"), rs = ck.list("rnn_state"), es = ck.list("episode_start");
        int n = envs.numEnvs();
        if (envState.size() != n || obsState.size() != n || rs.size() != n || es.size() != n || er.length != n || el.length != n) {
            throw new IOException(ck.source() + " has " + envState.size() + " environments, the run has " + n);
        }
        boolean allRestored = true;
        for (int i = 0; i < n; i++) {
            List<?> state = (List<?>) rs.get(i);
            for (int j = 0; j < rnnState[i].length; j++) rnnState[i][j] = ((Number) state.get(j)).floatValue();
            episodeStart[i] = (Boolean) es.get(i);
            if (restoreEnvironments && envState.get(i) instanceof String snapshot && envs.env(i).supportsSnapshot()) {
                envs.env(i).restore(Base64.getDecoder().decode(snapshot));
                obs[i] = RunState.toFloats((List<?>) obsState.get(i));
                epReturn[i] = er[i];
                epLength[i] = (int) el[i];
            } else {
                allRestored = false;
                obs[i] = envs.env(i).reset(cfg.seed + i + 7919L * update);
                rewards.restart(i);
                episodeStart[i] = true;
            }
        }
        if (!allRestored && restoreEnvironments) {
            LOG.warn("some environments cannot snapshot their state: they start new episodes, so this resumed run will differ from an uninterrupted one");
        }
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
