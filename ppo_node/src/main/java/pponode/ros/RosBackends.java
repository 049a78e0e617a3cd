package pponode.ros;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import pponode.env.Backends;
import pponode.env.Env;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;

/**
 * {@code ros}: robots (simulated by {@code ppo-node sim}, or real) stepped over ROS 2, set up by
 * the node's parameters ({@code key=value} as {@code --param} gives them; {@code params_file=F}
 * reads a ROS 2 parameters file first, and the other settings win over it). One robot under
 * {@code namespace}, or a batch over {@code robot_namespaces}, one env per robot: several
 * {@code ppo-node sim} processes, on this machine or others in the DDS domain, are then a rollout
 * fleet with no protocol of its own.
 */
public final class RosBackends implements Backends.Provider {
    static final String PARAMS_FILE = "params_file=";

    @Override
    public Map<String, Backends.Backend> backends() {
        return Map.of("ros", new Backends.Backend() {
            @Override
            public void check(List<String> settings) {
                params(settings);
            }

            @Override
            public LongFunction<Env> environments(RobotTask task, List<String> settings, Backends.Batch batch) {
                List<String> robots = params(settings).robotNamespaces;
                if (robots.isEmpty() && batch.count() != 1) {
                    throw new IllegalArgumentException("'num_envs' is " + batch.count() + " with --ros but one robot is named: give one namespace per env, "
                            + "robot_namespaces=robot1,robot2,... (or num_envs=1)");
                }
                if (!robots.isEmpty() && robots.size() != batch.count()) {
                    throw new IllegalArgumentException("robot_namespaces names " + robots.size() + " robots " + robots + " but 'num_envs' is " + batch.count()
                            + ": one env steps one robot");
                }
                return s -> {
                    RosParams rp = params(settings);
                    rp.task = task.name;
                    // env i (seed first + i) steps the i-th robot, as train's vector env numbers them
                    if (!robots.isEmpty()) rp.set("namespace", robots.get(Math.floorMod(s - batch.firstSeed(), batch.count())));
                    return RobotEnv.make(task, new RosBackend(rp, task), s);
                };
            }

            @Override
            public boolean remote() {
                return true;
            }
        });
    }

    /** The node's parameters: the file's, then the assignments. */
    static RosParams params(List<String> settings) {
        List<String> assignments = new ArrayList<>();
        Path file = null;
        for (String s : settings) {
            if (s.startsWith(PARAMS_FILE)) file = Path.of(s.substring(PARAMS_FILE.length()));
            else assignments.add(s);
        }
        RosParams rp = new RosParams().apply(assignments); // the node's name says which section of the file is its
        if (file == null) return rp;
        try {
            return rp.load(file, rp.nodeName).apply(assignments);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
