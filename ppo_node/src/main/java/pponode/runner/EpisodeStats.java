package pponode.runner;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import pponode.state.StateDict;

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

    /** Saves the window as {@code episodes} ([return, length] rows) and the count as {@code episodes_finished}. */
    public void save(StateDict out) {
        out.put("episodes", recent.toArray(new double[0][]));
        out.put("episodes_finished", finished);
    }

    public void load(StateDict in) throws IOException {
        recent.clear();
        for (Object row : in.list("episodes")) {
            if (!(row instanceof List<?> r) || r.size() != 2 || !(r.get(0) instanceof Number ret) || !(r.get(1) instanceof Number len)) {
                throw new IOException(in.source() + ": 'episodes' must hold [return, length] rows, got " + row);
            }
            recent.addLast(new double[] {ret.doubleValue(), len.doubleValue()});
        }
        finished = in.integer("episodes_finished");
    }
}
