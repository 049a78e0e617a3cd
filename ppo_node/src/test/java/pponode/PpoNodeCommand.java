package pponode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ppo-node ARGS} as a command line for another process: this JVM's Java and class path, the launcher's flags. */
public final class PpoNodeCommand {
    private PpoNodeCommand() {}

    public static List<String> of(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector", "-Xss4m",
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
