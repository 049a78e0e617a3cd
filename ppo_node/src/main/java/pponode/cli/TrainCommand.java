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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.gazebo.GazeboBackend;
import pponode.gazebo.GazeboSettings;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.onnx.OnnxImporter;
import pponode.ros.RosBackend;
import pponode.ros.RosParams;
import pponode.runner.Checkpoint;
import pponode.runner.EvalResult;
import pponode.runner.OnPolicyRunner;
import pponode.runner.Policy;
import pponode.runner.RunDirectory;
import pponode.runner.RunState;

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
            description = "Simulator for robot tasks: embedded (default, any machine) or gazebo (a Gazebo world over Gazebo Transport, stepped in lockstep; see --gazebo).")
    String sim;

    @Option(names = "--gazebo", description = "Gazebo setting, used with --sim gazebo, e.g. --gazebo world=pendulum_world --gazebo model=pendulum (repeatable; docs/GAZEBO.md).")
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
                runDir.close();
                throw e;
            }
        } else {
            PPOConfig saved = RunState.config(Checkpoint.read(resume));
            overrides.addAll(0, resumeConfigOverrides(saved));
            PPOConfig target = saved.copy().apply(overrides.stream().filter(a -> a.startsWith("log_dir=") || a.startsWith("experiment_name=")).toList());
            runDir = RunDirectory.open(Path.of(target.logDir), target.experimentName, true, RunDirectory.Mode.CONTINUE);
            try {
                PPOConfig forEnv = new PPOConfig();
                forEnv.envId = saved.envId;
                forEnv.numEnvs = 1;
                runner = OnPolicyRunner.resume(resume, overrides, envFactory(forEnv), runDir.path());
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

    private int trainAndExport(OnPolicyRunner runner, PPOConfig cfg, LongFunction<Env> factory, Path runDir, long t0) throws Exception {
        try (ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("train " + cfg.envId)
                .setInitialMax(runner.totalUpdates * (long) cfg.rolloutSteps * cfg.numEnvs).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250).build()) {
            if (bar != null) bar.stepTo(runner.globalStep());
            runner.learn((u, total, step, stats) -> {
                if (bar != null) {
                    bar.stepTo(step);
                    bar.setExtraMessage(String.format(" return %.1f", stats.get("charts/mean_reward")));
                }
            });
        }
        Path finalCkpt = runDir.resolve("checkpoint_final.ckpt");
        runner.saveCheckpoint(finalCkpt);
        Path policyFile = runDir.resolve("policy.ckpt");
        var policy = runner.policy();
        policy.save(policyFile);
        Path onnx = null;
        if (OnnxExporter.supported(cfg.backbone)) {
            onnx = runDir.resolve("policy.onnx");
            OnnxExporter.write(policy, Deployment.metadata(cfg.envId), onnx);
        }
        // evaluated in the simulator it trained in (a robot trained over ROS 2 is evaluated in the embedded simulator)
        EvalResult ev = policy.evaluate(ros ? s -> EnvRegistry.make(cfg.envId, s) : factory, cfg.evalEpisodes, cfg.seed + 10_000);
        Map<String, Double> evm = new LinkedHashMap<>();
        evm.put("eval/mean_reward", ev.mean());
        evm.put("eval/std_reward", ev.std());
        evm.put("eval/mean_length", ev.meanLength());
        if (runner.log() != null) runner.log().log(runner.globalStep(), evm);
        Path png = runner.log() != null ? runner.log().writeCurve(cfg.envId + " — PPO seed " + cfg.seed) : null;
        double wall = (System.nanoTime() - t0) / 1e9;
        System.err.printf("%s: %d steps in %.1f s; deterministic eval over %d episodes: %.2f ± %.2f%n", cfg.envId, runner.globalStep(), wall,
                cfg.evalEpisodes, ev.mean(), ev.std());
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
            ev.metrics().forEach((k, v) -> j.put("eval_" + k, Json.round(v, 5)));
            j.put("wall_s", Json.round(wall, 2));
            j.put("checkpoint", finalCkpt.toString());
            j.put("policy", policyFile.toString());
            if (onnx != null) j.put("onnx", onnx.toString());
            System.out.println(Json.line(j));
        }
        return 0;
    }

    /** Environments for {@code cfg.envId}: the embedded simulator, a robot over ROS 2 (--ros) or a Gazebo world (--sim gazebo). */
    private LongFunction<Env> envFactory(PPOConfig cfg) {
        String id = cfg.envId;
        if (!sim.equals("embedded") && !sim.equals("gazebo")) throw new IllegalArgumentException("--sim must be 'embedded' or 'gazebo', got '" + sim + "'");
        if (ros && sim.equals("gazebo")) throw new IllegalArgumentException("--ros and --sim gazebo exclude each other: pick one way to reach the robot");
        GazeboSettings gs = new GazeboSettings().apply(gazebo); // checked always, used with --sim gazebo (the launch file passes them always)
        if (ros) {
            RobotTask task = EnvRegistry.task(id);
            if (task == null) throw new IllegalArgumentException("--ros needs a robot task, not '" + id + "'");
            if (cfg.numEnvs != 1) throw new IllegalArgumentException("'num_envs' must be 1 with --ros: one robot is stepped over ROS 2 (got " + cfg.numEnvs + ")");
            RosParams rp = new RosParams();
            rp.nodeName = "ppo_node_train";
            rp.task = id;
            try {
                if (rosParamsFile != null) rp.load(rosParamsFile, "ppo_node_train");
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            rp.apply(rosParams);
            return s -> RobotEnv.make(task, new RosBackend(rp, task), s);
        }
        if (sim.equals("gazebo")) {
            RobotTask task = EnvRegistry.task(id);
            if (task == null) throw new IllegalArgumentException("--sim gazebo needs a robot task (urdf/tasks/*.yaml), not '" + id + "'");
            if (cfg.numEnvs != 1) throw new IllegalArgumentException("'num_envs' must be 1 with --sim gazebo: one world is stepped in lockstep (got " + cfg.numEnvs + ")");
            return s -> RobotEnv.make(task, new GazeboBackend(task, gs), s);
        }
        return s -> EnvRegistry.make(id, s);
    }
}
