package pponode.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains one run per seed, each as its own {@code train} process with its own run directory
 * ({@code seed_<s>} under the sweep's directory), {@code workers} at a time, and reads back each
 * run's JSON summary and learning curve. Separate processes keep the runs independent (no shared
 * engine, RNG or thread pool), so a run in a sweep is the run {@code train --seed s} gives.
 */
public final class SeedSweep {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One seed's run: its summary line, the training curve (step, mean return of the last 100 episodes), its wall time. */
    public record SeedRun(long seed, Path runDir, Map<String, Object> summary, List<double[]> curve, double wallSeconds) {
        /** A number from the summary, NaN when absent. */
        public double number(String key) {
            return summary.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    private SeedSweep() {}

    /**
     * Runs {@code train --env envOrTask --seed s --out dir --name seed_s --json --no-progress} plus
     * {@code trainArgs} for every seed. A run that fails is an error naming its seed and its log.
     */
    public static List<SeedRun> run(String envOrTask, List<Long> seeds, List<String> trainArgs, int workers, Path dir) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers));
        try {
            List<Future<SeedRun>> futures = new ArrayList<>();
            for (long seed : seeds) futures.add(pool.submit(() -> one(envOrTask, seed, trainArgs, workers, dir)));
            List<SeedRun> runs = new ArrayList<>();
            for (Future<SeedRun> f : futures) {
                try {
                    runs.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IllegalStateException(e.getCause());
                }
            }
            return runs;
        } finally {
            pool.shutdownNow();
        }
    }

    private static SeedRun one(String envOrTask, long seed, List<String> trainArgs, int workers, Path dir) throws IOException, InterruptedException {
        String name = "seed_" + seed;
        List<String> cmd = ChildJvm.ppoNode(List.of("train", "--env", envOrTask, "--seed", String.valueOf(seed), "--out", dir.toString(), "--name", name, "--json",
                "--no-progress"));
        cmd.addAll(trainArgs);
        // Runs side by side share the cores: each learner gets its share of them unless the arguments say.
        if (trainArgs.stream().noneMatch(a -> a.contains("learner_threads"))) {
            cmd.addAll(List.of("--set", "learner_threads=" + Math.max(1, Runtime.getRuntime().availableProcessors() / workers)));
        }
        Path log = dir.resolve(name + ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(log.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        String last = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (code != 0 || last == null) {
            String why = Files.readAllLines(log).stream().filter(l -> l.startsWith("error: ")).findFirst().orElse("exit code " + code);
            throw new IOException("seed " + seed + " failed (" + why + "); its output is in " + log);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = JSON.readValue(last, LinkedHashMap.class);
        return new SeedRun(seed, dir.resolve(name), summary, curve(dir.resolve(name).resolve("training_log.csv")), wall);
    }

    /** (step, charts/mean_reward) rows of a run's training_log.csv. */
    static List<double[]> curve(Path csv) throws IOException {
        List<double[]> rows = new ArrayList<>();
        if (!Files.exists(csv)) return rows;
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) return rows;
        int col = Arrays.asList(lines.get(0).split(",")).indexOf("charts/mean_reward");
        if (col < 0) return rows;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f.length <= col || f[col].isEmpty()) continue; // the evaluation row has no training columns
            rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[col])});
        }
        return rows;
    }
}
