package pponode.runner;

import java.util.ArrayDeque;
import java.util.Deque;

/** Returns and lengths of the last 100 finished training episodes (the reference's rolling window). */
public final class EpisodeStats {
    private static final int WINDOW = 100;
    private final Deque<double[]> recent = new ArrayDeque<>();
    private long finished;

    public void add(double ret, int len) {
        if (recent.size() == WINDOW) recent.removeFirst();
        recent.addLast(new double[] {ret, len});
        finished++;
    }

    public long finished() {
        return finished;
    }

    public double meanReturn() {
        return recent.stream().mapToDouble(r -> r[0]).average().orElse(Double.NaN);
    }

    public double meanLength() {
        return recent.stream().mapToDouble(r -> r[1]).average().orElse(Double.NaN);
    }

    public double[][] toArray() {
        return recent.toArray(new double[0][]);
    }

    public void load(double[][] rows, long finishedCount) {
        recent.clear();
        for (double[] r : rows) recent.addLast(r.clone());
        finished = finishedCount;
    }
}
