package pponode.benchmark;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;
import pponode.log.Json;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.runner.OnPolicyRunner;
import pponode.sim.RobotBackend;
import pponode.sim.ForwardingRobotBackend;
import pponode.sim.RobotBackends;
import pponode.env.Env;
import pponode.env.ForwardingEnv;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.env.RobotEnv;
import pponode.env.Space;
import pponode.env.StepResult;
import pponode.sim.embedded.ArticulatedSimulator;
import pponode.sim.embedded.EmbeddedBackend;
import pponode.sim.embedded.EmbeddedSimulator;
import pponode.sim.embedded.JointPhysics;
import pponode.sim.mujoco.MujocoReference;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.Pose;

/** Simulator throughput for a robot task: physics steps/s, env steps/s, and scaling over cores. */
public final class SimBench {
    private SimBench() {}

    public static Map<String, Object> run(String taskName, double seconds, long trainingSteps) throws Exception {
        RobotTask task = EnvRegistry.task(taskName);
        if (task == null) throw new IllegalArgumentException("unknown task '" + taskName + "'");
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("task", taskName);
        j.put("dof", task.robot.movableJoints().size());
        boolean jointSpace = ArticulatedSimulator.covers(task.contact);
        double physics = physicsSps(task, seconds, jointSpace);
        double ode = jointSpace ? physicsSps(task, seconds, false) : physics;
        double env1 = envSps(taskName, seconds, 1).get(0);
        int cores = Runtime.getRuntime().availableProcessors();
        List<Double> parallel = envSps(taskName, seconds, cores);
        double total = parallel.stream().mapToDouble(Double::doubleValue).sum();
        System.err.printf("%s (%d DoF, physics dt %.4f s, decimation %d):%n", taskName, task.robot.movableJoints().size(), task.physicsDt, task.decimation);
        System.err.printf("  physics : %,.0f steps/s on one core (bare %s simulator; PD to random targets, or random efforts)%n", physics,
                jointSpace ? "joint-space" : "ode4j");
        if (jointSpace) System.err.printf("  ode4j   : %,.0f steps/s on one core for the same robot: joint space is %.1fx faster%n", ode, physics / ode);
        System.err.printf("  env     : %,.0f env steps/s on one core (%d physics steps + observation + reward each)%n", env1, task.decimation);
        System.err.printf("  scaling : %,.0f env steps/s with %d envs on %d threads (%.2fx of one)%n", total, cores, cores, total / env1);
        if (EmbeddedSimulator.solverWarnings() > 0) {
            System.err.printf("  solver  : %,d failed LCP pivots (ODE went on with its best solution); %,d control periods undone as diverged%n",
                    EmbeddedSimulator.solverWarnings(), EmbeddedBackend.divergences());
        }
        String noMujoco = MujocoReference.unavailableReason();
        if (noMujoco == null && Files.isRegularFile(task.robot.source())) {
            MujocoReference.Speed speed = MujocoReference.stepsPerSecond(mujocoSetup(task), seconds);
            double mujoco = speed.stepsPerSecond();
            System.err.printf("  mujoco  : %,.0f steps/s on one core (MuJoCo %s, the same URDF and physics step, PD to random targets): embedded at %.2fx of it%n", mujoco,
                    speed.version(), physics / mujoco);
            j.put("mujoco_version", speed.version());
            j.put("mujoco_physics_sps", Json.round(mujoco, 0));
            j.put("physics_vs_mujoco", Json.round(physics / mujoco, 3));
        } else {
            System.err.println("  mujoco  : not measured (" + (noMujoco != null ? noMujoco : "the URDF is not a file: " + task.robot.source()) + ")");
        }
        j.putAll(training(taskName, task, trainingSteps));
        j.put("physics_sps", Json.round(physics, 0));
        j.put("physics_engine", jointSpace ? "joint_space" : "ode4j");
        if (jointSpace) j.put("ode4j_physics_sps", Json.round(ode, 0));
        j.put("env_sps", Json.round(env1, 0));
        j.put("threads", cores);
        j.put("env_sps_all_threads", Json.round(total, 0));
        j.put("scaling", Json.round(total / env1, 3));
        return j;
    }

    /**
     * The bare simulator as the task sets it up (floating base, contacts), from the task's start
     * state. Efforts: for position-controlled tasks, the task's PD towards random targets in the
     * command range (a legged robot keeps walking on its feet rather than collapsing); otherwise
     * random efforts. Restarts every 1000 steps.
     */
    /** A robot backend that adds up the time its control periods take: the physics, for the shares below. */
    private static final class TimedBackend extends ForwardingRobotBackend {
        long nanos;

        TimedBackend(RobotBackend inner) {
            super(inner);
        }

        @Override
        public boolean step(double[] commands) {
            long t0 = System.nanoTime();
            boolean ok = inner.step(commands);
            nanos += System.nanoTime() - t0;
            return ok;
        }
    }

    /**
     * Training end to end with the task's own learner settings, on one core (every env in this
     * thread: the shares are of one core's time) and then on all cores as {@code train} runs it.
     * Shares: physics (the backends' control periods), the rest of the env (observation, reward,
     * terminations), policy inference and bookkeeping (the rest of the rollout), and the update.
     */
    static Map<String, Object> training(String taskName, RobotTask task, long steps) throws Exception {
        Map<String, Object> j = new LinkedHashMap<>();
        List<TimedBackend> backends = new ArrayList<>();
        long[] envNanos = {0};
        LongFunction<Env> timed = seed -> {
            TimedBackend b = new TimedBackend(RobotEnv.simulator(task, RobotBackends.EMBEDDED));
            synchronized (backends) {
                backends.add(b);
            }
            return new ForwardingEnv(RobotEnv.make(task, b, seed)) {
                @Override
                public StepResult step(float[] action) {
                    long t0 = System.nanoTime();
                    StepResult r = inner.step(action);
                    envNanos[0] += System.nanoTime() - t0;
                    return r;
                }
            };
        };
        for (boolean oneCore : new boolean[] {true, false}) {
            PPOConfig cfg = new PPOConfig();
            cfg.envId = taskName;
            Presets.apply(cfg, taskName);
            cfg.totalTimesteps = steps;
            if (oneCore) {
                cfg.vecEnv = "sync";
                cfg.learnerThreads = 1;
            }
            cfg.validate();
            backends.clear();
            envNanos[0] = 0;
            try (OnPolicyRunner runner = new OnPolicyRunner(cfg, oneCore ? timed : s -> EnvRegistry.make(taskName, s), null)) {
                runner.runUpdates(1, null); // warm-up
                long warm = runner.globalStep(), physics0 = backends.stream().mapToLong(b -> b.nanos).sum(), env0 = envNanos[0];
                double[] rollout = {0}, update = {0};
                long t0 = System.nanoTime();
                runner.learn((u, total, step, st) -> {
                    rollout[0] += st.get("charts/rollout_time");
                    update[0] += st.get("charts/update_time");
                });
                double wall = (System.nanoTime() - t0) / 1e9, measured = runner.globalStep() - warm;
                if (oneCore) {
                    double physics = (backends.stream().mapToLong(b -> b.nanos).sum() - physics0) / 1e9, envRest = (envNanos[0] - env0) / 1e9 - physics;
                    double inference = rollout[0] - physics - envRest;
                    System.err.printf("  training: %,.0f env steps/s end to end on one core (%d envs, %s learner): physics %.0f%%, rest of env %.0f%%, inference %.0f%%, update %.0f%%%n",
                            measured / wall, cfg.numEnvs, runner.ppo.backendName(), 100 * physics / wall, 100 * envRest / wall, 100 * inference / wall, 100 * update[0] / wall);
                    j.put("train_sps_one_core", Json.round(measured / wall, 1));
                    j.put("share_physics", Json.round(physics / wall, 3));
                    j.put("share_env_rest", Json.round(envRest / wall, 3));
                    j.put("share_inference", Json.round(inference / wall, 3));
                    j.put("share_update", Json.round(update[0] / wall, 3));
                } else {
                    System.err.printf("  training: %,.0f env steps/s end to end on %d cores (vec_env: %s, %s learner)%n", measured / wall,
                            Runtime.getRuntime().availableProcessors(), cfg.vecEnv, runner.ppo.backendName());
                    j.put("train_sps_all_cores", Json.round(measured / wall, 1));
                }
                System.err.printf("  physics : %,d control periods undone as diverged so far%n", EmbeddedBackend.divergences());
                j.put("diverged_periods", EmbeddedBackend.divergences());
            }
        }
        return j;
    }

    /** The task's robot as the MuJoCo reference drives it: its actuated joints with their stance, command range, PD gains and effort limits. */
    static MujocoReference.Setup mujocoSetup(RobotTask task) {
        Space.Box box = task.actionSpace();
        List<MujocoReference.Joint> joints = new ArrayList<>();
        for (int i = 0; i < task.actuatedJoints.size(); i++) {
            UrdfModel.Joint jt = task.robot.joint(task.actuatedJoints.get(i));
            double dflt = task.defaultJointPos[task.robot.movableJoints().indexOf(jt)];
            joints.add(new MujocoReference.Joint(jt.name(), dflt, box.low()[i], box.high()[i], task.kp == null ? 0 : task.kp[i], task.kd == null ? 0 : task.kd[i], jt.effort()));
        }
        return new MujocoReference.Setup(task.robot.source(), task.robot.root(), task.physicsDt, task.floatingBase, task.baseStartPosition, task.contact != null && task.contact.ground(),
                joints);
    }

    /** Physics steps/s of the bare simulator of {@code task}: the joint-space one, or ode4j (what robots whose links collide with each other run on). */
    static double physicsSps(RobotTask task, double seconds, boolean jointSpace) {
        try (JointPhysics sim = jointSpace ? new ArticulatedSimulator(task.robot, task.physicsDt, task.gravity, task.floatingBase, task.contact)
                : new EmbeddedSimulator(task.robot, task.physicsDt, task.gravity, task.floatingBase, task.contact)) {
            int n = sim.dof();
            double[] q0 = task.defaultJointPos.clone();
            Pose base = Pose.translation(task.baseStartPosition[0], task.baseStartPosition[1], task.baseStartPosition[2]);
            Runnable start = () -> sim.setState(q0, new double[n], base, new double[3], new double[3]);
            start.run();
            double[] tau = new double[n], target = q0.clone();
            int[] act = task.actuatedJoints.stream().mapToInt(sim::jointIndex).toArray();
            Space.Box box = task.actionSpace();
            boolean pd = task.commandInterface.equals("position");
            SplittableRandom r = new SplittableRandom(1);
            long steps = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9), warm = t0 + (long) (0.3 * 1e9);
            long t1 = 0, s1 = 0;
            while (true) {
                start.run();
                for (int k = 0; k < 1000; k++) {
                    if ((steps & 63) == 0) {
                        if (pd) for (int i = 0; i < act.length; i++) target[i] = box.low()[i] + r.nextDouble() * (box.high()[i] - box.low()[i]);
                        else for (int i = 0; i < n; i++) tau[i] = (r.nextDouble() * 2 - 1) * Math.min(10, sim.effortLimit(i));
                    }
                    if (pd) for (int i = 0; i < act.length; i++) tau[act[i]] = task.kp[i] * (target[i] - sim.position(act[i])) - task.kd[i] * sim.velocity(act[i]);
                    sim.step(tau);
                    steps++;
                }
                long now = System.nanoTime();
                if (t1 == 0 && now > warm) {
                    t1 = now;
                    s1 = steps;
                }
                if (now > end) return (steps - s1) / ((now - t1) / 1e9);
            }
        }
    }

    /** Env steps/s of each of {@code threads} envs stepped concurrently, one per thread. */
    static List<Double> envSps(String taskName, double seconds, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Double>> fs = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                long seed = k;
                fs.add(pool.submit(() -> {
                    try (Env e = EnvRegistry.make(taskName, seed)) {
                        Space.Box as = (Space.Box) e.actionSpace();
                        float[] a = new float[as.flatDim()];
                        SplittableRandom r = new SplittableRandom(seed);
                        e.reset(seed);
                        long steps = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
                        while (System.nanoTime() < end) {
                            for (int i = 0; i < a.length; i++) a[i] = (float) (as.low()[i] + r.nextDouble() * (as.high()[i] - as.low()[i]));
                            if (e.step(a).done()) e.reset(null);
                            steps++;
                        }
                        return steps / ((System.nanoTime() - t0) / 1e9);
                    }
                }));
            }
            List<Double> out = new ArrayList<>();
            for (Future<Double> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
