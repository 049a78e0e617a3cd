package pponode.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

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

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            // Configuration and input problems are the user's to fix: one clear line, no stack trace.
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException || ex instanceof IllegalStateException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ppo_node " + pponode.runner.Version.get()};
        }
    }
}
