package pponode.cli;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.gazebo.GazeboWorlds;
import pponode.sim.gazebo.GazeboOptions;
import pponode.sim.gazebo.GazeboWorldProcess;
import pponode.sim.gazebo.GazeboWorldProcess.Program;

@Command(name = "gazebo-world", mixinStandardHelpOptions = true,
        description = {"Start Gazebo worlds for a task's robot, built from Gazebo's own libraries: sdformat 12 turns the URDF into SDF, "
                + "ignition-physics 5 steps it with DART (gz-sim's default engine), ign-transport 11 serves gz-sim's topics and services "
                + "(world control, joint states, joint force/velocity/position commands, statistics, and the base pose and odometry of a "
                + "floating base). Runs until stopped (Ctrl-C).",
            "Then: train --task T --sim gazebo --gazebo partition=P (or eval --sim gazebo). Needs g++ pkg-config libignition-physics-dev "
                + "libignition-physics5-dartsim-plugin5 libsdformat-dev libignition-plugin-dev libignition-transport-dev libignition-msgs-dev."})
final class GazeboWorldCommand implements Callable<Integer> {
    @Option(names = {"--task", "--env"}, required = true, description = "The robot task (urdf/tasks/<name>.yaml or a task file).")
    String task;

    @Option(names = "--worlds", defaultValue = "1", description = "How many worlds: one named after the task with the model named after the URDF robot, or both suffixed _0 … _(N-1) (default: ${DEFAULT-VALUE}).")
    int worlds;

    @Option(names = "--first", description = "Number the worlds from this index: _K … _(K+N-1), even for one world. Hosts that share a learner's batch each serve "
            + "their part of its worlds (a learner with num_envs=4 over two hosts: --worlds 2 on the first, --worlds 2 --first 2 on the second).")
    Integer first;

    @Option(names = "--partition", description = "The Gazebo Transport partition (default: IGN_PARTITION / GZ_PARTITION, else Gazebo's own default).")
    String partition;

    @Option(names = "--ip", description = "The IP the worlds advertise on (default: IGN_IP / GZ_IP, else Gazebo's choice).")
    String ip;

    @Override
    public Integer call() throws Exception {
        RobotTask t = EnvRegistry.task(task);
        if (t == null) throw new IllegalArgumentException("unknown task '" + task + "'");
        if (worlds < 1) throw new IllegalArgumentException("--worlds must be at least 1, got " + worlds);
        if (first != null && first < 0) throw new IllegalArgumentException("--first must be 0 or more, got " + first);
        String why = GazeboWorldProcess.unavailableReason(Program.DART);
        if (why != null) throw new IllegalArgumentException("cannot build the Gazebo world: " + why);
        GazeboOptions o = GazeboOptions.fromEnvironment();
        if (partition != null) o = o.withPartition(partition);
        if (ip != null) o = o.withHostIp(ip);
        try (StopSignals stop = StopSignals.install(); GazeboWorlds w = GazeboWorlds.start(t, worlds, first, o)) {
            System.err.printf("gazebo-world: %s on partition '%s' (world/model: %s); Ctrl-C stops%n", t.name, o.partition(), IntStream.range(0, worlds).mapToObj(i -> w.names().get(i) + "/" + w.models().get(i)).collect(Collectors.joining(", ")));
            stop.await(-1);
        }
        return 0;
    }
}
