package pponode.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.ros.RosParams;
import pponode.ros.SimNode;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run the embedded simulator as a ROS 2 robot: publishes joint states and the target, obeys commands.")
final class SimCommand implements Callable<Integer> {
    @Mixin
    RosOptions ros;

    @Option(names = "--target-periods", description = "Stop after this many target periods under control (a command on every step); default: run until --duration or interrupted.")
    Integer targetPeriods;

    @Override
    public Integer call() throws Exception {
        RosParams p = ros.load("ppo_node_sim");
        RobotTask task = EnvRegistry.task(p.task);
        if (task == null) throw new IllegalArgumentException("unknown task '" + p.task + "'");
        try (SimNode sim = new SimNode(p, task).start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
            if (targetPeriods != null) {
                if (targetPeriods < 1) throw new IllegalArgumentException("--target-periods must be >= 1, got " + targetPeriods);
                ros.waitUntil(() -> sim.finalDistances().size() >= targetPeriods);
            } else {
                ros.waitUntilDone();
            }
            var d = sim.finalDistances();
            System.err.printf("sim: %d commands applied, %d rejected; %d target periods under control (%d without), mean final fingertip distance %s%n",
                    sim.commandsReceived(), sim.commandsRejected(), d.size(), sim.uncontrolledPeriods(),
                    d.isEmpty() ? "n/a" : String.format("%.4f m", d.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        }
        return 0;
    }
}
