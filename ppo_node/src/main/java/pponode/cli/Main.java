package pponode.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import pponode.log.Json;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.runner.Version;

/** {@code ppo-node}: train, evaluate, benchmark, export and deploy robot policies. */
@Command(name = "ppo-node", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Train robot control policies with PPO, export them to ONNX and run them as a ROS 2 node.",
        subcommands = {TrainCommand.class, EvalCommand.class, ExportCommand.class, SimCommand.class, DeployCommand.class, FinetuneCommand.class, Sim2simCommand.class, FitActuatorCommand.class, GazeboWorldCommand.class, TermsCommand.class, BenchCommand.class, BenchmarkCommand.class, ReportCommand.class,
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
        String[] translated;
        try {
            translated = rosArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(commandLine().execute(translated));
    }

    /**
     * The ROS 2 command-line arguments that {@code ros2 run}/{@code ros2 launch} pass to a node,
     * {@code --ros-args [-r from:=to] [-p name:=value] [--params-file F] [--log-level L] [--]},
     * as this CLI's options: -r becomes --remap (__ns and __node included), -p --param,
     * --params-file stays; --log-level is accepted and ignored (logging is configured here).
     */
    public static String[] rosArgs(String... args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--ros-args")) {
                out.add(args[i]);
                continue;
            }
            for (i++; i < args.length && !args[i].equals("--"); i++) {
                String a = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException("--ros-args: '" + a + "' needs a value");
                String v = args[++i];
                switch (a) {
                    case "-r", "--remap" -> out.addAll(List.of("--remap", v));
                    case "-p", "--param" -> {
                        int sep = v.indexOf(":=");
                        if (sep <= 0) throw new IllegalArgumentException("--ros-args -p expects name:=value, got '" + v + "'");
                        out.addAll(List.of("--param", v.substring(0, sep) + "=" + v.substring(sep + 2)));
                    }
                    case "--params-file" -> out.addAll(List.of("--params-file", v));
                    case "--log-level" -> { }
                    default -> throw new IllegalArgumentException("--ros-args: unsupported argument '" + a + "' (supported: -r, -p, --params-file, --log-level)");
                }
            }
        }
        return out.toArray(String[]::new);
    }

    public static CommandLine commandLine() {
        // the help lists the tasks that ship, not a list written once and left behind
        System.setProperty("ppo_node.shipped_tasks", String.join(", ", TaskFiles.shippedNames()));
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            // Configuration, input, file and network problems are the user's to fix: one line naming
            // the file, key or address, exit code 2, no stack trace. Anything else is our bug.
            if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof UncheckedIOException || ex instanceof IllegalStateException) {
                System.err.println("error: " + oneLine(ex)); // where the logs go too: one stream, in order
                if (deepest(parse).hasMatchedOption("--json")) jsonError(oneLine(ex));
                return 2;
            }
            throw ex;
        });
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) -> {
            int code = usage.handleParseException(ex, args);
            // the parse stopped at the bad argument, so --json may come after it
            if (List.of(args).contains("--json")) jsonError(oneLine(ex));
            return code;
        });
        return cl;
    }

    /** Under --json, a refused command still ends with a JSON line on stdout: {"error": "..."}, so a script reading the last line sees why. */
    private static void jsonError(String message) {
        System.out.println(Json.line(Map.of("error", message)));
    }

    private static CommandLine.ParseResult deepest(CommandLine.ParseResult parse) {
        CommandLine.ParseResult p = parse;
        while (p.hasSubcommand()) p = p.subcommand();
        return p;
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
