package pponode.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.ros.RosParams;
import pponode.ros.SimNode;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run the embedded simulator as a ROS 2 robot: publishes joint states and the target, obeys commands.")
final class SimCommand implements Callable<Integer> {
    @Mixin
    RosOptions ros;

    @Override
    public Integer call() throws Exception {
        RosParams p = ros.load("ppo_node_sim");
        RobotTask task = EnvRegistry.task(p.task);
        if (task == null) throw new IllegalArgumentException("unknown task '" + p.task + "'");
        try (SimNode sim = new SimNode(p, task).start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
            ros.waitUntilDone();
            var d = sim.finalDistances();
            System.err.printf("sim: %d commands applied, %d rejected; %d target periods, mean final fingertip distance %s%n", sim.commandsReceived(),
                    sim.commandsRejected(), d.size(), d.isEmpty() ? "n/a" : String.format("%.4f m", d.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        }
        return 0;
    }
}
