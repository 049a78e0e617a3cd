package pponode.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import pponode.log.Json;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.StepResult;
import pponode.env.SyncVecEnv;
import pponode.env.ThreadedVecEnv;
import pponode.env.VecEnv;
import pponode.gazebo.GazeboBackend;
import pponode.gazebo.GazeboSettings;
import pponode.gazebo.GazeboWorlds;
import pponode.sim.gazebo.GazeboNode;
import pponode.sim.gazebo.GazeboOptions;
import pponode.sim.gazebo.GazeboWorldProcess;
import pponode.sim.gazebo.GazeboWorldProcess.Program;
import pponode.sim.gazebo.msgs.WorldControl;

/**
 * Lockstep latency through the Gazebo bridge against a DART world of the task's robot on loopback: one
 * control step (commands + {@code multi_step} + the joint state stamped at the target time),
 * compared with the C++ library's own request/response round trip on the same world, measured by
 * a C++ client in the same run.
 */
public final class GazeboBench {
    /** Untimed steps first: until the JIT has compiled the path, its compiler threads compete for the cores and the tail measures them. */
    static final int WARMUP = 5000;

    private GazeboBench() {}

    public static Map<String, Object> run(String taskName, int steps) throws Exception {
        RobotTask named = EnvRegistry.task(taskName);
        if (named == null) throw new IllegalArgumentException("unknown task '" + taskName + "'");
        RobotTask task = named.withoutRandomization(); // the world's physics is its own
        GazeboOptions o = GazeboOptions.fromEnvironment().withHostIp("127.0.0.1").withPartition("ppo_bench_" + Long.toHexString(System.nanoTime()));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("task", taskName);
        j.put("multi_step", task.decimation);
        j.put("steps", steps);
        try (GazeboWorlds world = GazeboWorlds.start(task, 1, o)) {
            String control = "/world/" + world.names().get(0) + "/control";
            String cpp = GazeboWorldProcess.benchClient(Program.DART, o, List.of("--world", world.names().get(0)), steps, task.decimation);
            @SuppressWarnings("unchecked")
            Map<String, Object> c = new ObjectMapper().readValue(cpp, Map.class);
            double cppP50 = ((Number) c.get("p50_us")).doubleValue(), cppP99 = ((Number) c.get("p99_us")).doubleValue();

            Histogram req = new Histogram(10_000_000_000L, 3), lock = new Histogram(10_000_000_000L, 3); // ns
            try (GazeboNode node = new GazeboNode(o)) {
                WorldControl step = WorldControl.newBuilder().setPause(true).setMultiStep(task.decimation).build();
                var bool = pponode.sim.gazebo.msgs.Boolean.getDefaultInstance();
                for (int i = 0; i < WARMUP; i++) node.request(control, step, bool, 10_000);
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    node.request(control, step, bool, 2_000);
                    req.recordValue(System.nanoTime() - t0);
                }
            }

            GazeboSettings gs = new GazeboSettings().apply(Map.of("partition", o.partition(), "ip", o.hostIp()));
            try (Env env = RobotEnv.make(task, new GazeboBackend(task, gs), 1)) {
                float[] a = new float[env.actionSpace().flatDim()];
                Random rnd = new Random(1);
                env.reset(1L);
                for (int i = -WARMUP; i < steps; i++) {
                    for (int k = 0; k < a.length; k++) a[k] = (float) (rnd.nextGaussian() * 2);
                    long t0 = System.nanoTime();
                    StepResult r = env.step(a);
                    if (i >= 0) lock.recordValue(System.nanoTime() - t0);
                    if (r.terminated() || r.truncated()) env.reset(null);
                }
            }
            double lockP50 = us(lock, 50), lockP99 = us(lock, 99), lockMax = lock.getMaxValue() / 1e3;
            System.err.printf("Gazebo lockstep on loopback, %s, multi_step %d, %d steps (DART world from ignition-physics 5, ign-transport 11):%n", taskName, task.decimation, steps);
            System.err.printf("  C++ library request/response : p50 %7.1f µs  p99 %7.1f µs%n", cppP50, cppP99);
            System.err.printf("  Java bridge request/response : p50 %7.1f µs  p99 %7.1f µs%n", us(req, 50), us(req, 99));
            System.err.printf("  Java lockstep step           : p50 %7.1f µs  p99 %7.1f µs  max %7.1f µs  (command + multi_step + joint_state)%n", lockP50, lockP99, lockMax);
            System.err.printf("  lockstep p50 / C++ p50 = %.2f (target <= 1.5); p99 %s 2 ms%n", lockP50 / cppP50, lockP99 <= 2000 ? "<=" : ">");
            j.put("cpp_request_p50_us", Json.round(cppP50, 1));
            j.put("cpp_request_p99_us", Json.round(cppP99, 1));
            j.put("java_request_p50_us", Json.round(us(req, 50), 1));
            j.put("java_request_p99_us", Json.round(us(req, 99), 1));
            j.put("lockstep_p50_us", Json.round(lockP50, 1));
            j.put("lockstep_p99_us", Json.round(lockP99, 1));
            j.put("lockstep_max_us", Json.round(lockMax, 1));
            j.put("p50_ratio", Json.round(lockP50 / cppP50, 3));
            j.put("targets_met", lockP50 <= 1.5 * cppP50 && lockP99 <= 2000);
        }
        return j;
    }

    /**
     * Env steps/s of one world against {@code worlds} worlds stepped as training steps them (one
     * ThreadedVecEnv, every world's request in flight at once), in the same run on the same worlds:
     * how far more worlds buy more experience on this machine.
     */
    public static Map<String, Object> throughput(String taskName, int worlds, int steps) throws Exception {
        if (worlds < 2) throw new IllegalArgumentException("--worlds must be at least 2 to compare with one world, got " + worlds);
        RobotTask named = EnvRegistry.task(taskName);
        if (named == null) throw new IllegalArgumentException("unknown task '" + taskName + "'");
        RobotTask task = named.withoutRandomization();
        GazeboOptions o = GazeboOptions.fromEnvironment().withHostIp("127.0.0.1").withPartition("ppo_bench_" + Long.toHexString(System.nanoTime()));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("task", taskName);
        j.put("worlds", worlds);
        j.put("steps_per_world", steps);
        try (GazeboWorlds started = GazeboWorlds.start(task, worlds, o)) {
            List<Env> envs = new ArrayList<>();
            for (int i = 0; i < worlds; i++) {
                GazeboSettings gs = new GazeboSettings().apply(Map.of("partition", o.partition(), "ip", o.hostIp(), "world", started.names().get(i), "model",
                        started.models().get(i)));
                envs.add(RobotEnv.make(task, new GazeboBackend(task, gs), 1 + i));
            }
            try (VecEnv all = new ThreadedVecEnv(envs, worlds)) { // closes every world's environment
                double one = stepsPerSecond(new SyncVecEnv(List.of(envs.get(0))), steps);
                double many = stepsPerSecond(all, steps);
                System.err.printf("Gazebo worlds, %s: 1 world %.0f env steps/s, %d worlds %.0f env steps/s (%.2fx)%n", taskName, one, worlds, many, many / one);
                j.put("one_world_sps", Json.round(one, 1));
                j.put("worlds_sps", Json.round(many, 1));
                j.put("ratio", Json.round(many / one, 3));
            }
        }
        return j;
    }

    /** Env steps/s of {@code vec} over {@code steps} steps of random actions after as many untimed ones (the environments stay open). */
    private static double stepsPerSecond(VecEnv vec, int steps) {
        Random rnd = new Random(1);
        float[][] a = new float[vec.numEnvs()][vec.actionSpace().flatDim()];
        vec.reset(1L);
        long t0 = 0;
        for (int i = -steps; i < steps; i++) {
            if (i == 0) t0 = System.nanoTime();
            for (float[] row : a) for (int k = 0; k < row.length; k++) row[k] = (float) (rnd.nextGaussian() * 2);
            vec.step(a);
        }
        return (double) steps * vec.numEnvs() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }
}
