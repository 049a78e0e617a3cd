package pponode.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where training metrics go: {@code training_log.csv} (header "step" + sorted metric names, as the
 * reference), TensorBoard event files under {@code tensorboard/}, an in-memory history for the
 * learning-curve PNG, and for environments that report episode metrics (a robot task's tracking,
 * its randomization draws), {@code episodes.csv}: one row per finished training episode. A resumed
 * run continues both CSVs from its checkpoint's step: rows the interrupted process logged after
 * that checkpoint are cut, and a new event file tells TensorBoard to drop them too, so no step is
 * logged twice.
 */
public final class MetricsLog implements AutoCloseable {
    private final Path dir;
    private final Path csvPath;
    private final BufferedWriter csv;
    private final TensorBoardWriter tb;
    private List<String> columns, episodeColumns;
    private final Path episodesPath;
    private BufferedWriter episodes;
    private final List<double[]> returns = new ArrayList<>();
    private final List<double[]> evals = new ArrayList<>();

    /** A new run's log in {@code dir}. */
    public MetricsLog(Path dir) throws IOException {
        this(dir, -1);
    }

    /** The log of a run in {@code dir} resumed from a checkpoint at {@code resumedAtStep} (negative: a new run). */
    public MetricsLog(Path dir, long resumedAtStep) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        csvPath = dir.resolve("training_log.csv");
        if (Files.isRegularFile(csvPath) && Files.size(csvPath) > 0) {
            List<String> lines = Files.readAllLines(csvPath);
            String header = lines.get(0);
            columns = List.of(header.split(",")).subList(1, header.split(",").length);
            if (resumedAtStep >= 0) cutAfter(csvPath, lines, resumedAtStep);
        }
        episodesPath = dir.resolve(EPISODES);
        if (Files.isRegularFile(episodesPath) && Files.size(episodesPath) > 0) {
            List<String> lines = Files.readAllLines(episodesPath);
            String header = lines.get(0);
            episodeColumns = List.of(header.split(",")).subList(4, header.split(",").length);
            if (resumedAtStep >= 0) cutAfter(episodesPath, lines, resumedAtStep);
        }
        csv = Files.newBufferedWriter(csvPath, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        tb = new TensorBoardWriter(dir.resolve("tensorboard"));
        if (resumedAtStep >= 0) tb.sessionStart(resumedAtStep + 1);
    }

    /** The per-episode log's file name. */
    public static final String EPISODES = "episodes.csv";

    /** Rewrites a CSV (atomically) without the rows after {@code step}: those steps will be trained and logged again. */
    private static void cutAfter(Path file, List<String> lines, long step) throws IOException {
        List<String> kept = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            int comma = line.indexOf(',');
            try {
                if (comma > 0 && Long.parseLong(line.substring(0, comma)) > step) continue;
            } catch (NumberFormatException e) {
                // not a row of ours: keep it
            }
            kept.add(line);
        }
        if (kept.size() == lines.size()) return;
        AtomicFile.write(file, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public void log(long step, Map<String, Double> metrics) {
        try {
            TreeMap<String, Double> sorted = new TreeMap<>(metrics);
            if (columns == null) {
                columns = new ArrayList<>(sorted.keySet());
                csv.write("step," + String.join(",", columns));
                csv.newLine();
            }
            StringBuilder row = new StringBuilder().append(step);
            for (String c : columns) {
                Double v = sorted.get(c);
                row.append(',');
                if (v != null && !v.isNaN()) row.append(String.format(Locale.ROOT, "%.6f", v));
            }
            csv.write(row.toString());
            csv.newLine();
            csv.flush();
            if (episodes != null) episodes.flush();
            for (Map.Entry<String, Double> e : sorted.entrySet()) {
                if (e.getValue() != null && !e.getValue().isNaN()) tb.scalar(e.getKey(), e.getValue(), step);
            }
            tb.flush();
            Double r = metrics.get("charts/mean_reward");
            if (r != null) returns.add(new double[] {step, r});
            Double ev = metrics.get("eval/mean_reward");
            if (ev != null) evals.add(new double[] {step, ev});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training log " + csvPath + " or its TensorBoard events: " + e.getMessage(), e);
        }
    }

    /**
     * One finished training episode: the step it ended at, the environment, its return and length,
     * and its metrics (the first episode fixes the columns; a metric missing later is left empty).
     */
    public void episode(long step, int env, double ret, int length, Map<String, Double> metrics) {
        try {
            if (episodes == null) {
                boolean fresh = episodeColumns == null;
                if (fresh) episodeColumns = new ArrayList<>(new TreeMap<>(metrics).keySet());
                episodes = Files.newBufferedWriter(episodesPath, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (fresh) {
                    episodes.write("step,env,return,length" + (episodeColumns.isEmpty() ? "" : "," + String.join(",", episodeColumns)));
                    episodes.newLine();
                }
            }
            StringBuilder row = new StringBuilder().append(step).append(',').append(env).append(',').append(String.format(Locale.ROOT, "%.6f", ret)).append(',')
                    .append(length);
            for (String c : episodeColumns) {
                Double v = metrics.get(c);
                row.append(',');
                if (v != null && !v.isNaN()) row.append(String.format(Locale.ROOT, "%.6g", v));
            }
            episodes.write(row.toString());
            episodes.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the episode log " + episodesPath + ": " + e.getMessage(), e);
        }
    }

    public Path writeCurve(String title) throws IOException {
        Path png = dir.resolve("learning_curve.png");
        LearningCurve.write(png, title, returns, evals);
        return png;
    }

    @Override
    public void close() throws IOException {
        try {
            csv.close();
            if (episodes != null) episodes.close();
        } finally {
            tb.close();
        }
    }
}
