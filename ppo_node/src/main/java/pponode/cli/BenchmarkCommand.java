package pponode.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.log.Json;
import pponode.benchmark.SeedStatistics;
import pponode.benchmark.SeedSweep;
import pponode.benchmark.SeedSweep.SeedRun;
import pponode.env.EnvRegistry;
import pponode.log.AtomicFile;
import pponode.log.LearningCurve;
import pponode.runner.RunDirectory;

/**
 * A seed sweep: the same training on seeds 1..N, each its own run, then the statistics RL results
 * need (mean ± std, interquartile mean with a bootstrap confidence interval, the share of seeds
 * that reach a threshold) as a CSV, a Markdown table and a learning-curve band.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Train one run per seed (in parallel processes) and report mean ± std, IQM with a 95%% bootstrap CI, and the share of seeds reaching a threshold.")
final class BenchmarkCommand implements Callable<Integer> {
    @Option(names = {"--env", "--task"}, required = true, description = "Environment or robot task, as for train.")
    String env;

    @Option(names = "--seeds", defaultValue = "1-10", description = "Seeds: a range 1-10, a list 1,4,7, or both (default: ${DEFAULT-VALUE}).")
    String seeds;

    @Option(names = "--steps", description = "total_timesteps of every run (default: the preset's).")
    Long steps;

    @Option(names = "--workers", description = "Runs at once (default: the number of cores).")
    Integer workers;

    @Option(names = "--set", description = "Override a config key in every run (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--metric", description = "Summary key judged against --threshold (default: eval_final_distance for tasks with a target, else eval_mean_return).")
    String metric;

    @Option(names = "--threshold", description = "The value a seed must reach on --metric (default: CartPole-v1 475, Pendulum-v1 -250, tasks with a target 0.02 m).")
    Double threshold;

    @Option(names = "--out", defaultValue = "ppo_logs", description = "The sweep goes to <out>/benchmark_<env>, then _2, ... (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Long> seedList = parseSeeds(seeds);
        if (!EnvRegistry.contains(env)) throw new IllegalArgumentException(EnvRegistry.unknown(env)); // before anything runs
        var task = EnvRegistry.task(env);
        boolean distance = task != null && task.tipLink != null && task.targetMin != null;
        String judged = metric != null ? metric : distance ? "eval_final_distance" : "eval_mean_return";
        boolean lowerIsBetter = judged.contains("distance");
        Double bar = threshold != null ? threshold : defaultThreshold(env, judged);
        List<String> trainArgs = new ArrayList<>();
        if (steps != null) trainArgs.addAll(List.of("--steps", String.valueOf(steps)));
        for (String s : set) trainArgs.addAll(List.of("--set", s));
        int k = Math.min(seedList.size(), workers != null ? workers : Runtime.getRuntime().availableProcessors());
        if (workers != null && workers < 1) throw new IllegalArgumentException("--workers must be >= 1, got " + workers);

        String name = "benchmark_" + Path.of(env).getFileName().toString().replaceAll("\\.ya?ml$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
        long t0 = System.nanoTime();
        List<SeedRun> runs;
        Path dir;
        try (RunDirectory sweep = RunDirectory.open(out, name, false, RunDirectory.Mode.NEW)) {
            dir = sweep.path();
            System.err.printf("benchmark: %s, seeds %s, %d at a time, in %s%n", env, seedList, k, dir);
            runs = SeedSweep.run(env, seedList, trainArgs, k, dir);
        }
        double wall = (System.nanoTime() - t0) / 1e9;

        double[] returns = runs.stream().mapToDouble(r -> r.number("eval_mean_return")).toArray();
        double[] judgedValues = runs.stream().mapToDouble(r -> r.number(judged)).toArray();
        for (int i = 0; i < judgedValues.length; i++) {
            if (Double.isNaN(judgedValues[i])) throw new IllegalArgumentException("--metric '" + judged + "' is not in seed " + runs.get(i).seed() + "'s summary " + runs.get(i).summary().keySet());
        }
        int reached = 0;
        for (double v : judgedValues) if (bar != null && (lowerIsBetter ? v <= bar : v >= bar)) reached++;
        SeedStatistics.Summary ret = SeedStatistics.summarize(returns), met = judged.equals("eval_mean_return") ? ret : SeedStatistics.summarize(judgedValues);

        // per-seed CSV, Markdown table, learning-curve band
        StringBuilder csv = new StringBuilder("seed,eval_mean_return," + (met == ret ? "" : judged + ",") + "reached,steps,wall_s\n");
        StringBuilder md = new StringBuilder();
        md.append("| seed | final return | ").append(met == ret ? "" : judged + " | ").append("reached | wall (s) |\n|---|---|").append(met == ret ? "" : "---|").append("---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            SeedRun r = runs.get(i);
            boolean ok = bar != null && (lowerIsBetter ? judgedValues[i] <= bar : judgedValues[i] >= bar);
            csv.append(r.seed()).append(',').append(returns[i]).append(',').append(met == ret ? "" : judgedValues[i] + ",").append(bar == null ? "" : ok).append(',')
                    .append((long) r.number("steps")).append(',').append(fmt(r.wallSeconds(), 1)).append('\n');
            md.append("| ").append(r.seed()).append(" | ").append(fmt(returns[i], 2)).append(" | ").append(met == ret ? "" : fmt(judgedValues[i], 4) + " | ")
                    .append(bar == null ? "–" : ok ? "yes" : "no").append(" | ").append(fmt(r.wallSeconds(), 1)).append(" |\n");
        }
        md.append('\n').append(summaryLine("final return", ret));
        if (met != ret) md.append(summaryLine(judged, met));
        if (bar != null) md.append(String.format(Locale.ROOT, "- reached %s %s %s: %d of %d seeds%n", judged, lowerIsBetter ? "<=" : ">=", fmt(bar, 4), reached, runs.size()));
        md.append(String.format(Locale.ROOT, "- %d runs, %d at a time, %.0f s in all%n", runs.size(), k, wall));
        String header = "# " + env + " over seeds " + seedList + "\n\n`./ppo-node benchmark --env " + env + " --seeds " + seeds + (steps != null ? " --steps " + steps : "")
                + String.join("", set.stream().map(s -> " --set " + s).toList()) + "`\n\n";
        AtomicFile.write(dir.resolve("benchmark.csv"), csv.toString().getBytes());
        AtomicFile.write(dir.resolve("benchmark.md"), (header + md).getBytes());
        Path png = dir.resolve("learning_curves.png");
        SeedStatistics.Band band = SeedStatistics.band(runs.stream().map(SeedRun::curve).toList());
        LearningCurve.writeBand(png, env + ": training return over " + runs.size() + " seeds (median and quartiles)", band.steps(), band.q1(), band.median(), band.q3());
        System.err.print(md);
        System.err.printf("table: %s%ncurves: %s%n", dir.resolve("benchmark.md"), png);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("env", env);
            j.put("seeds", seedList);
            j.put("return_mean", Json.round(ret.mean(), 3));
            j.put("return_std", Json.round(ret.std(), 3));
            j.put("return_iqm", Json.round(ret.iqm(), 3));
            j.put("return_iqm_ci95", List.of(Json.round(ret.iqmLow(), 3), Json.round(ret.iqmHigh(), 3)));
            j.put("metric", judged);
            if (met != ret) {
                j.put("metric_mean", Json.round(met.mean(), 5));
                j.put("metric_iqm", Json.round(met.iqm(), 5));
                j.put("metric_iqm_ci95", List.of(Json.round(met.iqmLow(), 5), Json.round(met.iqmHigh(), 5)));
            }
            if (bar != null) {
                j.put("threshold", bar);
                j.put("reached", reached);
            }
            j.put("wall_s", Json.round(wall, 1));
            j.put("table", dir.resolve("benchmark.md").toString());
            System.out.println(Json.line(j));
        }
        return 0;
    }

    private static String summaryLine(String what, SeedStatistics.Summary s) {
        return String.format(Locale.ROOT, "- %s: mean %s ± %s (std), median %s, IQM %s [95%% CI %s, %s]%n", what, fmt(s.mean(), 4), fmt(s.std(), 4), fmt(s.median(), 4),
                fmt(s.iqm(), 4), fmt(s.iqmLow(), 4), fmt(s.iqmHigh(), 4));
    }

    private static String fmt(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** The thresholds the presets are held to (issue: results that hold on every seed). */
    static Double defaultThreshold(String env, String metric) {
        if (metric.equals("eval_final_distance")) return 0.02;
        if (!metric.equals("eval_mean_return")) return null;
        return switch (env) {
            case "CartPole-v1" -> 475.0;
            case "Pendulum-v1" -> -250.0;
            default -> null;
        };
    }

    /** "1-10", "1,4,7", "1-3,8": each seed once, in order given. */
    static List<Long> parseSeeds(String spec) {
        List<Long> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    long a = Long.parseLong(p.substring(0, dash).trim()), b = Long.parseLong(p.substring(dash + 1).trim());
                    if (b < a || b - a > 10_000) throw new IllegalArgumentException("--seeds range '" + p + "' must run upwards, at most 10000 seeds");
                    for (long s = a; s <= b; s++) if (!out.contains(s)) out.add(s);
                } else if (!p.isEmpty()) {
                    long s = Long.parseLong(p);
                    if (!out.contains(s)) out.add(s);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seeds must be numbers and ranges such as 1-10 or 1,4,7, got '" + spec + "'");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--seeds names no seed: '" + spec + "'");
        return out;
    }
}
