package pponode.cli;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import pponode.log.Json;
import pponode.log.MetricsLog;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Backends;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.onnx.OnnxImporter;
import pponode.runner.Checkpoint;
import pponode.runner.EvalResult;
import pponode.runner.OnPolicyRunner;
import pponode.runner.Policy;
import pponode.runner.RunDirectory;
import pponode.runner.RunState;
import pponode.state.StateDict;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a policy with PPO. Uses the shipped preset for the environment, then --config, then --set.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = {"--task", "--env"}, defaultValue = "reacher_2dof",
            description = "Robot task (urdf/tasks/<name>.yaml or a task YAML path) or environment id (default: ${DEFAULT-VALUE}). "
                    + "Tasks: the files in urdf/tasks/ (${sys:ppo_node.shipped_tasks}); environments: CartPole-v1, Pendulum-v1.")
    String env;

    @Option(names = "--config", description = "YAML file of config keys applied over the preset.")
    Path config;

    @Option(names = "--set", description = "Override one config key, e.g. --set lr_actor=1e-3 (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--steps", description = "total_timesteps.")
    Long steps;

    @Option(names = "--seed", description = "Random seed.")
    Long seed;

    @Option(names = "--out", description = "log_dir: runs go to <out>/<experiment_name> (default ./ppo_logs).")
    Path out;

    @Option(names = "--name", description = "experiment_name (default ppo_run, then ppo_run_2, ...: a new run never reuses a directory). "
            + "A named run that exists is refused: --resume continues it, --overwrite replaces it.")
    String name;

    @Option(names = "--device", description = "auto, cpu, cuda or cuda:N.")
    String device;

    @Option(names = "--resume", description = "Continue the run saved in this checkpoint.")
    Path resume;

    @Option(names = "--ros", description = "Step the robot over ROS 2 topics (a real robot, `ppo-node sim`, or any simulator serving the reset topic) instead of the embedded simulator.")
    boolean ros;

    @Option(names = "--ros-params-file", description = "ROS 2 parameter file for --ros (node section 'ppo_node_train').")
    Path rosParamsFile;

    @Option(names = "--ros-param", description = "Node parameter for --ros, e.g. --ros-param domain_id=7 (repeatable).")
    List<String> rosParams = new ArrayList<>();

    @Option(names = "--sim", defaultValue = "embedded",
            description = "Backend for robot tasks: embedded (default, any machine), gazebo (Gazebo worlds over Gazebo Transport, stepped in lockstep; see --gazebo) or ros (a robot over ROS 2, as --ros).")
    String sim;

    @Option(names = "--gazebo", description = "Gazebo setting, used with --sim gazebo, e.g. --gazebo partition=P --gazebo world=my_world (repeatable; docs/GAZEBO.md).")
    List<String> gazebo = new ArrayList<>();

    @Option(names = "--init-from", description = "Start from the weights and observation statistics of a policy (.onnx, policy or checkpoint file): fine-tuning.")
    Path initFrom;

    @Option(names = "--no-preset", description = "Start from the reference defaults instead of the environment's preset.")
    boolean noPreset;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Option(names = "--overwrite", description = "Replace the run already in <out>/<name> (its checkpoints, policies and logs are deleted).")
    boolean overwrite;

    @Option(names = "--accept-task-change", description = "With --resume: go on although the task file changed since the checkpoint "
            + "(the changed settings are named, logged and recorded in the run's checkpoints).")
    boolean acceptTaskChange;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        List<String> overrides = new ArrayList<>(set);
        if (steps != null) overrides.add("total_timesteps=" + steps);
        if (seed != null) overrides.add("seed=" + seed);
        if (out != null) overrides.add("log_dir=" + out);
        if (name != null) overrides.add("experiment_name=" + name);
        if (device != null) overrides.add("device=" + device);
        if (resume != null && overwrite) throw new IllegalArgumentException("--resume continues a run and --overwrite replaces one: pick one");
        if (resume == null && acceptTaskChange) throw new IllegalArgumentException("--accept-task-change applies to --resume (a new run takes the task file as it is)");
        OnPolicyRunner runner;
        PPOConfig cfg;
        LongFunction<Env> factory;
        RunDirectory runDir;
        if (resume == null) {
            cfg = new PPOConfig();
            cfg.envId = env;
            if (!noPreset) Presets.apply(cfg, env);
            if (config != null) cfg.applyYaml(config);
            cfg.apply(overrides);
            if (!EnvRegistry.contains(cfg.envId)) throw new IllegalArgumentException(EnvRegistry.unknown(cfg.envId));
            cfg.validate();
            // a name the user chose (--name, --set or --config) is theirs: never silently renamed
            boolean nameGiven = name != null || !cfg.experimentName.equals(new PPOConfig().experimentName);
            if (initFrom != null && !Files.isRegularFile(initFrom)) throw new IllegalArgumentException("--init-from " + initFrom + ": no such file");
            factory = envFactory(cfg); // checks --sim, --ros and --gazebo before anything is written
            runDir = RunDirectory.open(Path.of(cfg.logDir), cfg.experimentName, nameGiven, overwrite ? RunDirectory.Mode.OVERWRITE : RunDirectory.Mode.NEW);
            try {
                runner = new OnPolicyRunner(cfg, factory, runDir.path());
                Files.writeString(runDir.path().resolve("config.yaml"), cfg.toYaml());
                if (initFrom != null) {
                    try (Policy init = initFrom.toString().endsWith(".onnx") ? OnnxImporter.read(initFrom, Device.cpu()) : Policy.load(initFrom, Device.cpu())) {
                        runner.initFrom(init);
                    }
                }
            } catch (Exception | Error e) {
                runDir.abandon();
                throw e;
            }
        } else {
            if (initFrom != null || noPreset) {
                throw new IllegalArgumentException("--resume continues a run with its own weights and settings: --init-from and --no-preset do not apply "
                        + "(start a new run to use them)");
            }
            StateDict ck = Checkpoint.read(resume);
            if (!ck.has("update")) throw new IOException(resume + " is a policy-only file, not a training checkpoint; it cannot be resumed");
            PPOConfig saved = RunState.config(ck);
            overrides.addAll(0, resumeConfigOverrides(saved));
            checkTask(ck, saved);
            runDir = resumeDirectory(ck, saved, overrides);
            try {
                PPOConfig forEnv = new PPOConfig();
                forEnv.envId = saved.envId;
                forEnv.numEnvs = 1;
                runner = OnPolicyRunner.resume(resume, overrides, envFactory(forEnv), runDir.path(), acceptTaskChange);
            } catch (Exception | Error e) {
                runDir.close();
                throw e;
            }
            cfg = runner.cfg;
            factory = envFactory(cfg);
        }
        try (runDir; runner) {
            return trainAndExport(runner, cfg, factory, runDir.path(), t0);
        }
    }

    /**
     * A resumed run keeps the task and the config in its checkpoint: a --task or --config that
     * differs is an error naming the difference; a --config that only changes keys a resume may
     * change (total_timesteps, ...) becomes overrides.
     */
    private List<String> resumeConfigOverrides(PPOConfig saved) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--task") && !env.equals(saved.envId)) {
            throw new IllegalArgumentException("--resume " + resume + " continues a run of '" + saved.envId + "', not --task '" + env
                    + "'; drop --task, or start a new run without --resume");
        }
        if (config == null) return List.of();
        Map<String, Object> before = saved.toMap();
        Map<String, Object> after = saved.copy().applyYaml(config).toMap();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, Object> e : after.entrySet()) {
            Object was = before.get(e.getKey());
            if (Objects.equals(was, e.getValue())) continue;
            if (!OnPolicyRunner.RESUME_OVERRIDABLE.contains(e.getKey())) {
                throw new IllegalArgumentException("--resume " + resume + ": '" + e.getKey() + "' is " + was + " in the checkpoint but " + e.getValue() + " in "
                        + config + "; a resumed run keeps its config (start a new run to change it)");
            }
            changed.add(e.getKey() + "=" + (e.getValue() instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : e.getValue()));
        }
        return changed;
    }

    /** A task file edited since the checkpoint is refused, naming the settings that differ, unless --accept-task-change. */
    private void checkTask(StateDict ck, PPOConfig saved) {
        if (acceptTaskChange && !EnvRegistry.contains(saved.envId)) throw new IllegalArgumentException(EnvRegistry.unknown(saved.envId));
        RobotTask task = EnvRegistry.task(saved.envId);
        if (task == null) return;
        List<String> changes = RunState.taskChanges(ck, task.definition());
        if (!changes.isEmpty() && !acceptTaskChange) throw new IllegalArgumentException(OnPolicyRunner.taskChangedMessage(resume, changes));
    }

    /**
     * Where a resumed run writes. Its own directory when the checkpoint is the newest state of that
     * run (a run killed after it, or one extended past its end). A checkpoint that the run went on
     * past starts a branch, {@code <name>_from_step<N>} (then _2, ...): the finished history stays
     * whole. A --out or --name pointing elsewhere is a new run there (an existing one is refused).
     * A branch or a new directory starts with the log up to the checkpoint, so its curve is whole.
     */
    private RunDirectory resumeDirectory(StateDict ck, PPOConfig saved, List<String> overrides) throws IOException {
        PPOConfig target = saved.copy().apply(overrides.stream()
                .filter(a -> a.startsWith("log_dir=") || a.startsWith("experiment_name=") || a.startsWith("total_timesteps=")).toList());
        long step = ck.integer("global_step");
        long batch = (long) saved.rolloutSteps * saved.numEnvs;
        if (target.totalTimesteps / batch <= ck.integer("update")) {
            throw new IllegalArgumentException("--resume " + resume + ": the checkpoint is at step " + step + " and total_timesteps is " + target.totalTimesteps
                    + ", so nothing is left to train; raise it with --steps (more than " + step + ")");
        }
        Path own = Path.of(saved.logDir).resolve(saved.experimentName);
        Path out = Path.of(target.logDir);
        RunDirectory dir;
        if (!out.resolve(target.experimentName).toAbsolutePath().normalize().equals(own.toAbsolutePath().normalize())) {
            dir = RunDirectory.open(out, target.experimentName, true, RunDirectory.Mode.NEW);
        } else {
            long newest = RunDirectory.newestCheckpointStep(own);
            if (newest <= step) return RunDirectory.open(out, target.experimentName, true, RunDirectory.Mode.CONTINUE);
            dir = RunDirectory.open(out, target.experimentName + "_from_step" + step, false, RunDirectory.Mode.NEW);
            System.err.println("--resume: " + own + " went on to step " + newest + " after this checkpoint (step " + step + "); it stays as it is, "
                    + "and this branch writes to " + dir.path());
        }
        try {
            for (String name : List.of("training_log.csv", MetricsLog.EPISODES)) { // cut back to the checkpoint's step when opened
                Path log = own.resolve(name);
                if (Files.isRegularFile(log)) Files.copy(log, dir.path().resolve(name));
            }
        } catch (IOException e) {
            dir.close();
            throw e;
        }
        return dir;
    }

    private int trainAndExport(OnPolicyRunner runner, PPOConfig cfg, LongFunction<Env> factory, Path runDir, long t0) throws Exception {
        try (ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("train " + cfg.envId)
                .setInitialMax(runner.totalUpdates * (long) cfg.rolloutSteps * cfg.numEnvs).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250).build()) {
            if (bar != null) bar.stepTo(runner.globalStep());
            try (StopSignals signals = StopSignals.install(() -> {
                System.err.println("\nstopping: the update in progress ends, then a checkpoint and the policy are saved (signal again to stop at once without them)");
                runner.requestStop();
            })) {
                runner.learn((u, total, step, stats) -> {
                    if (bar != null) {
                        bar.stepTo(step);
                        bar.setExtraMessage(String.format(" return %.1f", stats.get("charts/mean_reward")));
                    }
                });
            }
        }
        if (runner.stopped()) return saveInterrupted(runner, cfg, runDir, t0);
        Path finalCkpt = runDir.resolve("checkpoint_final.ckpt");
        runner.saveCheckpoint(finalCkpt);
        Exported files = export(runner, cfg, runDir);
        Path policyFile = files.policy(), onnx = files.onnx();
        Policy policy = runner.policy();
        // evaluated in the simulator it trained in (a robot trained over ROS 2 is evaluated in the embedded simulator)
        EvalResult ev = policy.evaluate(ros ? s -> EnvRegistry.make(cfg.envId, s) : factory, cfg.evalEpisodes, cfg.seed + 10_000);
        Map<String, Double> evm = new LinkedHashMap<>();
        evm.put("eval/mean_reward", ev.mean());
        evm.put("eval/std_reward", ev.std());
        evm.put("eval/mean_length", ev.meanLength());
        if (runner.log() != null) runner.log().log(runner.globalStep(), evm);
        Path png = runner.log() != null ? runner.log().writeCurve(cfg.envId + " — PPO seed " + cfg.seed) : null;
        double wall = (System.nanoTime() - t0) / 1e9;
        System.err.printf("%s: %d steps in %.1f s; deterministic eval over %d episodes: return %.2f ± %.2f, %d ended by a termination (fall)%s%n", cfg.envId,
                runner.globalStep(), wall, cfg.evalEpisodes, ev.mean(), ev.std(), ev.falls(), taskMetrics(ev));
        System.err.printf("checkpoint: %s%npolicy:     %s%nonnx:       %s%ncurve:      %s%n", finalCkpt, policyFile,
                onnx != null ? onnx : "(not exported: ONNX export covers MLP, Transformer and recurrent policies)", png);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("env", cfg.envId);
            j.put("seed", cfg.seed);
            j.put("steps", runner.globalStep());
            j.put("sps", Json.round(runner.globalStep() / wall, 1));
            j.put("eval_mean_return", Json.round(ev.mean(), 3));
            j.put("eval_std_return", Json.round(ev.std(), 3));
            j.put("falls", ev.falls());
            ev.metrics().forEach((k, v) -> j.put("eval_" + k, Json.round(v, 5)));
            j.put("wall_s", Json.round(wall, 2));
            j.put("checkpoint", finalCkpt.toString());
            j.put("policy", policyFile.toString());
            if (onnx != null) j.put("onnx", onnx.toString());
            System.out.println(Json.line(j));
        }
        return 0;
    }

    /** The task's own measures of an evaluation, for the summary line: the fingertip's distance, the velocity tracked. */
    private static String taskMetrics(EvalResult ev) {
        StringBuilder b = new StringBuilder();
        Map<String, Double> m = ev.metrics();
        if (m.containsKey("final_distance")) b.append(String.format("; final distance to the target %.2f cm", 100 * m.get("final_distance")));
        if (m.containsKey("mean_vx")) {
            b.append(String.format("; mean v_x %.3f m/s (velocity error %.3f m/s), yaw rate %.3f rad/s (error %.3f)", m.get("mean_vx"),
                    m.get("mean_velocity_error"), m.get("mean_yaw_rate"), m.get("mean_yaw_rate_error")));
        }
        return b.toString();
    }

    /** A run stopped by a signal: its state at the last whole update as a checkpoint, and the policy exported; no evaluation. */
    private int saveInterrupted(OnPolicyRunner runner, PPOConfig cfg, Path runDir, long t0) throws IOException {
        Path ckpt = runDir.resolve("checkpoint_step" + runner.globalStep() + ".ckpt");
        if (!Files.exists(ckpt)) runner.saveCheckpoint(ckpt); // an existing one (save_interval) holds this very state
        Exported files = export(runner, cfg, runDir);
        double wall = (System.nanoTime() - t0) / 1e9;
        System.err.printf("%s: stopped at step %d of %d after %.1f s; saved%ncheckpoint: %s%npolicy:     %s%nonnx:       %s%n"
                        + "continue with: ppo-node train --resume %s%n", cfg.envId, runner.globalStep(), cfg.totalTimesteps, wall, ckpt, files.policy(),
                files.onnx() != null ? files.onnx() : "(not exported)", ckpt);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("env", cfg.envId);
            j.put("seed", cfg.seed);
            j.put("steps", runner.globalStep());
            j.put("interrupted", true);
            j.put("wall_s", Json.round(wall, 2));
            j.put("checkpoint", ckpt.toString());
            j.put("policy", files.policy().toString());
            if (files.onnx() != null) j.put("onnx", files.onnx().toString());
            System.out.println(Json.line(j));
        }
        return 0;
    }

    /** The policy files of a run: weights and normaliser, and the ONNX export where the backbone has one (else null). */
    private record Exported(Path policy, Path onnx) {}

    private static Exported export(OnPolicyRunner runner, PPOConfig cfg, Path runDir) throws IOException {
        Path policyFile = runDir.resolve("policy.ckpt");
        Policy policy = runner.policy();
        policy.save(policyFile);
        Path onnx = null;
        if (OnnxExporter.supported(cfg.backbone)) {
            onnx = runDir.resolve("policy.onnx");
            OnnxExporter.write(policy, Deployment.metadata(cfg.envId), onnx);
        }
        return new Exported(policyFile, onnx);
    }

    /**
     * Environments for {@code cfg.envId}: a classic environment by name, or the robot task in the
     * backend {@code --sim} names (--ros: the ros backend), built from its own settings.
     */
    private LongFunction<Env> envFactory(PPOConfig cfg) {
        String id = cfg.envId;
        String backend = ros ? "ros" : sim;
        if (ros && !sim.equals(Backends.EMBEDDED)) throw new IllegalArgumentException("--ros and --sim " + sim + " exclude each other: pick one way to reach the robot");
        Backends.Backend b = Backends.named("--sim", backend);
        Map<String, List<String>> settings = Map.of("gazebo", gazebo, "ros", rosSettings());
        // every backend's settings are checked, whichever runs (the launch file passes them all)
        settings.forEach((name, list) -> {
            if (Backends.names().contains(name)) Backends.named("--sim", name).check(list);
        });
        RobotTask task = EnvRegistry.task(id);
        if (task == null) {
            if (!backend.equals(Backends.EMBEDDED)) throw new IllegalArgumentException("--sim " + backend + " needs a robot task (urdf/tasks/*.yaml), not '" + id + "'");
            return s -> EnvRegistry.make(id, s);
        }
        if (b.remote() && cfg.numEnvs > 1 && set.stream().noneMatch(kv -> kv.startsWith("vec_env="))) {
            // each step waits on the network, not on this machine's cores: all N requests go out at once
            cfg.vecEnv = "threaded";
            cfg.vecEnvWorkers = cfg.numEnvs;
        }
        return b.environments(task, settings.getOrDefault(backend, List.of()), new Backends.Batch(cfg.numEnvs, cfg.seed));
    }

    /** The ros backend's settings: the node's name, its parameter file, then --ros-param. */
    private List<String> rosSettings() {
        List<String> out = new ArrayList<>(List.of("node_name=ppo_node_train"));
        if (rosParamsFile != null) out.add("params_file=" + rosParamsFile);
        out.addAll(rosParams);
        return out;
    }
}
