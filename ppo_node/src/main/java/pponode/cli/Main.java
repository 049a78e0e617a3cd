package pponode.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import pponode.runner.Version;

/** {@code ppo-node}: train, evaluate, benchmark, export and deploy robot policies. */
@Command(name = "ppo-node", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Train robot control policies with PPO, export them to ONNX and run them as a ROS 2 node.",
        subcommands = {TrainCommand.class, EvalCommand.class, ExportCommand.class, SimCommand.class, DeployCommand.class, FinetuneCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static {
        // before any library initialises log4j: its lines go to stderr (IHMC's own config prints
        // INFO to stdout with colour codes, which broke --json's last line)
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "ppo_node-log4j2.properties");
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            // Configuration, input, file and network problems are the user's to fix: one line naming
            // the file, key or address, exit code 2, no stack trace. Anything else is our bug.
            if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof UncheckedIOException || ex instanceof IllegalStateException) {
                System.err.println("error: " + oneLine(ex)); // where the logs go too: one stream, in order
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** The message on one line (YAML and XML parsers write several); an exception without one is named by what it is. */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName() + (t.getCause() != null ? ": " + oneLine(t.getCause()) : "");
        return m.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ppo_node " + Version.get()};
        }
    }
}
