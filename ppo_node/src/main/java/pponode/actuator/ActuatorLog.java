package pponode.actuator;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The samples of an actuator log ({@code deploy --record}) that an actuator network learns from:
 * for each row of each joint with {@code history - 1} rows before it in the same stretch (rows
 * without a gap or a missing value), the position errors (command − position) and velocities of
 * those rows, newest first, and the effort measured at the row. Rows are split into a training
 * and a held-out part by time: the held-out part is the log's last {@code heldOutShare}.
 */
public final class ActuatorLog {
    /** Inputs ({@code 2 × history} per sample: errors then velocities, newest first), efforts, and the joint's gains for a PD baseline. */
    public record Samples(double[][] inputs, double[] efforts, int[] joint) {
        public int size() {
            return efforts.length;
        }
    }

    /** The log read: training and held-out samples, the median time between rows, how many rows and joints it had. */
    public record Split(Samples train, Samples heldOut, double medianSpacing, int rows, List<String> joints) {}

    private ActuatorLog() {}

    /** Reads {@code file}, keeping the joints in {@code joints} (all the log's when empty). */
    public static Split read(Path file, List<String> joints, int history, double heldOutShare) throws IOException {
        List<double[]> rows = new ArrayList<>();
        String[] header;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String h = in.readLine();
            if (h == null || !h.startsWith("t_s,")) throw new IllegalArgumentException(file + ": not an actuator log (no t_s column first; deploy --record writes one)");
            header = h.split(",");
            if ((header.length - 1) % 4 != 0) throw new IllegalArgumentException(file + ": an actuator log has 4 columns per joint after t_s, this one " + (header.length - 1));
            String line;
            int n = 1;
            while ((line = in.readLine()) != null) {
                n++;
                String[] f = line.split(",");
                if (f.length != header.length) throw new IllegalArgumentException(file + ":" + n + ": " + f.length + " values, the header has " + header.length);
                double[] r = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    try {
                        r[i] = Double.parseDouble(f[i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(file + ":" + n + ": '" + f[i] + "' is not a number");
                    }
                }
                rows.add(r);
            }
        }
        List<String> logJoints = new ArrayList<>();
        for (int c = 1; c < header.length; c += 4) logJoints.add(header[c].substring(0, header[c].length() - "_command".length()));
        List<String> use = joints.isEmpty() ? logJoints : joints;
        for (String j : use) if (!logJoints.contains(j)) throw new IllegalArgumentException(file + ": no joint '" + j + "' in the log; it has " + logJoints);
        if (rows.size() < history + 10) throw new IllegalArgumentException(file + ": " + rows.size() + " rows; an actuator net needs thousands");
        double[] dt = new double[rows.size() - 1];
        for (int i = 1; i < rows.size(); i++) dt[i - 1] = rows.get(i)[0] - rows.get(i - 1)[0];
        double[] sorted = dt.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        int cut = (int) Math.round(rows.size() * (1 - heldOutShare));
        List<double[]> trainIn = new ArrayList<>(), testIn = new ArrayList<>();
        List<Double> trainOut = new ArrayList<>(), testOut = new ArrayList<>();
        List<Integer> trainJ = new ArrayList<>(), testJ = new ArrayList<>();
        for (String j : use) {
            int c = 1 + 4 * logJoints.indexOf(j);
            int run = 0; // rows in the current stretch, this one included
            for (int i = 0; i < rows.size(); i++) {
                double[] r = rows.get(i);
                boolean usable = Double.isFinite(r[c]) && Double.isFinite(r[c + 1]) && Double.isFinite(r[c + 2]) && Double.isFinite(r[c + 3]);
                boolean gap = i > 0 && rows.get(i)[0] - rows.get(i - 1)[0] > 3 * median;
                run = !usable ? 0 : gap ? 1 : run + 1;
                if (run < history || (i >= cut && i - history + 1 < cut)) continue; // a sample's history lies in one part
                double[] x = new double[2 * history];
                for (int k = 0; k < history; k++) {
                    double[] p = rows.get(i - k);
                    x[k] = p[c] - p[c + 1];
                    x[history + k] = p[c + 2];
                }
                boolean test = i >= cut;
                (test ? testIn : trainIn).add(x);
                (test ? testOut : trainOut).add(r[c + 3]);
                (test ? testJ : trainJ).add(use.indexOf(j));
            }
        }
        return new Split(samples(trainIn, trainOut, trainJ), samples(testIn, testOut, testJ), median, rows.size(), List.copyOf(use));
    }

    private static Samples samples(List<double[]> in, List<Double> out, List<Integer> joint) {
        return new Samples(in.toArray(double[][]::new), out.stream().mapToDouble(Double::doubleValue).toArray(), joint.stream().mapToInt(Integer::intValue).toArray());
    }
}
