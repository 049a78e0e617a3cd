package pponode.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.benchmark.RosBench;
import pponode.benchmark.GazeboBench;
import pponode.benchmark.SimBench;
import pponode.log.Json;
import pponode.config.PPOConfig;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.Space;
import pponode.modules.ActorCritic;
import pponode.modules.Linear;
import pponode.modules.MlpBackbone;
import pponode.modules.host.Kernels;
import pponode.onnx.OnnxPolicy;
import pponode.runner.EvalResult;
import pponode.runner.OnPolicyRunner;

/**
 * End-to-end training throughput (env + inference + update) with CleanRL's default settings, so
 * the figure compares with CleanRL's ppo.py / ppo_continuous_action.py on the same machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training steps/s end to end with CleanRL-default settings, plus the env alone.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--env", defaultValue = "CartPole-v1", description = "Training throughput on CartPole-v1 or Pendulum-v1 (default: ${DEFAULT-VALUE}).")
    String env;

    @Option(names = "--task", description = "A robot task instead: physics and env steps/s, scaling over cores, MuJoCo beside it, and training end to end with its shares.")
    String task;

    @Option(names = "--policy", description = "Batch-1 latency of an ONNX policy instead, with ONNX Runtime's Java API and with DJL's ONNX Runtime engine.")
    Path policy;

    @Option(names = "--ros", description = "joint_states → command latency through DDS on loopback (with --rate, --seconds; --policy optional).")
    boolean ros;

    @Option(names = "--gazebo", description = "Lockstep step latency through the Gazebo bridge against a DART world of the task's robot (as gazebo-world starts it), next to the C++ library's own round trip (with --lockstep-steps).")
    boolean gazebo;

    @Option(names = "--worlds", description = "With --gazebo: env steps/s of one world against this many stepped at once (as train --sim gazebo steps them), instead of the latency.")
    Integer worlds;

    @Option(names = "--lockstep-steps", defaultValue = "10000", description = "Steps timed with --gazebo (after 5000 untimed) (default: ${DEFAULT-VALUE}).")
    int lockstepSteps;

    @Option(names = "--thread-priority", defaultValue = "50",
            description = "SCHED_FIFO priority of the DDS and control threads for --ros, as the deploy node's thread_priority (0: ordinary scheduling; default: ${DEFAULT-VALUE}).")
    int threadPriority;

    @Option(names = "--rate", defaultValue = "500", description = "Joint-state rate for --ros in Hz (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--calls", defaultValue = "200000", description = "Calls measured with --policy (default: ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--seconds", description = "Measuring time: per simulator figure (default 3) or of --ros (default 60).")
    void seconds(double s) {
        seconds = s;
        secondsGiven = true;
    }

    double seconds = 3;
    boolean secondsGiven;

    @Option(names = "--steps", description = "Environment steps to train (default: 100000 CartPole, 50000 Pendulum; 20480 with --task).")
    Long steps;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--set", description = "Override a config key (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    /** CleanRL's defaults: ppo.py for discrete, ppo_continuous_action.py for continuous. */
    static PPOConfig cleanRlDefaults(String envId, Space actionSpace) {
        PPOConfig c = new PPOConfig();
        c.envId = envId;
        c.hiddenSizes = new int[] {64, 64};
        c.activation = "tanh";
        c.gamma = 0.99;
        c.gaeLambda = 0.95;
        c.clipEpsilon = 0.2;
        c.clipEpsilonSchedule = "constant";
        c.valueClipEpsilon = 0.2;
        c.valueCoef = 0.5;
        c.maxGradNorm = 0.5;
        c.targetKl = null;
        c.lrSchedule = "linear";
        c.entropyCoefSchedule = "constant";
        c.adamEps = 1e-5;
        // CleanRL runs on one thread; so does the learner here unless --set learner_threads=0 (auto) asks for more.
        c.learnerThreads = 1;
        if (actionSpace instanceof Space.Discrete) {
            c.actionSpaceType = "discrete";
            c.numEnvs = 4;
            c.rolloutSteps = 128;
            c.nEpochs = 4;
            c.minibatchSize = 128; // 4 minibatches
            c.lrActor = c.lrCritic = 2.5e-4;
            c.entropyCoef = 0.01;
            c.normaliseObs = false;
            c.normaliseRewards = false;
        } else {
            c.actionSpaceType = "continuous";
            c.numEnvs = 1;
            c.rolloutSteps = 2048;
            c.nEpochs = 10;
            c.minibatchSize = 64; // 32 minibatches
            c.lrActor = c.lrCritic = 3e-4;
            c.entropyCoef = 0.0;
            c.logStdInit = 0.0;
            c.normaliseObs = true;
            c.normaliseRewards = true;
        }
        c.logDir = System.getProperty("java.io.tmpdir");
        return c;
    }

    @Override
    public Integer call() throws Exception {
        if (ros) {
            Map<String, Object> j = RosBench.run(policy, task != null ? task : "reacher_2dof", rate, secondsGiven ? seconds : 60, threadPriority);
            if (json) System.out.println(Json.line(j));
            return 0;
        }
        if (gazebo) {
            String t = task != null ? task : "quadruped_forward";
            Map<String, Object> j = worlds != null ? GazeboBench.throughput(t, worlds, lockstepSteps) : GazeboBench.run(t, lockstepSteps);
            if (json) System.out.println(Json.line(j));
            return 0;
        }
        if (policy != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("policy", policy.toString());
            j.put("calls", calls);
            for (OnnxPolicy.Runtime r : OnnxPolicy.Runtime.values()) j.put(r.name().toLowerCase(Locale.ROOT), policyLatency(policy, r, calls));
            if (json) System.out.println(Json.line(j));
            return 0;
        }
        if (task != null) {
            Map<String, Object> j = SimBench.run(task, seconds, steps != null ? steps : 20_480);
            if (json) System.out.println(Json.line(j));
            return 0;
        }
        Space as;
        try (Env probe = EnvRegistry.make(env, seed)) {
            as = probe.actionSpace();
        }
        PPOConfig cfg = cleanRlDefaults(env, as);
        cfg.seed = seed;
        cfg.totalTimesteps = steps != null ? steps : (as instanceof Space.Discrete ? 100_000 : 50_000);
        cfg.apply(set);
        cfg.validate();
        double envSps = envOnlySps(env, seed, 200_000);
        long t0;
        Map<String, Object> j = new LinkedHashMap<>();
        try (OnPolicyRunner runner = new OnPolicyRunner(cfg, s -> EnvRegistry.make(env, s), null)) {
            runner.runUpdates(1, null); // warm-up: JIT and engine start are not what we measure
            long warm = runner.globalStep();
            double[] rollout = {0}, upd = {0};
            t0 = System.nanoTime();
            runner.learn((u, total, step, st) -> {
                rollout[0] += st.get("charts/rollout_time");
                upd[0] += st.get("charts/update_time");
            });
            double wall = (System.nanoTime() - t0) / 1e9;
            long measured = runner.globalStep() - warm;
            EvalResult ev = runner.evaluate(10, seed + 10_000);
            double sps = measured / wall;
            System.err.printf("%s, CleanRL defaults (%d envs x %d steps, %d epochs, %d minibatches, 64x64 tanh MLP):%n", env, cfg.numEnvs, cfg.rolloutSteps,
                    cfg.nEpochs, cfg.numMinibatches());
            System.err.printf("  end to end : %,.0f steps/s over %,d steps (%.2f s)%n", sps, measured, wall);
            System.err.printf("  rollout    : %,.0f steps/s (env + policy inference)%n", measured / rollout[0]);
            double minibatchMs = 1e3 * upd[0] / ((runner.totalUpdates - 1) * (double) cfg.nEpochs * cfg.numMinibatches());
            System.err.printf("  learner    : %s%n", runner.ppo.backendName());
            System.err.printf("  update     : %.2f ms per update, %.3f ms per minibatch step%n", 1e3 * upd[0] / (runner.totalUpdates - 1), minibatchMs);
            double mflop = minibatchFlops(runner.net, cfg.minibatchSize) / 1e6, gflops = gemmGflops(cfg.minibatchSize, cfg.hiddenSizes[0]);
            System.err.printf("  arithmetic : %.2f MFLOP per minibatch step (forward + backward); %.3f ms at %.1f GFLOP/s, the host kernels' %dx%dx%d gemm now%n",
                    mflop, mflop / gflops, gflops, cfg.minibatchSize, cfg.hiddenSizes[0], cfg.hiddenSizes[0]);
            j.put("learner", runner.ppo.backendName());
            j.put("minibatch_ms", Json.round(minibatchMs, 4));
            j.put("minibatch_mflop", Json.round(mflop, 3));
            j.put("minibatch_ms_at_gemm_rate", Json.round(mflop / gflops, 4));
            System.err.printf("  env alone  : %,.0f steps/s%n", envSps);
            System.err.printf("  deterministic eval after %,d steps: %.2f ± %.2f%n", runner.globalStep(), ev.mean(), ev.std());
            j.put("env", env);
            j.put("steps", runner.globalStep());
            j.put("sps", Json.round(sps, 1));
            j.put("rollout_sps", Json.round(measured / rollout[0], 1));
            j.put("update_ms", Json.round(1e3 * upd[0] / (runner.totalUpdates - 1), 3));
            j.put("env_only_sps", Json.round(envSps, 1));
            j.put("eval_mean_return", Json.round(ev.mean(), 3));
            j.put("eval_std_return", Json.round(ev.std(), 3));
            j.put("wall_s", Json.round(wall, 2));
        }
        if (json) System.out.println(Json.line(j));
        return 0;
    }

    /** Batch-1 latency percentiles (µs) through {@code runtime} over {@code calls} calls after a warm-up of 20,000. */
    static Map<String, Object> policyLatency(Path file, OnnxPolicy.Runtime runtime, int calls) throws IOException {
        try (OnnxPolicy p = OnnxPolicy.load(file, runtime)) {
            float[][] obs = new float[1024][p.observationSize()];
            SplittableRandom r = new SplittableRandom(7);
            for (float[] o : obs) for (int i = 0; i < o.length; i++) o[i] = (float) (r.nextDouble() * 2 - 1);
            float[] out = new float[p.actionSize()];
            for (int k = 0; k < 20_000; k++) p.act(obs[k & 1023], out);
            Histogram h = new Histogram(3_600_000_000L, 3);
            for (int k = 0; k < calls; k++) {
                long t0 = System.nanoTime();
                p.act(obs[k & 1023], out);
                h.recordValue(System.nanoTime() - t0);
            }
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("p50_us", Json.round(h.getValueAtPercentile(50) / 1e3, 2));
            j.put("p90_us", Json.round(h.getValueAtPercentile(90) / 1e3, 2));
            j.put("p99_us", Json.round(h.getValueAtPercentile(99) / 1e3, 2));
            j.put("p999_us", Json.round(h.getValueAtPercentile(99.9) / 1e3, 2));
            j.put("max_us", Json.round(h.getMaxValue() / 1e3, 2));
            System.err.printf("%s: %,d batch-1 calls (%s, 1 thread): p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs%n", file,
                    calls, runtime == OnnxPolicy.Runtime.DJL ? "DJL's ONNX Runtime engine" : "ONNX Runtime", h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
            return j;
        }
    }

    /**
     * Floating-point operations of one minibatch step of an MLP actor-critic: 2 per multiply-add
     * forward, as many for the weight gradients and for the input gradients (none into the
     * observation); 0 for other backbones.
     */
    static double minibatchFlops(ActorCritic net, int rows) {
        if (!(net.actorBody instanceof MlpBackbone a)) return 0;
        double macs = 0, firstLayers = 0;
        List<MlpBackbone> bodies = new ArrayList<>(List.of(a));
        if (net.criticBody instanceof MlpBackbone c) bodies.add(c);
        for (MlpBackbone b : bodies) {
            Linear[] layers = b.layers();
            for (Linear l : layers) macs += (double) l.in * l.out;
            firstLayers += (double) layers[0].in * layers[0].out;
        }
        macs += (double) net.actorHead.in * net.actorHead.out + (double) net.valueHead.in * net.valueHead.out;
        return rows * (6 * macs - 2 * firstLayers);
    }

    /** The host kernels' gemm throughput on a rows × width × width product, best of ten 20 ms runs. */
    static double gemmGflops(int rows, int width) {
        Kernels k = Kernels.best();
        float[] a = new float[rows * width], b = new float[width * width], c = new float[rows * width];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble();
        double best = 0;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime(), calls = 0;
            while (System.nanoTime() - t0 < 20_000_000L) {
                k.gemm(a, b, null, c, rows, width, width);
                calls++;
            }
            best = Math.max(best, 2.0 * rows * width * width * calls / (System.nanoTime() - t0));
        }
        return best;
    }

    static double envOnlySps(String id, long seed, int n) {
        try (Env e = EnvRegistry.make(id, seed)) {
            float[] a = e.actionSpace() instanceof Space.Discrete ? new float[] {1} : new float[e.actionSpace().flatDim()];
            e.reset(seed);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (e.actionSpace() instanceof Space.Discrete) a[0] = i & 1;
                if (e.step(a).done()) e.reset(null);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
