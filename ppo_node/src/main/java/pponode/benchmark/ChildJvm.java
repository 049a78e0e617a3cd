package pponode.benchmark;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ppo-node ARGS} in a child JVM started as this one was: same Java, flags and class path, no debug agents. */
final class ChildJvm {
    private ChildJvm() {}

    static List<String> ppoNode(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the same JVM settings as this one (stack size, offline natives, headless), without debug agents
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "pponode.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }
}
