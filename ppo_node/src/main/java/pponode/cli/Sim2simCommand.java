package pponode.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.log.Json;
import pponode.env.Backends;
import pponode.env.RobotTask;
import pponode.onnx.OnnxPolicy;
import pponode.ros.CommandLog;
import pponode.runner.EvalResult;
import pponode.sim.mujoco.MujocoRobot;
import pponode.sim2sim.MujocoSim2sim;

@Command(name = "sim2sim", mixinStandardHelpOptions = true,
        description = {"Judge an exported policy where it did not train, before it goes to a robot, with no training code: the ONNX file through "
                + "ONNX Runtime, checked against the task, on a robot that is not the one it trained on.",
            "--sim perturbed: the embedded simulator under a stated perturbation set, drawn per episode: link masses ±20 %%, ground friction "
                + "0.5-1.25 (robots with contacts), PD stiffness ±20 %%, 1-2 control periods of action delay, and, for a floating base, "
                + "pushes every 4 s of up to 0.5 m/s in x and y.",
            "--sim mujoco: the deploy node as it ships, over DDS on a private domain, driving a robot that MuJoCo simulates in its own process "
                + "(floating-base tasks; needs libmujoco-dev and cyclonedds-dev): its commands reach the motors --robot-delay-ms late, through "
                + "--motor and --robot-lag-ms, on ground of friction --friction. Each episode brings the robot up at its stance and starts a fresh node.",
            "--sim gazebo: the task's nominal robot in a running Gazebo world (./ppo-node gazebo-world --task T, or gz-sim), stepped in lockstep "
                + "through Gazebo Transport with DART's physics; --gazebo settings name the world (docs/GAZEBO.md).",
            "Prints the task metrics as eval does (--json: episodes, falls, eval_*) and exits 1 when a --fail-if threshold is passed."})
final class Sim2simCommand implements Callable<Integer> {
    @Option(names = "--policy", required = true, description = "The exported .onnx policy.")
    Path policy;

    @Option(names = "--runtime", defaultValue = "ort", description = "How the .onnx policy runs: ort (ONNX Runtime's Java API) or djl (DJL's ONNX Runtime engine) "
            + "(default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = {"--task", "--env"}, description = "The robot task (default: the policy's).")
    String task;

    @Option(names = "--sim", defaultValue = "perturbed", description = "Where the policy is judged: perturbed (default), mujoco or gazebo.")
    String sim;

    @Option(names = "--robot-delay-ms", defaultValue = "0", description = "--sim mujoco: from a command's arrival to the motors (default: ${DEFAULT-VALUE}).")
    double robotDelayMs;

    @Option(names = "--robot-lag-ms", defaultValue = "0", description = "--sim mujoco: the time constant of a first-order lag on the motors' PD target (default: none).")
    double robotLagMs;

    @Option(names = "--motor", defaultValue = "pd", description = "--sim mujoco: pd (the effort limit) or dc (torque falls to zero at the velocity limit) (default: ${DEFAULT-VALUE}).")
    String motor;

    @Option(names = "--record", paramLabel = "FILE", description = "--sim mujoco: the deploy node records every joint state with the command in force "
            + "to this CSV (a new file), as deploy --record does on a robot: the log fit-actuator fits an actuator network from.")
    Path record;

    @Option(names = "--friction", defaultValue = "1.0", description = "--sim mujoco: the ground's friction coefficient (default: ${DEFAULT-VALUE}).")
    double friction;

    @Option(names = "--gazebo", description = "--sim gazebo: a Gazebo setting, as train and eval take them (repeatable; docs/GAZEBO.md), e.g. partition=P.")
    List<String> gazebo = new ArrayList<>();

    @Option(names = "--command", split = ",", paramLabel = "VX,VY,YAW_RATE", description = "Hold this velocity command, as eval does.")
    double[] command;

    @Option(names = "--episodes", defaultValue = "10", description = "Episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "10042", description = "Episode k starts from reset(seed + k), its perturbation drawn from it (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--fail-if", paramLabel = "METRIC<VALUE", description = "A gate: exit 1 when a metric of --json's line passes a threshold, e.g. "
            + "--fail-if 'falls>0' --fail-if 'eval_mean_vx<0.4' --fail-if 'eval_final_distance>0.02' (repeatable).")
    List<String> failIf = new ArrayList<>();

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    private static final Pattern GATE = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*([<>])\\s*(\\S+)\\s*");

    /** A threshold: {@code metric op value}. */
    private record Gate(String metric, char op, double value) {
        boolean failed(double measured) {
            return op == '<' ? measured < value : measured > value;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("perturbed", "mujoco", "gazebo").contains(sim)) throw new IllegalArgumentException("--sim must be 'perturbed', 'mujoco' or 'gazebo', got '" + sim + "'");
        List<String> gazeboSettings = EvalCommand.settings(sim, Map.of("gazebo", gazebo));
        if (sim.equals("gazebo")) Backends.named("--sim", sim).check(gazeboSettings);
        if (!sim.equals("mujoco") && (robotDelayMs != 0 || robotLagMs != 0 || !motor.equals("pd") || friction != 1.0 || record != null)) {
            throw new IllegalArgumentException("--robot-delay-ms, --robot-lag-ms, --motor, --friction and --record describe the MuJoCo robot: use them with --sim mujoco");
        }
        if (!(friction > 0)) throw new IllegalArgumentException("--friction must be > 0, got " + friction);
        if (episodes < 1) throw new IllegalArgumentException("--episodes must be >= 1, got " + episodes);
        if (command != null && command.length != 3) throw new IllegalArgumentException("--command takes v_x,v_y,yaw_rate (3 numbers), got " + command.length);
        List<Gate> gates = new ArrayList<>();
        for (String g : failIf) {
            Matcher m = GATE.matcher(g);
            if (!m.matches()) throw new IllegalArgumentException("--fail-if '" + g + "' must be METRIC<VALUE or METRIC>VALUE, e.g. 'falls>0'");
            double v;
            try {
                v = Double.parseDouble(m.group(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--fail-if '" + g + "': '" + m.group(3) + "' is not a number");
            }
            gates.add(new Gate(m.group(1), m.group(2).charAt(0), v));
        }
        long t0 = System.nanoTime();
        try (OnnxPolicy p = OnnxPolicy.load(policy, OnnxPolicy.Runtime.named(runtime))) {
            String id = task != null ? task : p.metadata().get("ppo_node.env_id");
            RobotTask nominal = EvalCommand.commanded(id, command);
            if (nominal == null) throw new IllegalArgumentException("sim2sim judges robot tasks; '" + id + "' is not one");
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("sim", sim);
            if (sim.equals("mujoco")) {
                String why = MujocoSim2sim.unsupportedReason(nominal);
                if (why != null) throw new IllegalArgumentException(why);
                double[] held = command != null ? command : nominal.commands == null ? new double[3] : nominal.commands.center();
                MujocoSim2sim.Conditions c = new MujocoSim2sim.Conditions(new MujocoRobot.Actuators(robotDelayMs, robotLagMs, motor), friction);
                MujocoSim2sim.Result r;
                try (CommandLog log = record == null ? null : new CommandLog(record, nominal.actuatedJoints)) {
                    r = MujocoSim2sim.run(p, id, nominal, held, c, episodes, log);
                    if (log != null) System.err.printf("sim2sim: %d joint states recorded in %s%n", log.rows(), record);
                }
                j.put("env", id);
                j.put("episodes", episodes);
                j.put("robot_delay_ms", robotDelayMs);
                j.put("robot_lag_ms", robotLagMs);
                j.put("motor", motor);
                j.put("friction", friction);
                r.metrics().forEach((k, v) -> j.put(k, v instanceof Double d ? Json.round(d, 5) : v));
                j.put("wall_s", Json.round((System.nanoTime() - t0) / 1e9, 2));
                System.err.printf("%s, mujoco (delay %s ms, friction %s, motor %s): %d episodes, %d fell%n", id, robotDelayMs, friction, motor, episodes, r.falls());
                r.metrics().forEach((k, v) -> System.err.printf("  %s: %s%n", k, v));
            } else {
                // perturbed: the embedded robot under the perturbation set; gazebo: the nominal robot in a Gazebo world's own physics (DART)
                boolean perturbed = sim.equals("perturbed");
                RobotTask judged = perturbed ? nominal.withRandomization(perturbationSet(nominal)) : nominal;
                Backends.Backend backend = Backends.named("--sim", perturbed ? Backends.EMBEDDED : sim);
                EvalResult r = EvalCommand.evaluateOnnx(p, id, judged, EvalCommand.environments(id, judged, backend, gazeboSettings), episodes, seed);
                j.putAll(EvalCommand.summary(id, episodes, r, (System.nanoTime() - t0) / 1e9));
                System.err.printf("%s, %s: %d episodes: return %.2f ± %.2f, mean length %.1f, %d fell (ended by a termination)%n", id, sim, episodes, r.mean(), r.std(),
                        r.meanLength(), r.falls());
                r.metrics().forEach((k, v) -> System.err.printf("  %s: %.5f%n", k, v));
            }
            int failed = 0;
            for (Gate g : gates) {
                if (!(j.get(g.metric()) instanceof Number n)) {
                    throw new IllegalArgumentException("--fail-if: no metric '" + g.metric() + "'; this task has " + j.keySet().stream().filter(k -> j.get(k) instanceof Number).toList());
                }
                boolean bad = g.failed(n.doubleValue());
                System.err.printf("sim2sim gate %s %c %s: %s (%s)%n", g.metric(), g.op(), g.value(), bad ? "FAILED" : "passed", n);
                if (bad) failed++;
            }
            j.put("gates_failed", failed);
            if (json) System.out.println(Json.line(j));
            return failed > 0 ? 1 : 0;
        }
    }

    /**
     * The stated perturbation set, in the keys of a task file's {@code randomization:} section: the
     * robot a policy meets is heavier or lighter, stiffer or softer, later and slipperier than the
     * model, never all alike.
     */
    static Map<String, Object> perturbationSet(RobotTask t) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mass_scale", List.of(0.8, 1.2));
        r.put("kp_scale", List.of(0.8, 1.2));
        r.put("action_delay_steps", List.of(t.decimation, 2 * t.decimation));
        if (t.contact != null) r.put("friction_scale", List.of(0.5, 1.25));
        if (t.floatingBase) r.put("push", Map.of("interval_s", 4.0, "velocity", List.of(0.5, 0.5, 0.0)));
        return r;
    }
}
