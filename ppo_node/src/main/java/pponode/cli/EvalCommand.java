package pponode.cli;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.log.Json;
import pponode.env.Backends;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.Compatibility;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxPolicy;
import pponode.runner.EvalResult;
import pponode.runner.Evaluator;
import pponode.runner.Policy;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a trained policy deterministically (argmax / mean / squashed mean).")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", description = "A training checkpoint or policy file.")
    Path checkpoint;

    @Option(names = "--policy", description = "An exported .onnx policy, run with ONNX Runtime after checking it against the task.")
    Path policy;

    @Option(names = "--runtime", defaultValue = "ort", description = "How the .onnx policy runs: ort (ONNX Runtime's Java API) or djl (DJL's ONNX Runtime engine) "
            + "(default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--episodes", defaultValue = "10", description = "Episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "10042", description = "Episode k starts from reset(seed + k) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"--task", "--env"}, description = "Evaluate on this task/environment instead of the one the policy was trained on.")
    String env;

    @Option(names = "--command", split = ",", paramLabel = "VX,VY,YAW_RATE",
            description = "Hold this velocity command (base frame, m/s and rad/s) in every episode of a task with 'commands:', as legged_gym's play does.")
    double[] command;

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Option(names = "--sim", defaultValue = "embedded",
            description = "Where robot tasks run: embedded (default) or gazebo (a Gazebo world over Gazebo Transport, e.g. one gazebo-world started; "
                    + "the task's nominal physics: randomization is the training's, not the world's).")
    String sim;

    @Option(names = "--gazebo", description = "Gazebo setting with --sim gazebo, as train takes them (repeatable; docs/GAZEBO.md).")
    List<String> gazebo = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (episodes < 1) throw new IllegalArgumentException("--episodes must be >= 1, got " + episodes);
        if ((checkpoint == null) == (policy == null)) throw new IllegalArgumentException("give exactly one of --checkpoint or --policy");
        if (command != null && command.length != 3) throw new IllegalArgumentException("--command takes v_x,v_y,yaw_rate (3 numbers), got " + command.length);
        Backends.Backend backend = Backends.named("--sim", sim);
        List<String> settings = settings(sim, Map.of("gazebo", gazebo));
        backend.check(settings);
        long t0 = System.nanoTime();
        if (policy != null) {
            try (OnnxPolicy p = OnnxPolicy.load(policy, OnnxPolicy.Runtime.named(runtime))) {
                String id = env != null ? env : p.metadata().get("ppo_node.env_id");
                RobotTask task = commanded(id, command);
                EvalResult r = evaluateOnnx(p, id, task, environments(id, task, backend, settings), episodes, seed);
                report(id, r, (System.nanoTime() - t0) / 1e9);
            }
            return 0;
        }
        try (Policy p = Policy.load(checkpoint, Device.cpu())) {
            String id = env != null ? env : p.cfg.envId;
            RobotTask task = commanded(id, command);
            EvalResult r = p.evaluate(environments(id, task, backend, settings), episodes, seed);
            report(id, r, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /**
     * Robot task {@code id}, holding {@code --command} when given; null for a non-robot environment.
     * A command outside what the task trains on (its command ranges, and standing still) is
     * refused: the deploy node clamps cmd_vel to the same ranges, so it could never reach the robot.
     */
    static RobotTask commanded(String id, double[] command) throws IOException {
        RobotTask task = EnvRegistry.task(id);
        if (command == null) return task;
        if (task == null) throw new IllegalArgumentException("--command applies to robot tasks with 'commands:'; '" + id + "' is not a robot task");
        if (task.commands == null) throw new IllegalArgumentException("--command: task '" + id + "' has no 'commands:' to hold");
        String[] axes = {"lin_vel_x", "lin_vel_y", "ang_vel_yaw"};
        for (int a = 0; a < 3; a++) {
            double lo = Math.min(0, task.commands.ranges()[a][0]), hi = Math.max(0, task.commands.ranges()[a][1]);
            if (!(command[a] >= lo && command[a] <= hi)) {
                throw new IllegalArgumentException("--command " + axes[a] + " " + command[a] + " is outside what task '" + id + "' trains on, [" + lo + ", " + hi
                        + "] (its commands." + axes[a] + " range, and standing still); widen the range in the task file to train for it");
            }
        }
        return task.withCommand(command[0], command[1], command[2]);
    }

    /** The settings of backend {@code sim} among each backend's ({@code --gazebo} for gazebo); another backend's are refused. */
    static List<String> settings(String sim, Map<String, List<String>> byBackend) {
        byBackend.forEach((name, list) -> {
            if (!list.isEmpty() && !name.equals(sim)) throw new IllegalArgumentException("--" + name + " settings are for --sim " + name + ", not --sim " + sim);
        });
        return byBackend.getOrDefault(sim, List.of());
    }

    /**
     * The environments to evaluate in: a classic environment, or the task in {@code backend}. A
     * backend in another process (a Gazebo world, a robot) has physics of its own: it runs the task's
     * nominal robot, without the task's randomization.
     */
    static LongFunction<Env> environments(String id, RobotTask task, Backends.Backend backend, List<String> settings) throws IOException {
        if (task == null) {
            if (backend != Backends.named("--sim", Backends.EMBEDDED)) throw new IllegalArgumentException("--sim: '" + id + "' is not a robot task (urdf/tasks/*.yaml)");
            return s -> EnvRegistry.make(id, s);
        }
        return backend.environments(backend.remote() ? task.withoutRandomization() : task, settings, Backends.Batch.ONE);
    }

    /** Runs an ONNX policy on task/env {@code id} ({@code task}: its robot task, or null) in {@code envs}; robot tasks are checked and remapped by joint name first. */
    static EvalResult evaluateOnnx(OnnxPolicy p, String id, RobotTask task, LongFunction<Env> envs, int episodes, long seed) {
        Compatibility.Remap remap = task == null ? null : Compatibility.check(p, task, Deployment.metadata(id));
        float[] obsBuf = new float[p.observationSize()], act = new float[p.actionSize()];
        return Evaluator.run(envs, episodes, seed, new Evaluator.Actor() {
            @Override
            public void reset() {
                p.resetState();
            }

            @Override
            public float[] act(float[] obs) {
                if (remap == null) return p.act(obs);
                remap.observation(obs, obsBuf);
                p.act(obsBuf, act);
                float[] out = new float[act.length];
                remap.action(act, out);
                return out;
            }
        });
    }

    private void report(String id, EvalResult r, double wall) {
        Map<String, Object> j = summary(id, episodes, r, wall);
        System.err.printf("%s: %d deterministic episodes: return %.2f ± %.2f (min %.2f, max %.2f), mean length %.1f, %d ended by a termination (fall)%n", id,
                episodes, r.mean(), r.std(), r.min(), r.max(), r.meanLength(), r.falls());
        r.metrics().forEach((k, v) -> System.err.printf("  %s: %.5f%n", k, v));
        if (json) System.out.println(Json.line(j));
    }

    /** What eval --json prints: the return, the falls and the task's metrics (eval_*). */
    static Map<String, Object> summary(String id, int episodes, EvalResult r, double wall) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("env", id);
        j.put("episodes", episodes);
        j.put("eval_mean_return", Json.round(r.mean(), 3));
        j.put("eval_std_return", Json.round(r.std(), 3));
        j.put("eval_mean_length", Json.round(r.meanLength(), 2));
        j.put("falls", r.falls());
        r.metrics().forEach((k, v) -> j.put("eval_" + k, Json.round(v, 5)));
        j.put("wall_s", Json.round(wall, 2));
        return j;
    }
}
