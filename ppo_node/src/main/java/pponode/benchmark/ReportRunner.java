package pponode.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the commands behind the results page: each {@code ppo-node} command in a child JVM started
 * as this one was (same Java, flags and class path), so a figure is what a user's own run of that
 * command prints; and the few commands that are not ppo-node's (the Maven suite, CleanRL).
 */
public final class ReportRunner {
    /** One command's outcome: its JSON summary (the last stdout line; empty when it failed), exit code, wall time and why it failed. */
    public record Result(List<String> command, Map<String, Object> json, int exitCode, double wallS, String failure) {
        public boolean ok() {
            return exitCode == 0 && failure == null;
        }

        public double number(String key) {
            Object v = json.get(key);
            if (!(v instanceof Number n)) throw new IllegalStateException("'" + String.join(" ", command) + "' printed no number '" + key + "': " + json);
            return n.doubleValue();
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> map(String key) {
            Object v = json.get(key);
            if (!(v instanceof Map<?, ?> m)) throw new IllegalStateException("'" + String.join(" ", command) + "' printed no object '" + key + "': " + json);
            return (Map<String, Object>) m;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root, logs;

    /**
     * {@code root}: the project's root, where every command runs (paths in them are relative to it);
     * {@code logs}: where each command's output is kept (the report names the file of a command that failed).
     */
    public ReportRunner(Path root, Path logs) throws IOException {
        this.root = root;
        this.logs = Files.createDirectories(logs);
    }

    public Path root() {
        return root;
    }

    public Path logs() {
        return logs;
    }

    /** {@code ppo-node args...} with {@code --json}; its last stdout line parsed. */
    public Result ppoNode(String... args) throws IOException, InterruptedException {
        List<String> withJson = new ArrayList<>(List.of(args));
        withJson.add("--json");
        List<String> cmd = ChildJvm.ppoNode(withJson);
        List<String> shown = new ArrayList<>(List.of("./ppo-node"));
        shown.addAll(List.of(args));
        return run(shown, cmd, Map.of(), true);
    }

    /** Any program (shown as {@code shown}), in the root; its JSON summary is empty. */
    public Result program(List<String> shown, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        return run(shown, command, env, false);
    }

    /** The text a command printed (stdout and stderr), kept under {@link #logs()}. */
    public String output(Result r) throws IOException {
        return Files.readString(logFile(r.command()));
    }

    private Path logFile(List<String> shown) {
        String name = String.join("_", shown).replace("./", "").replaceAll("[^A-Za-z0-9._-]+", "_");
        return logs.resolve((name.length() > 120 ? name.substring(0, 120) : name) + ".log");
    }

    private Result run(List<String> shown, List<String> command, Map<String, String> env, boolean json) throws IOException, InterruptedException {
        Path log = logFile(shown);
        Path out = logs.resolve(log.getFileName() + ".stdout");
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectOutput(out.toFile()).redirectError(log.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        System.err.println("report: " + String.join(" ", shown));
        Process p = pb.start();
        p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        p.waitFor(10, TimeUnit.SECONDS);
        List<String> stdout = Files.readAllLines(out);
        Files.writeString(log, String.join("\n", stdout) + "\n" + Files.readString(log));
        Files.delete(out);
        Map<String, Object> summary = Map.of();
        String failure = null;
        if (json) {
            String last = stdout.isEmpty() ? "" : stdout.get(stdout.size() - 1);
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = last.startsWith("{") ? JSON.readValue(last, Map.class) : Map.of();
                summary = m;
            } catch (IOException e) {
                failure = "its last line is not JSON: " + last;
            }
            if (summary.get("error") instanceof String e) failure = e;
            else if (summary.isEmpty() && failure == null) failure = "no JSON summary";
        }
        if (p.exitValue() != 0 && failure == null) failure = "exit code " + p.exitValue();
        System.err.printf("report:   %.1f s%s%n", wall, failure == null ? "" : ", failed (" + failure + "), see " + log);
        return new Result(List.copyOf(shown), summary, p.exitValue(), wall, failure);
    }
}
