package pponode.cli;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.log.Json;
import pponode.config.PPOConfig;
import pponode.env.Backends;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.OnnxImporter;
import pponode.ros.Ros2;
import pponode.ros.RosNode;
import pponode.ros.RosParams;
import pponode.runner.EvalResult;
import pponode.runner.Policy;
import pponode.runner.RunDirectory;
import pponode.teleop.FineTuner;
import pponode.teleop.MqttOperatorChannel;
import pponode.teleop.RosOperatorChannel;
import pponode.teleop.TeleopConfig;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a policy under operator supervision: PPO on the policy's own steps plus behaviour cloning of the operator's "
                + "takeovers. Operators: a scripted one in the embedded simulator, or a person over MQTT and/or ROS 2.")
final class FinetuneCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--policy", required = true, description = "The .onnx policy to start from.")
        Path onnx;

        @Option(names = "--checkpoint", required = true, description = "A policy or training checkpoint to start from.")
        Path checkpoint;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--task", description = "Robot task (default: the policy's).")
    String task;

    @Option(names = "--operator", defaultValue = "scripted",
            description = "scripted (a simulated operator in the embedded simulator) or remote (commands over MQTT and/or ROS 2; the simulator runs in real time). Default: ${DEFAULT-VALUE}.")
    String operator;

    @Option(names = "--teleop-config", description = "YAML file with a 'teleop:' section (launch/config/finetune.yaml).")
    Path teleopConfig;

    @Option(names = "--teleop", description = "Override one teleop setting, e.g. --teleop broker=tcp://localhost:1883 (repeatable).")
    List<String> teleop = new ArrayList<>();

    @Option(names = "--ros", description = "Run the policy on a robot (or `ppo-node sim`) over ROS 2 instead of the embedded simulator; implies --operator remote.")
    boolean ros;

    @Option(names = "--ros-param", description = "Node parameter for --ros and the ROS 2 operator channel, e.g. --ros-param domain_id=7 (repeatable).")
    List<String> rosParams = new ArrayList<>();

    @Option(names = "--set", description = "Override one learner setting, e.g. --set bc_coef=0.5 (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--steps", defaultValue = "81920", description = "Environment steps of fine-tuning (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "ppo_logs", description = "Runs go to <out>/<name> (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--name", defaultValue = "finetune", description = "Run name (default: ${DEFAULT-VALUE}); an existing run's interventions.log is reused.")
    String name;

    @Option(names = "--export-every", defaultValue = "10", description = "Export a new versioned ONNX policy every N updates (default: ${DEFAULT-VALUE}).")
    int exportEvery;

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        boolean remote = ros || operator.equals("remote");
        if (!operator.equals("scripted") && !operator.equals("remote")) throw new IllegalArgumentException("--operator must be scripted or remote, got '" + operator + "'");
        TeleopConfig tc = teleopConfig != null ? TeleopConfig.load(teleopConfig) : new TeleopConfig();
        tc.apply(teleop);
        if (remote && tc.broker.isEmpty() && tc.rosTopic.isEmpty()) throw new IllegalArgumentException("a remote operator needs teleop.broker and/or teleop.ros_topic");
        Path from = source.onnx != null ? source.onnx : source.checkpoint;
        // a fine-tuning run continues in its directory (its interventions.log is reused), held by this process alone
        try (RunDirectory rd = RunDirectory.open(out, name, true, RunDirectory.Mode.CONTINUE)) {
            return fineTune(rd.path(), from, remote, tc, t0);
        }
    }

    private int fineTune(Path runDir, Path from, boolean remote, TeleopConfig tc, long t0) throws Exception {
        try (Policy init = source.onnx != null ? OnnxImporter.read(from, Device.cpu()) : Policy.load(from, Device.cpu())) {
            PPOConfig cfg = init.cfg.copy();
            if (task != null) cfg.envId = task;
            List<String> o = new ArrayList<>(List.of("total_timesteps=" + steps, "seed=" + seed, "log_dir=" + out, "experiment_name=" + name));
            if (remote) o.add("num_envs=1");
            o.addAll(set);
            cfg.apply(o);
            if (remote && cfg.rolloutSteps * cfg.numEnvs > steps) cfg.apply(List.of("total_timesteps=" + cfg.rolloutSteps));
            cfg.validate();
            RobotTask robotTask = EnvRegistry.task(cfg.envId);
            if (robotTask == null) throw new IllegalArgumentException("fine-tuning needs a robot task; '" + cfg.envId + "' is not one");
            Files.writeString(runDir.resolve("config.yaml"), cfg.toYaml());
            String id = cfg.envId;
            RosParams rp = new RosParams();
            rp.nodeName = "ppo_node_finetune";
            rp.task = id;
            rp.apply(rosParams);
            List<String> rosSettings = new ArrayList<>(List.of("node_name=ppo_node_finetune"));
            rosSettings.addAll(rosParams);
            LongFunction<Env> factory = Backends.named("--ros", ros ? "ros" : Backends.EMBEDDED).environments(robotTask, ros ? rosSettings : List.of(), Backends.Batch.ONE);
            EvalResult before = ros ? null : init.evaluate(factory, cfg.evalEpisodes, seed + 10_000);
            RosNode rosNode = null;
            RosOperatorChannel rosChannel = null;
            MqttOperatorChannel mqtt = null;
            try (FineTuner ft = FineTuner.create(cfg, factory, init, runDir, tc, !remote, remote, exportEvery, from.getFileName().toString())) {
                if (remote) {
                    if (!tc.broker.isEmpty()) {
                        mqtt = new MqttOperatorChannel(tc, ft.arbiter(0));
                        ft.addTelemetry(mqtt::publishTelemetry);
                    }
                    if (!tc.rosTopic.isEmpty()) {
                        rp.nodeName = "ppo_node_teleop";
                        rosNode = Ros2.node(rp);
                        rosChannel = new RosOperatorChannel(rosNode, tc, ft.arbiter(0));
                        ft.addTelemetry(rosChannel::publishTelemetry);
                    }
                }
                ft.run(Integer.MAX_VALUE, (u, total, step, stats) -> System.err.printf("update %d/%d: step %d, return %.2f, interventions %.1f%%, bc loss %.3f%n",
                        u, total, step, stats.get("charts/mean_reward"), 100 * stats.getOrDefault("teleop/intervention_rate", 0.0),
                        stats.getOrDefault("train/bc_loss", Double.NaN)));
                ft.runner.saveCheckpoint(runDir.resolve("checkpoint_final.ckpt"));
                EvalResult after = ros ? null : ft.runner.policy().evaluate(s -> EnvRegistry.make(id, s), cfg.evalEpisodes, seed + 10_000);
                double wall = (System.nanoTime() - t0) / 1e9;
                double rate = ft.steps() == 0 ? 0 : (double) ft.operatorSteps() / ft.steps();
                System.err.printf("finetune %s: %d steps in %.1f s, operator acted on %.1f%% of them; policy v%d at %s%n", id, ft.steps(), wall, 100 * rate,
                        ft.version(), runDir.resolve("policy.onnx"));
                if (before != null) System.err.printf("deterministic eval without the operator: %.2f → %.2f%n", before.mean(), after.mean());
                if (json) {
                    Map<String, Object> j = new LinkedHashMap<>();
                    j.put("task", id);
                    j.put("seed", seed);
                    j.put("steps", ft.steps());
                    j.put("operator_steps", ft.operatorSteps());
                    j.put("policy_version", ft.version());
                    if (before != null) {
                        j.put("eval_return_before", Json.round(before.mean(), 3));
                        j.put("eval_return_after", Json.round(after.mean(), 3));
                        before.metrics().forEach((k, v) -> j.put("eval_" + k + "_before", Json.round(v, 5)));
                        after.metrics().forEach((k, v) -> j.put("eval_" + k + "_after", Json.round(v, 5)));
                    }
                    j.put("onnx", runDir.resolve("policy.onnx").toString());
                    j.put("interventions_log", runDir.resolve("interventions.log").toString());
                    j.put("wall_s", Json.round(wall, 2));
                    System.out.println(Json.line(j));
                }
            } finally {
                if (mqtt != null) mqtt.close();
                if (rosChannel != null) rosChannel.close();
                if (rosNode != null) Ros2.destroy(rosNode);
            }
        }
        return 0;
    }
}
