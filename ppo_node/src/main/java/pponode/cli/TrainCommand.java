package pponode.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.env.EnvRegistry;
import pponode.ppo.PPOConfig;
import pponode.ppo.Presets;
import pponode.runner.EvalResult;
import pponode.runner.OnPolicyRunner;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a policy with PPO. Uses the shipped preset for the environment, then --config, then --set.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = {"--task", "--env"}, defaultValue = "reacher_2dof",
            description = "Robot task (urdf/tasks/<name>.yaml or a task YAML path) or environment id (default: ${DEFAULT-VALUE}). "
                    + "Tasks: reacher_2dof, cartpole_balance, arm_6dof_reach; environments: CartPole-v1, Pendulum-v1.")
    String env;

    @Option(names = "--config", description = "YAML file of config keys applied over the preset.")
    Path config;

    @Option(names = "--set", description = "Override one config key, e.g. --set lr_actor=1e-3 (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--steps", description = "total_timesteps.")
    Long steps;

    @Option(names = "--seed", description = "Random seed.")
    Long seed;

    @Option(names = "--out", description = "log_dir: runs go to <out>/<experiment_name>.")
    Path out;

    @Option(names = "--name", description = "experiment_name.")
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

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        List<String> overrides = new ArrayList<>(set);
        if (steps != null) overrides.add("total_timesteps=" + steps);
        if (seed != null) overrides.add("seed=" + seed);
        if (out != null) overrides.add("log_dir=" + out);
        if (name != null) overrides.add("experiment_name=" + name);
        if (device != null) overrides.add("device=" + device);
        OnPolicyRunner runner;
        PPOConfig cfg;
        java.util.function.LongFunction<pponode.env.Env> factory;
        if (resume == null) {
            cfg = new PPOConfig();
            cfg.envId = env;
            if (!noPreset) Presets.apply(cfg, env);
            if (config != null) cfg.applyYaml(config);
            cfg.apply(overrides);
            if (!EnvRegistry.contains(cfg.envId)) throw new IllegalArgumentException("unknown environment '" + cfg.envId + "'; known: " + EnvRegistry.ids());
            cfg.validate();
            Path runDir = Path.of(cfg.logDir, cfg.experimentName);
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve("config.yaml"), cfg.toYaml());
            factory = envFactory(cfg);
            runner = new OnPolicyRunner(cfg, factory, runDir);
            if (initFrom != null) {
                try (pponode.runner.Policy init = initFrom.toString().endsWith(".onnx")
                        ? pponode.onnx.OnnxImporter.read(initFrom, ai.djl.Device.cpu()) : pponode.runner.Policy.load(initFrom, ai.djl.Device.cpu())) {
                    runner.initFrom(init);
                }
            }
        } else {
            runner = resumeRunner(overrides);
            cfg = runner.cfg;
            factory = envFactory(cfg);
        }
        Path runDir = Path.of(cfg.logDir, cfg.experimentName);
        try (runner) {
            try (ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("train " + cfg.envId)
                    .setInitialMax(runner.totalUpdates * (long) cfg.rolloutSteps * cfg.numEnvs).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250).build()) {
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
            if (pponode.onnx.OnnxExporter.supported(cfg.backbone)) {
                onnx = runDir.resolve("policy.onnx");
                pponode.onnx.OnnxExporter.write(policy, pponode.onnx.Deployment.metadata(cfg.envId), onnx);
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
        }
        return 0;
    }

    private OnPolicyRunner resumeRunner(List<String> overrides) throws java.io.IOException {
        var ck = pponode.runner.Checkpoint.read(resume);
        @SuppressWarnings("unchecked")
        String id = String.valueOf(((Map<String, Object>) ck.meta.get("config")).get("env_id"));
        List<String> o = new ArrayList<>(overrides);
        PPOConfig tmp = new PPOConfig();
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) ck.meta.get("config");
        tmp.set("log_dir", saved.get("log_dir"));
        tmp.set("experiment_name", saved.get("experiment_name"));
        tmp.apply(o.stream().filter(a -> a.startsWith("log_dir=") || a.startsWith("experiment_name=")).toList());
        PPOConfig forEnv = new PPOConfig();
        forEnv.envId = id;
        forEnv.numEnvs = 1;
        return OnPolicyRunner.resume(resume, o, envFactory(forEnv), Path.of(tmp.logDir, tmp.experimentName));
    }

    /** Environments for {@code cfg.envId}: the embedded simulator, a robot over ROS 2 (--ros) or a Gazebo world (--sim gazebo). */
    private java.util.function.LongFunction<pponode.env.Env> envFactory(PPOConfig cfg) {
        String id = cfg.envId;
        if (!sim.equals("embedded") && !sim.equals("gazebo")) throw new IllegalArgumentException("--sim must be 'embedded' or 'gazebo', got '" + sim + "'");
        if (ros && sim.equals("gazebo")) throw new IllegalArgumentException("--ros and --sim gazebo exclude each other: pick one way to reach the robot");
        pponode.env.GazeboSettings gs = new pponode.env.GazeboSettings().apply(gazebo); // checked always, used with --sim gazebo (the launch file passes them always)
        if (ros) {
            pponode.env.RobotTask task = EnvRegistry.task(id);
            if (task == null) throw new IllegalArgumentException("--ros needs a robot task, not '" + id + "'");
            if (cfg.numEnvs != 1) throw new IllegalArgumentException("'num_envs' must be 1 with --ros: one robot is stepped over ROS 2 (got " + cfg.numEnvs + ")");
            pponode.ros.RosParams rp = new pponode.ros.RosParams();
            rp.nodeName = "ppo_node_train";
            rp.task = id;
            try {
                if (rosParamsFile != null) rp.load(rosParamsFile, "ppo_node_train");
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            rp.apply(rosParams);
            return s -> new pponode.ros.RosEnv(rp, task);
        }
        if (sim.equals("gazebo")) {
            pponode.env.RobotTask task = EnvRegistry.task(id);
            if (task == null) throw new IllegalArgumentException("--sim gazebo needs a robot task (urdf/tasks/*.yaml), not '" + id + "'");
            if (cfg.numEnvs != 1) throw new IllegalArgumentException("'num_envs' must be 1 with --sim gazebo: one world is stepped in lockstep (got " + cfg.numEnvs + ")");
            return s -> new pponode.env.GazeboEnv(task, gs, s);
        }
        return s -> EnvRegistry.make(id, s);
    }
}
