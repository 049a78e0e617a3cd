package pponode.teleop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.config.PPOConfig;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.runner.OnPolicyRunner;
import pponode.runner.Policy;
import pponode.runner.SupervisedFineTuning;
import pponode.runner.Supervisor;

/**
 * Teleop-supervised fine-tuning: the policy runs (in a simulator or on the robot), an operator
 * may take over at any step, and every update is PPO on the policy's own steps plus behaviour
 * cloning of the operator's actions. Every step is appended to {@code interventions.log} (who
 * acted, observation, actions), and demonstrations found there are loaded again on restart.
 * Every {@code exportEvery} updates a new ONNX policy is written, versioned ({@code policy_vN.onnx},
 * {@code ppo_node.policy_version}) and atomically replacing {@code policy.onnx}, which a deploy
 * node with {@code watch_policy} swaps in without dropping a control period.
 */
public final class FineTuner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FineTuner.class);
    public final OnPolicyRunner runner;
    private final RobotTask task;
    private final Path runDir;
    private final TeleopArbiter[] arbiters;
    private final ScriptedReacherOperator[] scripted; // null entries: a remote operator
    private final long[] clockMs;
    private final long controlPeriodMs;
    private final InterventionLog log;
    private final int exportEvery;
    private final String finetunedFrom;
    private final List<Consumer<Map<String, Object>>> telemetry = new ArrayList<>();
    private final float[][] lastObs, lastDemo;
    private final int[] episode;
    private final Supervisor.Actor[] lastWho;
    private final SupervisedFineTuning supervision;
    private int version;
    private boolean paced;
    private long nextStepNanos;
    private long operatorSteps, safeSteps, steps;

    /**
     * @param arbiters  one per environment
     * @param scripted  one per environment, or null when operators are remote (MQTT, ROS 2)
     * @param simClock  true in a simulator: the deadman runs on simulated time (control periods)
     */
    public FineTuner(OnPolicyRunner runner, RobotTask task, Path runDir, TeleopArbiter[] arbiters, ScriptedReacherOperator[] scripted,
                     long[] clockMs, int exportEvery, String finetunedFrom) throws IOException {
        if (arbiters.length != runner.cfg.numEnvs) throw new IllegalArgumentException("one arbiter per environment: " + arbiters.length + " for " + runner.cfg.numEnvs);
        this.runner = runner;
        this.task = task;
        this.runDir = runDir;
        this.arbiters = arbiters;
        this.scripted = scripted;
        this.clockMs = clockMs;
        this.controlPeriodMs = Math.round(1000 / task.controlRateHz);
        this.exportEvery = exportEvery;
        this.finetunedFrom = finetunedFrom;
        int n = arbiters.length;
        lastObs = new float[n][runner.net.obsDim];
        lastDemo = new float[n][task.actuatedJoints.size()];
        episode = new int[n];
        lastWho = new Supervisor.Actor[n];
        Files.createDirectories(runDir);
        Path logFile = runDir.resolve("interventions.log");
        int obsDim = runner.net.obsDim;
        List<InterventionLog.Step> earlier = Files.exists(logFile) ? InterventionLog.read(logFile).steps() : List.of();
        log = new InterventionLog(logFile, task.name, task.actuatedJoints, obsDim);
        try (var files = Files.list(runDir)) { // a restarted run continues the version numbers, never overwrites
            version = files.map(f -> f.getFileName().toString()).filter(f -> f.matches("policy_v\\d+\\.onnx"))
                    .mapToInt(f -> Integer.parseInt(f.substring(8, f.length() - 5))).max().orElse(0);
        }
        supervision = runner.supervise(new Supervisor() {
            @Override
            public Actor decide(int env, float[] obs, float[] policyAction, float[] executed, float[] demonstration) {
                if (paced) pace();
                if (scripted != null && scripted[env] != null) scripted[env].observe(obs, clockMs[env]);
                Actor who = arbiters[env].decide(env, obs, policyAction, executed, demonstration);
                System.arraycopy(obs, 0, lastObs[env], 0, obs.length);
                if (who == Actor.OPERATOR) System.arraycopy(demonstration, 0, lastDemo[env], 0, demonstration.length);
                return who;
            }

            @Override
            public void stepped(int env, Actor who, float[] executed, double reward, boolean done, float[] nextObs) {
                steps++;
                if (who == Actor.OPERATOR) operatorSteps++;
                if (who == Actor.SAFE) safeSteps++;
                try {
                    log.append(new InterventionLog.Step(runner.globalStep(), clockMs[env], episode[env], who, lastObs[env], executed,
                            who == Actor.OPERATOR ? lastDemo[env] : null)); // appended (copied) at once
                    if (lastWho[env] == Actor.OPERATOR && who != Actor.OPERATOR) log.sync(); // a segment ended: make it durable
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot append to " + logFile + ": operator data would be lost", e);
                }
                lastWho[env] = who;
                clockMs[env] = paced ? System.currentTimeMillis() : clockMs[env] + controlPeriodMs;
                if (done) {
                    if (scripted != null && scripted[env] != null) scripted[env].episodeEnded(clockMs[env]);
                    episode[env]++;
                }
            }
        });
        int restored = 0;
        for (InterventionLog.Step st : earlier) {
            if (st.demonstration() != null) {
                supervision.addDemonstration(st.obs(), st.demonstration());
                restored++;
            }
        }
        if (restored > 0) LOG.info("finetune: {} operator demonstrations restored from {}", restored, logFile);
    }

    /**
     * Fine-tuning in the embedded simulator, the deadman on simulated time. With
     * {@code scriptedOperator}, each simulated arm gets a {@link ScriptedReacherOperator};
     * otherwise commands come from whatever is given the returned arbiters (MQTT, ROS 2).
     */
    public static FineTuner simulated(PPOConfig cfg, Policy init, Path runDir, TeleopConfig tcfg,
                                      boolean scriptedOperator, int exportEvery, String finetunedFrom) throws IOException {
        return create(cfg, s -> EnvRegistry.make(cfg.envId, s), init, runDir, tcfg, scriptedOperator, false, exportEvery, finetunedFrom);
    }

    /**
     * Fine-tuning on any environment of a robot task. {@code wallClock}: the deadman and the
     * operator's stamps use the wall clock (a robot, or a simulator paced to real time for a human
     * operator), and each step waits for its control period.
     */
    public static FineTuner create(PPOConfig cfg, LongFunction<Env> factory, Policy init,
                                   Path runDir, TeleopConfig tcfg, boolean scriptedOperator, boolean wallClock, int exportEvery, String finetunedFrom) throws IOException {
        RobotTask task = EnvRegistry.task(cfg.envId);
        if (task == null) throw new IllegalArgumentException("fine-tuning needs a robot task, not '" + cfg.envId + "'");
        if (wallClock && cfg.numEnvs != 1) throw new IllegalArgumentException("'num_envs' must be 1 with a remote operator: one robot, one operator (got " + cfg.numEnvs + ")");
        OnPolicyRunner runner = new OnPolicyRunner(cfg, factory, runDir);
        try {
            if (init != null) runner.initFrom(init);
            int n = cfg.numEnvs;
            long[] clock = new long[n];
            TeleopArbiter[] arb = new TeleopArbiter[n];
            ScriptedReacherOperator[] ops = scriptedOperator ? new ScriptedReacherOperator[n] : null;
            var box = task.actionSpace();
            double[] lo = new double[box.low().length], hi = new double[lo.length];
            for (int j = 0; j < lo.length; j++) {
                lo[j] = box.low()[j];
                hi[j] = box.high()[j];
            }
            List<Map<String, Object>> layout;
            try (var e = new RobotEnv(task, 0)) {
                layout = e.observationLayout();
            }
            for (int i = 0; i < n; i++) {
                final int env = i;
                clock[i] = 1_000_000L; // simulated ms; any origin works, commands are stamped with it
                arb[i] = new TeleopArbiter(tcfg, task.actuatedJoints, lo, hi, task.commandInterface,
                        wallClock ? System::currentTimeMillis : () -> clock[env]);
                if (ops != null) ops[i] = new ScriptedReacherOperator(task, layout, arb[i], 0.02, 0.05, 0.02, 25);
            }
            FineTuner ft = new FineTuner(runner, task, runDir, arb, ops, clock, exportEvery, finetunedFrom);
            ft.paced = wallClock;
            return ft;
        } catch (RuntimeException | IOException e) {
            runner.close();
            throw e;
        }
    }

    public TeleopArbiter arbiter(int env) {
        return arbiters[env];
    }

    /** Real time for a human operator: one step per control period. */
    private void pace() {
        long period = Math.round(1e9 / task.controlRateHz);
        long now = System.nanoTime();
        if (nextStepNanos == 0 || now - nextStepNanos > period) nextStepNanos = now;
        while ((now = System.nanoTime()) < nextStepNanos) LockSupport.parkNanos(nextStepNanos - now);
        nextStepNanos += period;
    }

    /** Receives a telemetry record after every update (MQTT, ROS 2, a test). */
    public void addTelemetry(Consumer<Map<String, Object>> sink) {
        telemetry.add(sink);
    }

    /** Runs {@code k} updates (or until the run's total_timesteps); returns the last update's statistics. */
    public Map<String, Double> run(int k, OnPolicyRunner.Listener listener) throws IOException {
        Map<String, Double> last = new LinkedHashMap<>();
        runner.runUpdates(k, (u, total, step, stats) -> {
            last.clear();
            last.putAll(stats);
            if (u % exportEvery == 0 || u == total) {
                try {
                    export();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("robot", task.name);
            t.put("update", u);
            t.put("global_step", step);
            t.put("mode", arbiters[0].lastActor().name().toLowerCase());
            t.put("intervention_rate", stats.getOrDefault("teleop/intervention_rate", 0.0));
            t.put("safe_rate", stats.getOrDefault("teleop/safe_rate", 0.0));
            t.put("mean_return", stats.get("charts/mean_reward"));
            t.put("actor_loss", stats.get("train/actor_loss"));
            t.put("critic_loss", stats.get("train/critic_loss"));
            t.put("bc_loss", stats.get("train/bc_loss"));
            t.put("demonstrations", supervision.demonstrations());
            t.put("policy_version", version);
            t.put("commands_rejected", Arrays.stream(arbiters).mapToLong(TeleopArbiter::rejectedCount).sum());
            for (Consumer<Map<String, Object>> c : telemetry) c.accept(t);
            if (listener != null) listener.onUpdate(u, total, step, stats);
        });
        log.sync();
        return last;
    }

    /** Writes policy_v{N}.onnx and atomically replaces policy.onnx with it. */
    public Path export() throws IOException {
        version++;
        Map<String, String> meta = new LinkedHashMap<>(Deployment.metadata(runner.cfg.envId));
        meta.put("ppo_node.policy_version", String.valueOf(version));
        meta.put("ppo_node.finetuned_from", finetunedFrom);
        meta.put("ppo_node.demonstrations", String.valueOf(supervision.demonstrations()));
        meta.put("ppo_node.global_step", String.valueOf(runner.globalStep()));
        var p = runner.policy();
        Path versioned = runDir.resolve("policy_v" + version + ".onnx");
        OnnxExporter.write(p, meta, versioned);
        OnnxExporter.write(p, meta, runDir.resolve("policy.onnx"));
        LOG.info("finetune: exported policy version {} ({} demonstrations) to {}", version, supervision.demonstrations(), versioned);
        return versioned;
    }

    public int version() {
        return version;
    }

    public long operatorSteps() {
        return operatorSteps;
    }

    public long steps() {
        return steps;
    }

    @Override
    public void close() throws IOException {
        log.close();
        runner.close();
    }
}
