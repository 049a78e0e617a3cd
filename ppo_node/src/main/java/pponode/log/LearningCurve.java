package pponode.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG learning curve written at the end of a run: mean episode return against env steps. */
public final class LearningCurve {
    private LearningCurve() {}

    public static void write(Path png, String title, List<double[]> stepAndReturn, List<double[]> stepAndEval) throws IOException {
        // updates before the first finished episode log NaN (a 20 s episode outlasts a short run's first rollouts)
        stepAndReturn = finite(stepAndReturn);
        stepAndEval = finite(stepAndEval);
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("environment steps").yAxisTitle("episode return").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        if (!stepAndReturn.isEmpty()) {
            chart.addSeries("training (mean of last 100 episodes)", col(stepAndReturn, 0), col(stepAndReturn, 1)).setMarker(SeriesMarkers.NONE);
        }
        if (!stepAndEval.isEmpty()) {
            chart.addSeries("deterministic evaluation", col(stepAndEval, 0), col(stepAndEval, 1)).setMarker(SeriesMarkers.CIRCLE);
        }
        if (stepAndReturn.isEmpty() && stepAndEval.isEmpty()) chart.addSeries("no finished episodes", new double[] {0}, new double[] {0});
        String name = png.toString();
        if (name.endsWith(".png")) name = name.substring(0, name.length() - 4);
        BitmapEncoder.saveBitmap(chart, name, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Training curves of several runs of one setting (seeds) as a band: the median line between the quartiles, at each logged step. */
    public static void writeBand(Path png, String title, double[] steps, double[] q1, double[] median, double[] q3) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("environment steps").yAxisTitle("episode return").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        if (steps.length == 0) {
            chart.addSeries("no finished episodes", new double[] {0}, new double[] {0});
        } else {
            chart.addSeries("median over seeds", steps, median).setMarker(SeriesMarkers.NONE);
            chart.addSeries("25th percentile", steps, q1).setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH);
            chart.addSeries("75th percentile", steps, q3).setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH);
        }
        String name = png.toString();
        if (name.endsWith(".png")) name = name.substring(0, name.length() - 4);
        BitmapEncoder.saveBitmap(chart, name, BitmapEncoder.BitmapFormat.PNG);
    }

    private static List<double[]> finite(List<double[]> rows) {
        return rows.stream().filter(r -> Double.isFinite(r[1])).toList();
    }

    private static double[] col(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }
}
