package pponode.benchmark;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * docs/RESULTS.md, written by the commands that produce its figures: each section reruns its
 * {@code ppo-node} commands and is headed by them, the date, the machine and the commit. A quick
 * mode runs the same commands on smaller budgets; sections it does not run (and any whose peer is
 * missing here) keep the page's previous text with their own stamp, so nothing measured is lost.
 */
public final class Report {
    /**
     * How a run of the report is set up: quick budgets, which sections (empty: all the mode runs),
     * CleanRL's harness and trees (null: not here).
     */
    public record Options(boolean quick, Set<String> only, Path peers, Path peerTrees) {}

    /** One section of the page: its id (the marker the page keeps), title, and what renders its body. */
    record Section(String id, String title, boolean quick, Body body) {}

    @FunctionalInterface
    interface Body {
        /** The section's Markdown under its stamp, or null when it could not run here (the reason in {@code skipped}). */
        String render(ReportRunner run, Options o, List<String> skipped) throws Exception;
    }

    private static final String MARK = "<!-- section: ";
    private static final Pattern SECTION = Pattern.compile("(?m)^" + Pattern.quote(MARK) + "([a-z_]+) -->$");

    static List<Section> sections() {
        return List.of(
                new Section("throughput", "Training throughput against CleanRL", true, Report::throughput),
                new Section("robot_throughput", "Robot tasks: physics, environment and training throughput", true, Report::robotThroughput),
                new Section("seeds", "Learning over seeds", true, Report::seeds),
                new Section("shipped_policies", "The shipped policies, judged where they trained and in MuJoCo", true, Report::shippedPolicies),
                new Section("quadruped_training", "quadruped_forward trained from scratch, three seeds", false, Report::quadrupedTraining),
                new Section("policy_latency", "Policy latency on the robot's CPU", true, Report::policyLatency),
                new Section("ros_latency", "ROS 2: joint state to command", true, Report::rosLatency),
                new Section("gazebo", "Gazebo: lockstep through the transport bridge, one and two worlds", true, Report::gazebo),
                new Section("suite", "The test suite", true, Report::suite));
    }

    /** The section ids, for the command's help and its check of {@code --only}. */
    public static List<String> sectionIds() {
        return sections().stream().map(Section::id).toList();
    }

    /** What a run of the report did: the sections rerun, and those that failed (each "id: why"; their previous text kept). */
    public record Outcome(List<String> rerun, List<String> failed) {}

    /** Reruns the sections, rewrites {@code page} (keeping what was not rerun, or failed) and says which were rerun. */
    public static Outcome write(Path page, Options o, ReportRunner run) throws Exception {
        Map<String, String> previous = Files.exists(page) ? previousSections(Files.readString(page)) : Map.of();
        String stamp = LocalDate.now() + ", commit " + commit() + ", " + machine();
        StringBuilder md = new StringBuilder();
        md.append("# Results\n\n");
        md.append("Every figure the project quotes, each section under the commands that produced it, the date, the\n");
        md.append("machine and the commit. Written by `./ppo-node report` (the full mode trains the quadruped three times: over an\n");
        md.append("hour on 2 cores; `--quick`: the same commands on smaller budgets, under 10 minutes; `--only ID` reruns one\n");
        md.append("section; the last line says how long the run took). A section that was\n");
        md.append("not rerun keeps its previous text and stamp. Do not edit by hand; one-off comparisons between\n");
        md.append("commits are in [EXPERIMENTS.md](EXPERIMENTS.md).\n\n");
        List<String> rerun = new ArrayList<>(), failed = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long t0 = System.nanoTime();
        for (Section s : sections()) {
            String body = null;
            List<String> skipped = new ArrayList<>();
            boolean wanted = o.only().isEmpty() ? (s.quick() || !o.quick()) : o.only().contains(s.id());
            if (wanted) {
                try {
                    body = s.body().render(run, o, skipped);
                    if (body == null) notes.add(s.id() + ": not run here (" + String.join("; ", skipped) + ")");
                } catch (IllegalStateException | IOException e) {
                    // one broken measurement must not cost the others: its previous text stays, and the run says so
                    failed.add(s.id() + ": " + e.getMessage());
                    notes.add(s.id() + ": failed, previous text kept");
                    System.err.println("report: section " + s.id() + " failed: " + e.getMessage());
                }
            }
            md.append(MARK).append(s.id()).append(" -->\n");
            if (body != null) {
                rerun.add(s.id());
                md.append("## ").append(s.title()).append("\n\n");
                md.append("*").append(stamp).append(o.quick() ? "; quick mode" : "").append(".*\n\n");
                md.append(body.strip()).append("\n\n");
            } else if (previous.containsKey(s.id())) {
                md.append(previous.get(s.id()).strip()).append("\n\n");
            } else {
                md.append("## ").append(s.title()).append("\n\n");
                md.append("Not measured yet: `./ppo-node report --only ").append(s.id()).append("` measures it")
                        .append(skipped.isEmpty() ? "" : " where " + String.join("; ", skipped).replace("not found", "is found")).append(".\n\n");
            }
        }
        md.append(MARK).append("end -->\n");
        md.append(String.format(Locale.ROOT, "Last written %s by `./ppo-node report%s`: %d of %d sections rerun in %.0f s.%s\n", stamp, o.quick() ? " --quick" : "", rerun.size(),
                sections().size(), (System.nanoTime() - t0) / 1e9, notes.isEmpty() ? "" : " " + String.join(". ", notes) + "."));
        Files.writeString(page, md.toString());
        return new Outcome(rerun, failed);
    }

    /** The page's sections by id, each from its marker to the next. */
    static Map<String, String> previousSections(String page) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = SECTION.matcher(page);
        String id = null;
        int start = 0;
        while (m.find()) {
            if (id != null) out.put(id, page.substring(start, m.start()));
            id = m.group(1);
            start = m.end();
        }
        return out;
    }

    // ---- sections

    private static String throughput(ReportRunner run, Options o, List<String> skipped) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("`./ppo-node bench --env E` trains with CleanRL's default settings (CartPole-v1: 4 envs × 128 steps, 4 epochs,\n");
        md.append("4 minibatches, 100k steps; Pendulum-v1: 1 env × 2048 steps, 10 epochs, 32 minibatches of 64, 50k steps;\n");
        md.append("64×64 tanh MLPs, seed 1, the learner on one thread as CleanRL runs) and reports end-to-end steps/s.\n");
        md.append("Beside it, in the same run, CleanRL's own unmodified `ppo.py` and `ppo_continuous_action.py` (Debian's\n");
        md.append("PyTorch on one thread, Gymnasium 0.29.1; the harness is `../shared/peers/`, its README says how to get the trees).\n\n");
        Table table = new Table("env", "CleanRL steps/s", "ppo_node steps/s", "ratio", "update per minibatch", "its arithmetic at gemm rate", "deterministic eval return");
        String peerMissing = cleanRlMissing(o);
        for (String env : List.of("CartPole-v1", "Pendulum-v1")) {
            ReportRunner.Result ours = run.ppoNode("bench", "--env", env);
            if (!ours.ok()) throw failed(run, ours);
            String peer = "not run: " + peerMissing, ratio = "—";
            if (peerMissing == null) {
                double sps = cleanRl(run, o, env);
                peer = fmt(sps, 0);
                ratio = fmt(ours.number("sps") / sps, 1) + "×";
            }
            table.row(env, peer, fmt(ours.number("sps"), 0), ratio, fmt(ours.number("minibatch_ms"), 3) + " ms", fmt(ours.number("minibatch_ms_at_gemm_rate"), 3) + " ms",
                    fmt(ours.number("eval_mean_return"), 1));
        }
        md.append(table).append("\nCommands: `./ppo-node bench --env CartPole-v1`, `./ppo-node bench --env Pendulum-v1`")
                .append(peerMissing == null ? "; CleanRL through `../shared/peers/run_cleanrl.py`, seed 1, 100k and 50k steps." : ".").append("\n");
        return md.toString();
    }

    /** Why CleanRL cannot run here, or null when it can. */
    private static String cleanRlMissing(Options o) {
        if (o.peers() == null || !Files.isRegularFile(o.peers().resolve("run_cleanrl.py"))) return "the harness (run_cleanrl.py) not found; --peers names its folder";
        if (o.peerTrees() == null || !Files.isDirectory(o.peerTrees().resolve("cleanrl/cleanrl"))) return "CleanRL's tree not found; PEER_TREES names it";
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) return "Debian's python3-torch and python3-numpy are not installed";
        } catch (IOException e) {
            return "/usr/bin/python3 not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    private static double cleanRl(ReportRunner run, Options o, String env) throws Exception {
        boolean discrete = env.equals("CartPole-v1");
        String script = discrete ? "ppo.py" : "ppo_continuous_action.py";
        String steps = discrete ? "100000" : "50000";
        Path json = run.logs().resolve("cleanrl_" + env + ".json").toAbsolutePath();
        List<String> cmd = List.of("/usr/bin/python3", o.peers().resolve("run_cleanrl.py").toAbsolutePath().toString(), "--gym", o.peerTrees().resolve("gymnasium-0.29.1").toString(),
                "--script", o.peerTrees().resolve("cleanrl/cleanrl/" + script).toString(), "--out", json.toString(), "--", "--seed", "1", "--env-id", env, "--total-timesteps", steps);
        ReportRunner.Result r = run.program(List.of("cleanrl", script, env), cmd,
                Map.of("OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1", "MKL_NUM_THREADS", "1", "PYTHONHASHSEED", "0"));
        if (!r.ok()) throw failed(run, r);
        Matcher m = Pattern.compile("\"sps_wall\"\\s*:\\s*([0-9.eE+-]+)").matcher(Files.readString(json));
        if (!m.find()) throw new IllegalStateException("CleanRL's " + json + " has no sps_wall");
        return Double.parseDouble(m.group(1));
    }

    private static String robotThroughput(ReportRunner run, Options o, List<String> skipped) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("`./ppo-node bench --task T` measures the task's physics alone (steps/s of the embedded simulator, and MuJoCo 2.2.2\n");
        md.append("on the same robot when libmujoco is installed), one environment with its observation and reward terms, all\n");
        md.append("cores' environments at once, and training end to end.\n\n");
        Table table = new Table("task", "DoF", "physics steps/s", "MuJoCo steps/s", "physics vs MuJoCo", "env steps/s, one thread", "env steps/s, all threads",
                "training steps/s, all cores");
        List<String> commands = new ArrayList<>();
        for (String task : List.of("reacher_2dof", "arm_6dof_reach", "quadruped_forward")) {
            List<String> args = new ArrayList<>(List.of("bench", "--task", task));
            if (o.quick()) args.addAll(List.of("--seconds", "1", "--steps", "10240"));
            ReportRunner.Result r = run.ppoNode(args.toArray(String[]::new));
            if (!r.ok()) throw failed(run, r);
            commands.add("`" + String.join(" ", r.command()) + "`");
            boolean mujoco = r.json().containsKey("mujoco_physics_sps");
            table.row(task, fmt(r.number("dof"), 0), fmt(r.number("physics_sps"), 0), mujoco ? fmt(r.number("mujoco_physics_sps"), 0) : "not installed",
                    mujoco ? fmt(r.number("physics_vs_mujoco"), 2) + "×" : "—", fmt(r.number("env_sps"), 0),
                    fmt(r.number("env_sps_all_threads"), 0) + " (" + fmt(r.number("threads"), 0) + " threads)", fmt(r.number("train_sps_all_cores"), 0));
        }
        md.append(table).append("\nCommands: ").append(String.join(", ", commands)).append(".\n");
        return md.toString();
    }

    private static String seeds(ReportRunner run, Options o, List<String> skipped) throws Exception {
        String seeds = o.quick() ? "1-3" : "1-10";
        StringBuilder md = new StringBuilder();
        md.append("`./ppo-node benchmark` trains one run per seed with the shipped preset (two at a time on two cores), evaluates\n");
        md.append("each deterministically and reports mean ± std, the IQM (mean of the middle half, rliable's recommendation)\n");
        md.append("with a 95 % percentile-bootstrap interval over seeds, and how many seeds reach the threshold.\n\n");
        Table table = new Table("command", "judged on", "mean ± std", "IQM [95 % CI]", "threshold reached", "wall");
        Path out = Files.createTempDirectory("ppo_node-report-seeds");
        try {
            for (String env : List.of("CartPole-v1", "Pendulum-v1", "reacher_2dof")) {
                ReportRunner.Result r = run.ppoNode("benchmark", "--env", env, "--seeds", seeds, "--workers", "2", "--out", out.toString());
                if (!r.ok()) throw failed(run, r);
                boolean distance = "eval_final_distance".equals(r.json().get("metric"));
                double scale = distance ? 100 : 1;
                String unit = distance ? " cm" : "";
                String mean = distance ? fmt(scale * r.number("metric_mean"), 2) : fmt(r.number("return_mean"), 1);
                String std = distance ? "" : " ± " + fmt(r.number("return_std"), 1);
                @SuppressWarnings("unchecked")
                List<Number> ci = (List<Number>) r.json().get(distance ? "metric_iqm_ci95" : "return_iqm_ci95");
                String iqm = fmt(scale * r.number(distance ? "metric_iqm" : "return_iqm"), distance ? 2 : 1) + " [" + fmt(scale * ci.get(0).doubleValue(), distance ? 2 : 1) + ", "
                        + fmt(scale * ci.get(1).doubleValue(), distance ? 2 : 1) + "]" + unit;
                String shown = String.join(" ", r.command()).replace(" --out " + out, "");
                String reached = r.json().get("reached") + " of " + ((List<?>) r.json().get("seeds")).size()
                        + (distance ? " (≤ " + fmt(100 * r.number("threshold"), 0) + " cm)" : " (≥ " + fmt(r.number("threshold"), 0) + ")");
                table.row("`" + shown + "`", distance ? "final fingertip distance" : "return", mean + std + unit, iqm, reached, fmt(r.number("wall_s"), 0) + " s");
            }
        } finally {
            deleteTree(out);
        }
        return md.append(table).toString();
    }

    private static String shippedPolicies(ReportRunner run, Options o, List<String> skipped) throws Exception {
        String episodes = o.quick() ? "10" : "20";
        StringBuilder md = new StringBuilder();
        md.append("The policies under `urdf/policies/`, trained in the embedded joint-space simulator: `eval` judges them on the\n");
        md.append("robot they trained on; `sim2sim` runs them through the deploy node, as a robot would, against the embedded robot\n");
        md.append("perturbed as the gate's default draws it (mass and PD gains ±20 %, one to two control periods of action delay,\n");
        md.append("friction ×0.5-1.25 and pushes for legged robots) and, for the legged robot, against MuJoCo over DDS.\n\n");
        Table table = new Table("policy", "judged in", "episodes", "falls", "mean return", "task metrics");
        List<String> commands = new ArrayList<>();
        for (String policy : List.of("reacher_2dof", "quadruped_forward")) {
            Path file = Path.of("urdf", "policies", policy + ".onnx");
            if (!Files.exists(run.root().resolve(file))) throw new IllegalStateException(run.root().resolve(file) + " not found");
            boolean legged = policy.startsWith("quadruped");
            Map<String, List<String>> judges = new LinkedHashMap<>();
            judges.put("embedded, the robot it trained on", new ArrayList<>(List.of("eval")));
            judges.put("embedded, perturbed", new ArrayList<>(List.of("sim2sim", "--sim", "perturbed")));
            if (legged) judges.put("MuJoCo over DDS", new ArrayList<>(List.of("sim2sim", "--sim", "mujoco"))); // the MuJoCo gate is for floating bases
            for (var judge : judges.entrySet()) {
                List<String> args = judge.getValue();
                // the MuJoCo gate runs in real time over DDS (10 s an episode): the quick mode judges fewer there
                String n = o.quick() && args.contains("mujoco") ? "3" : episodes;
                args.addAll(List.of("--policy", file.toString(), "--episodes", n, "--seed", "1"));
                if (legged) args.addAll(List.of("--command", "0.5,0,0"));
                ReportRunner.Result r = run.ppoNode(args.toArray(String[]::new));
                if (!r.ok()) throw failed(run, r);
                commands.add("`" + String.join(" ", r.command()) + "`");
                table.row(policy, judge.getKey(), fmt(r.number("episodes"), 0), fmt(r.number("falls"), 0), meanReturn(r), metrics(r, legged));
            }
        }
        md.append(table).append("\nCommands: ").append(String.join(", ", commands)).append(".\n");
        return md.toString();
    }

    /** The task's own metrics, those the command printed (the MuJoCo gate prints no return or velocity error). */
    private static String metrics(ReportRunner.Result r, boolean legged) {
        if (!legged) return "final fingertip distance " + fmt(100 * r.number("eval_final_distance"), 2) + " cm";
        List<String> out = new ArrayList<>();
        out.add("v_x " + fmt(r.number("eval_mean_vx"), 3) + " m/s (command 0.5)");
        if (r.json().containsKey("eval_mean_velocity_error")) out.add("velocity error " + fmt(r.number("eval_mean_velocity_error"), 3) + " m/s");
        if (r.json().containsKey("eval_mean_yaw_rate_error")) out.add("yaw-rate error " + fmt(r.number("eval_mean_yaw_rate_error"), 3) + " rad/s");
        return String.join(", ", out);
    }

    private static String meanReturn(ReportRunner.Result r) {
        return r.json().containsKey("eval_mean_return") ? fmt(r.number("eval_mean_return"), 2) : "—";
    }

    private static String quadrupedTraining(ReportRunner run, Options o, List<String> skipped) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("`train --task quadruped_forward` with the shipped task and its budget, seeds 1-3, one after another; each final\n");
        md.append("policy judged with a 0.5 m/s forward command in the embedded simulator and in MuJoCo over DDS (10 episodes).\n\n");
        Table table = new Table("seed", "training wall", "env steps/s", "judged in", "falls", "v_x", "yaw-rate error");
        Path out = Files.createTempDirectory("ppo_node-report-quadruped");
        try {
            for (int seed = 1; seed <= 3; seed++) {
                ReportRunner.Result t = run.ppoNode("train", "--task", "quadruped_forward", "--seed", Integer.toString(seed), "--out", out.toString(), "--name", "s" + seed,
                        "--no-progress");
                if (!t.ok()) throw failed(run, t);
                String policy = out.resolve("s" + seed).resolve("policy.onnx").toString();
                for (String judge : List.of("eval", "sim2sim")) {
                    ReportRunner.Result r = judge.equals("eval") ? run.ppoNode("eval", "--policy", policy, "--command", "0.5,0,0", "--episodes", "10", "--seed", "1")
                            : run.ppoNode("sim2sim", "--sim", "mujoco", "--policy", policy, "--command", "0.5,0,0", "--episodes", "10", "--seed", "1");
                    if (!r.ok()) throw failed(run, r);
                    table.row(seed, fmt(t.wallS() / 60, 1) + " min", fmt(t.number("sps"), 0), judge.equals("eval") ? "embedded" : "MuJoCo", fmt(r.number("falls"), 0) + " of 10",
                            fmt(r.number("eval_mean_vx"), 3) + " m/s", fmt(r.number("eval_mean_yaw_rate_error"), 3) + " rad/s");
                }
            }
        } finally {
            deleteTree(out);
        }
        md.append(table).append("\nCommands: `./ppo-node train --task quadruped_forward --seed S`, then `./ppo-node eval --policy P --command 0.5,0,0 --episodes 10 --seed 1` and the same with `sim2sim --sim mujoco`.\n");
        return md.toString();
    }

    private static String policyLatency(ReportRunner run, Options o, List<String> skipped) throws Exception {
        String calls = o.quick() ? "50000" : "200000";
        StringBuilder md = new StringBuilder();
        md.append("`./ppo-node bench --policy P` times batch-1 inference of an exported policy, as the deploy node calls it, with\n");
        md.append("ONNX Runtime's own Java API (`onnx_runtime: ort`, the default) and with DJL's ONNX Runtime engine (`djl`).\n\n");
        Table table = new Table("policy", "ORT p50", "ORT p99", "DJL p50", "DJL p99");
        List<String> commands = new ArrayList<>();
        for (String policy : List.of("reacher_2dof", "quadruped_forward")) {
            ReportRunner.Result r = run.ppoNode("bench", "--policy", Path.of("urdf", "policies", policy + ".onnx").toString(), "--calls", calls);
            if (!r.ok()) throw failed(run, r);
            commands.add("`" + String.join(" ", r.command()) + "`");
            Map<String, Object> ort = r.map("ort"), djl = r.map("djl");
            table.row(policy, us(ort, "p50_us"), us(ort, "p99_us"), us(djl, "p50_us"), us(djl, "p99_us"));
        }
        md.append(table).append("\nCommands: ").append(String.join(", ", commands)).append(".\n");
        return md.toString();
    }

    private static String us(Map<String, Object> m, String key) {
        return fmt(((Number) m.get(key)).doubleValue(), 1) + " µs";
    }

    private static String rosLatency(ReportRunner run, Options o, List<String> skipped) throws Exception {
        String seconds = o.quick() ? "10" : "60";
        ReportRunner.Result r = run.ppoNode("bench", "--ros", "--policy", Path.of("urdf", "policies", "reacher_2dof.onnx").toString(), "--seconds", seconds);
        if (!r.ok()) throw failed(run, r);
        StringBuilder md = new StringBuilder();
        md.append("`./ppo-node bench --ros` runs the deploy node (reacher_2dof, its policy) and a robot on loopback DDS in one\n");
        md.append("process: the robot publishes joint states at 500 Hz, the node acts on each one, and the time from a joint\n");
        md.append("state's publication to the command it caused arriving back is recorded.\n\n");
        md.append(new Table("messages", "p50", "p99", "p99.9", "max", "missed deadlines", "scheduling", "GC pauses").row(fmt(r.number("messages"), 0),
                fmt(r.number("p50_us"), 0) + " µs", fmt(r.number("p99_us"), 0) + " µs", fmt(r.number("p999_us"), 0) + " µs", fmt(r.number("max_us"), 0) + " µs",
                fmt(r.number("missed_deadlines"), 0), r.json().get("scheduling"), fmt(r.number("gc_pauses"), 0) + " (" + fmt(r.number("gc_pause_ms"), 1) + " ms)"));
        md.append("\nCommand: `").append(String.join(" ", r.command())).append("`.\n");
        return md.toString();
    }

    private static String gazebo(ReportRunner run, Options o, List<String> skipped) throws Exception {
        String steps = o.quick() ? "2000" : "10000";
        Table table = new Table("task", "lockstep p50", "lockstep p99", "C++ request p50", "lockstep p50 / C++", "one world", "two worlds", "ratio");
        List<String> commands = new ArrayList<>();
        for (String task : List.of("reacher_2dof", "quadruped_forward")) {
            ReportRunner.Result latency = run.ppoNode("bench", "--gazebo", "--task", task, "--lockstep-steps", steps);
            if (!latency.ok() && commands.isEmpty()) {
                skipped.add("the DART world could not be built or started: " + latency.failure());
                return null;
            }
            if (!latency.ok()) throw failed(run, latency);
            ReportRunner.Result worlds = run.ppoNode("bench", "--gazebo", "--task", task, "--worlds", "2", "--lockstep-steps", steps);
            if (!worlds.ok()) throw failed(run, worlds);
            commands.add("`" + String.join(" ", latency.command()) + "`");
            commands.add("`" + String.join(" ", worlds.command()) + "`");
            table.row(task, fmt(latency.number("lockstep_p50_us"), 0) + " µs", fmt(latency.number("lockstep_p99_us"), 0) + " µs",
                    fmt(latency.number("cpp_request_p50_us"), 0) + " µs", fmt(latency.number("p50_ratio"), 2) + "×", fmt(worlds.number("one_world_sps"), 0) + " steps/s",
                    fmt(worlds.number("worlds_sps"), 0) + " steps/s", fmt(worlds.number("ratio"), 2) + "×");
        }
        StringBuilder md = new StringBuilder();
        md.append("`./ppo-node bench --gazebo` steps the DART world that `gazebo-world` starts for the task (ignition-physics 5,\n");
        md.append("sdformat 12, ign-transport 11) in lockstep through the bridge: a lockstep step's latency next to the C++\n");
        md.append("transport library's own request round trip on the same world, and env steps/s of one world against two\n");
        md.append("stepped at once (as `train --sim gazebo --set num_envs=2` steps them).\n\n");
        return md.append(table).append("\nCommands: ").append(String.join(", ", commands)).append(".\n").toString();
    }

    private static String suite(ReportRunner run, Options o, List<String> skipped) throws Exception {
        Path mvnw = run.root().resolve("mvnw");
        if (!Files.isExecutable(mvnw)) {
            skipped.add("the Maven wrapper not found: " + mvnw);
            return null;
        }
        List<String> shown = new ArrayList<>(List.of("./mvnw", "-B", "test"));
        if (o.quick()) shown.add("-Pquick");
        List<String> cmd = new ArrayList<>(shown);
        cmd.set(0, mvnw.toAbsolutePath().toString());
        ReportRunner.Result r = run.program(shown, cmd, Map.of());
        String out = run.output(r);
        // the reactor's per-module totals: "Tests run: N, Failures: F, Errors: E, Skipped: S" on a line of its own
        Matcher m = Pattern.compile("(?m)^\\[[A-Z]+\\] Tests run: (\\d+), Failures: (\\d+), Errors: (\\d+), Skipped: (\\d+)$").matcher(out);
        int tests = 0, failures = 0, skippedTests = 0;
        while (m.find()) {
            tests += Integer.parseInt(m.group(1));
            failures += Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3));
            skippedTests += Integer.parseInt(m.group(4));
        }
        StringBuilder md = new StringBuilder();
        md.append("`./mvnw -B test` is the whole suite (what `.ci/run` runs after installing the peers); `-Pquick` leaves out the\n");
        md.append("learning, multi-process ROS 2 and Gazebo tests, for a developer's quick answer.\n\n");
        md.append(new Table("command", "tests", "failed", "skipped", "wall").row("`" + String.join(" ", shown) + "`", tests, failures, skippedTests,
                fmt(r.wallS() / 60, 1) + " min"));
        if (r.exitCode() != 0) md.append("\nThe suite failed (exit code ").append(r.exitCode()).append(").\n");
        if (!o.quick()) md.append("\n`-Pquick` alone: `./ppo-node report --quick --only suite`.\n");
        return md.toString();
    }

    /** A Markdown table: the header, then one row per call, each cell as text. */
    static final class Table {
        private final StringBuilder md = new StringBuilder();

        Table(String... columns) {
            md.append("| ").append(String.join(" | ", columns)).append(" |\n|");
            for (int i = 0; i < columns.length; i++) md.append(" --- |");
            md.append('\n');
        }

        Table row(Object... cells) {
            md.append("| ");
            for (int i = 0; i < cells.length; i++) md.append(i == 0 ? "" : " | ").append(cells[i]);
            md.append(" |\n");
            return this;
        }

        @Override
        public String toString() {
            return md.toString();
        }
    }

    // ---- helpers

    private static IllegalStateException failed(ReportRunner run, ReportRunner.Result r) {
        return new IllegalStateException("'" + String.join(" ", r.command()) + "' failed (" + r.failure() + "); its output: " + run.logs());
    }

    static String fmt(double v, int digits) {
        if (digits == 0 && Math.abs(v) >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** The commit the page was written at ("abc1234", "+ local changes" when the tree differs from it), or "unknown" outside a git tree. */
    static String commit() {
        try {
            String head = git("rev-parse", "--short", "HEAD");
            if (head.isEmpty()) return "unknown";
            String dirty = git("status", "--porcelain", "--untracked-files=no");
            return "`" + head + "`" + (dirty.isEmpty() ? "" : " + local changes");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String git(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            return p.waitFor() == 0 ? out : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The machine in words: CPU model, cores, memory, OS, Java. */
    static String machine() {
        String cpu = "unknown CPU", os = System.getProperty("os.name");
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse(cpu);
            os = Files.readAllLines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst().map(l -> l.substring(12).replace("\"", ""))
                    .orElse(os);
        } catch (IOException e) {
            // not Linux: the JVM's names stand
        }
        long mem = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "%s, %d cores, %.0f GiB, %s, Java %s", cpu, Runtime.getRuntime().availableProcessors(), mem / (double) (1L << 30), os,
                System.getProperty("java.version"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).collect(Collectors.toList())) Files.deleteIfExists(p);
        }
    }

    private Report() {}
}
