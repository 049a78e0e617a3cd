package pponode.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * reference), TensorBoard event files under {@code tensorboard/}, and an in-memory history for the
 * learning-curve PNG. Appends to an existing CSV when a run is resumed.
 */
public final class MetricsLog implements AutoCloseable {
    private final Path dir;
    private final BufferedWriter csv;
    private final TensorBoardWriter tb;
    private List<String> columns;
    private final List<double[]> returns = new ArrayList<>();
    private final List<double[]> evals = new ArrayList<>();

    public MetricsLog(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Path csvPath = dir.resolve("training_log.csv");
        if (Files.exists(csvPath) && Files.size(csvPath) > 0) {
            String header = Files.readAllLines(csvPath).get(0);
            columns = List.of(header.split(",")).subList(1, header.split(",").length);
        }
        csv = Files.newBufferedWriter(csvPath, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        tb = new TensorBoardWriter(dir.resolve("tensorboard"));
    }

    public Path dir() {
        return dir;
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
            for (Map.Entry<String, Double> e : sorted.entrySet()) {
                if (e.getValue() != null && !e.getValue().isNaN()) tb.scalar(e.getKey(), e.getValue(), step);
            }
            tb.flush();
            Double r = metrics.get("charts/mean_reward");
            if (r != null) returns.add(new double[] {step, r});
            Double ev = metrics.get("eval/mean_reward");
            if (ev != null) evals.add(new double[] {step, ev});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + dir, e);
        }
    }

    public Path writeCurve(String title) throws IOException {
        Path png = dir.resolve("learning_curve.png");
        LearningCurve.write(png, title, returns, evals);
        return png;
    }

    @Override
    public void close() throws IOException {
        csv.close();
        tb.close();
    }
}
