package pponode.env;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last observations a policy sees: each term of a frame (one control period's observation)
 * kept for its history length, and laid out as the task says. {@code term_major}: term by term,
 * each term's frames oldest first (Isaac Lab's flattened per-term history); {@code time_major}:
 * whole frames, oldest first (frame stacking; every term the same length). At a start (an episode's
 * reset, the deploy node engaging its policy) every past frame is the first one. The training
 * environment and the deploy node both use this class, so a policy's history is laid out the same
 * on the robot as in training.
 */
public final class ObservationHistory {
    /** The layout of the stacked vector. */
    public enum Order {
        TERM_MAJOR, TIME_MAJOR;

        public String wire() {
            return this == TERM_MAJOR ? "term_major" : "time_major";
        }
    }

    /** A task's {@code history:}: frames per observation term (1: the current only), and the order. */
    public record Spec(Map<String, Integer> lengths, Order order) {
        public int length(String term) {
            return lengths.getOrDefault(term, 1);
        }
    }

    /** One term of a frame: where it lies in the frame, its size and how many frames of it are kept. */
    private record Term(int offset, int size, int length) {}

    private final List<Term> terms = new ArrayList<>();
    private final Order order;
    private final int frameSize, outputSize, depth;
    /** The last {@code depth} frames, a ring: frames[(head - j) mod depth] is j periods old. */
    private final float[][] frames;
    private int head;
    private boolean started;

    /** The history of {@code spec} for frames whose terms are {@code termNames} with {@code termSizes}, in that order. */
    public ObservationHistory(Spec spec, List<String> termNames, int[] termSizes) {
        order = spec.order();
        int offset = 0, out = 0, deepest = 1;
        for (int k = 0; k < termNames.size(); k++) {
            int length = spec.length(termNames.get(k));
            terms.add(new Term(offset, termSizes[k], length));
            offset += termSizes[k];
            out += termSizes[k] * length;
            deepest = Math.max(deepest, length);
        }
        if (order == Order.TIME_MAJOR) {
            for (Term t : terms) {
                if (t.length() != deepest) throw new IllegalArgumentException("history order time_major stacks whole frames: every term needs the same length");
            }
        }
        frameSize = offset;
        outputSize = out;
        depth = deepest;
        frames = new float[depth][frameSize];
    }

    /** The next push starts over: every past frame will be that one. */
    public void restart() {
        started = false;
    }

    /** Adds this period's {@code frame} and writes the stacked observation to {@code out}. */
    public void push(float[] frame, float[] out) {
        if (!started) {
            for (float[] f : frames) System.arraycopy(frame, 0, f, 0, frameSize);
            started = true;
        } else {
            head = (head + 1) % depth;
            System.arraycopy(frame, 0, frames[head], 0, frameSize);
        }
        int k = 0;
        if (order == Order.TIME_MAJOR) {
            for (int age = depth - 1; age >= 0; age--) {
                System.arraycopy(frames[(head - age + depth) % depth], 0, out, k, frameSize);
                k += frameSize;
            }
            return;
        }
        for (Term t : terms) {
            for (int age = t.length() - 1; age >= 0; age--) {
                System.arraycopy(frames[(head - age + depth) % depth], t.offset(), out, k, t.size());
                k += t.size();
            }
        }
    }

    /** For each element of the stacked vector, the element of a frame it copies (its term's offset plus its place in the term). */
    public int[] frameIndex() {
        int[] idx = new int[outputSize];
        int k = 0;
        if (order == Order.TIME_MAJOR) {
            for (int age = depth - 1; age >= 0; age--) for (int i = 0; i < frameSize; i++) idx[k++] = i;
            return idx;
        }
        for (Term t : terms) for (int age = t.length() - 1; age >= 0; age--) for (int i = 0; i < t.size(); i++) idx[k++] = t.offset() + i;
        return idx;
    }

    /** The layout as the ONNX metadata carries it: per term, its size per frame and its history length. */
    public static List<Map<String, Object>> layout(List<String> termNames, int[] termSizes, Spec spec) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int k = 0; k < termNames.size(); k++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("term", termNames.get(k));
            m.put("size", termSizes[k]);
            if (spec != null) m.put("history", spec.length(termNames.get(k)));
            out.add(m);
        }
        return out;
    }

    /** The frames kept, for a checkpoint: a resumed run goes on with the same past. */
    public byte[] snapshot() {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * depth * frameSize);
        b.putInt(head).putInt(started ? 1 : 0);
        for (float[] f : frames) for (float v : f) b.putFloat(v);
        return b.array();
    }

    public void restore(ByteBuffer b) {
        head = b.getInt();
        started = b.getInt() == 1;
        for (float[] f : frames) for (int i = 0; i < frameSize; i++) f[i] = b.getFloat();
    }

    public int snapshotBytes() {
        return 8 + 4 * depth * frameSize;
    }
}
