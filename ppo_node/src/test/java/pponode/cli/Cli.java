package pponode.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the CLI entry point in this JVM, as {@code ppo-node ARGS} would, capturing what it prints. */
final class Cli {
    /** Exit code, standard output (picocli's and System.out), standard error (picocli's and System.err, where logs go). */
    record Result(int code, String out, String err) {
        String lastLine() {
            String[] lines = out.trim().split("\n");
            return lines[lines.length - 1];
        }
    }

    private Cli() {}

    static synchronized Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream sysOut = new ByteArrayOutputStream(), sysErr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(sysOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String e = err + sysErr.toString(StandardCharsets.UTF_8);
        oldErr.print(e); // still visible in the test's report
        return new Result(code, out + sysOut.toString(StandardCharsets.UTF_8), e);
    }
}
