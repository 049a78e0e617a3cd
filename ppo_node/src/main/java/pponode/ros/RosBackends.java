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
 * {@code ros}: a robot (simulated by {@code ppo-node sim}, or real) stepped over ROS 2, set up by
 * the node's parameters ({@code key=value} as {@code --param} gives them; {@code params_file=F}
 * reads a ROS 2 parameters file first, and the other settings win over it).
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
                if (batch.count() != 1) throw new IllegalArgumentException("'num_envs' must be 1 with --ros: one robot is stepped over ROS 2 (got " + batch.count() + ")");
                RosParams rp = params(settings);
                rp.task = task.name;
                return s -> RobotEnv.make(task, new RosBackend(rp, task), s);
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
