package pponode.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Option;
import pponode.ros.RosParams;

/** Options shared by the ROS 2 commands: a parameter file and overrides. */
final class RosOptions {
    @Option(names = "--params-file", description = "ROS 2 parameter file (e.g. launch/config/deploy.yaml).")
    Path paramsFile;

    @Option(names = "--param", description = "Override one node parameter, e.g. --param domain_id=7 (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--remap", description = "Remapping rule from:=to, as --ros-args -r (repeatable); __ns:=/robot1 sets the namespace, __node:=name the node name.")
    List<String> remaps = new ArrayList<>();

    @Option(names = "--task", description = "Robot task (urdf/tasks/<name>.yaml or a path).")
    String task;

    @Option(names = "--duration", description = "Stop after this many seconds (default: run until interrupted).")
    Double duration;

    RosParams load(String nodeName) throws IOException {
        RosParams p = new RosParams();
        p.nodeName = nodeName;
        if (paramsFile != null) p.load(paramsFile, nodeName);
        if (task != null) p.task = task;
        p.apply(params);
        for (String r : remaps) p.remap(r);
        return p;
    }

    /** Waits for {@code done}, checked every 50 ms, until --duration has passed or Ctrl-C / SIGTERM. */
    void waitUntil(BooleanSupplier done) throws InterruptedException {
        StopSignals stop = StopSignals.install();
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + (long) (duration * 1e9);
        while (!done.getAsBoolean() && System.nanoTime() < end && !stop.await(50)) {
            // checked again after each slice
        }
    }

    /** Waits for --duration, or until Ctrl-C / SIGTERM. */
    void waitUntilDone() throws InterruptedException {
        StopSignals.install().await(duration == null ? -1 : (long) (duration * 1000));
    }
}
