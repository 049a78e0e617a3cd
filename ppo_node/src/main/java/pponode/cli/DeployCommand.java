package pponode.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.OnnxPolicy;
import pponode.ros.CommandLog;
import pponode.ros.DeployNode;
import pponode.ros.RosParams;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Run an ONNX policy on a robot over ROS 2: joint states in, commands out, with watchdog and e-stop.")
final class DeployCommand implements Callable<Integer> {
    @Mixin
    RosOptions ros;

    @Option(names = "--policy", description = "The .onnx policy (default: the 'policy' parameter).")
    Path policy;

    @Option(names = "--record", paramLabel = "FILE", description = "Write every joint state with the command in force to this CSV (a new file): "
            + "the log ppo-node fit-actuator fits an actuator network from.")
    Path record;

    @Override
    public Integer call() throws Exception {
        RosParams p = ros.load("ppo_node");
        if (policy != null) p.policy = policy.toString();
        try (OnnxPolicy op = OnnxPolicy.load(Path.of(p.policy))) {
            if (ros.task == null && !ros.params.stream().anyMatch(s -> s.startsWith("task=")) && op.metadata().containsKey("ppo_node.task")) {
                p.task = op.metadata().get("ppo_node.task");
            }
            RobotTask task = EnvRegistry.task(p.task);
            if (task == null) throw new IllegalArgumentException("unknown task '" + p.task + "'");
            CommandLog log = record == null ? null : new CommandLog(record, task.actuatedJoints);
            DeployNode node = new DeployNode(p, op, task);
            if (log != null) node.record(log);
            node.start();
            try (node; log) {
                Runtime.getRuntime().addShutdownHook(new Thread(node::close));
                ros.waitUntilDone();
            }
            // after close: the count includes the stop commands it sent
            System.err.printf("deploy: %d commands published (%d safe), %d missed deadlines, %d received messages dropped%n", node.published(), node.safeTicks(),
                    node.missedDeadlines(), node.droppedMessages());
            if (log != null) System.err.printf("deploy: %d joint states recorded in %s%n", log.rows(), record);
        }
        return 0;
    }
}
