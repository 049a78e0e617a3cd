package pponode.env;

import java.util.Arrays;

/**
 * An observation or action space, as in Gymnasium: either {@link Box} (real vector with bounds)
 * or {@link Discrete} (n choices).
 */
public sealed interface Space permits Space.Box, Space.Discrete {

    /** Flat size of one element: the vector length for a box, 1 for a discrete choice. */
    int flatDim();

    /** A box of floats with per-dimension bounds; infinite bounds are allowed. */
    record Box(float[] low, float[] high, int[] shape) implements Space {
        /** {@code v} mapped from [low, high] of dimension {@code i} to [-1, 1] (the normalised action the policy saw). */
        public float normalized(int i, double v) {
            return (float) (2 * (v - low[i]) / (high[i] - low[i]) - 1);
        }

        public Box {
            if (low.length != high.length) {
                throw new IllegalArgumentException("Box bounds differ in size: low " + low.length + ", high " + high.length);
            }
            int n = 1;
            for (int s : shape) n *= s;
            if (n != low.length) {
                throw new IllegalArgumentException("Box shape " + Arrays.toString(shape) + " does not match " + low.length + " bounds");
            }
            for (int i = 0; i < low.length; i++) {
                if (!(low[i] <= high[i])) {
                    throw new IllegalArgumentException("Box bound " + i + ": low " + low[i] + " > high " + high[i]);
                }
            }
        }

        public Box(float[] low, float[] high) {
            this(low, high, new int[] {low.length});
        }

        public static Box symmetric(float... high) {
            float[] low = new float[high.length];
            for (int i = 0; i < high.length; i++) low[i] = -high[i];
            return new Box(low, high.clone());
        }

        public boolean bounded() {
            for (int i = 0; i < low.length; i++) {
                if (Float.isInfinite(low[i]) || Float.isInfinite(high[i])) return false;
            }
            return true;
        }

        @Override
        public int flatDim() {
            return low.length;
        }

        @Override
        public String toString() {
            return "Box(low=" + Arrays.toString(low) + ", high=" + Arrays.toString(high) + ", shape=" + Arrays.toString(shape) + ")";
        }
    }

    /** n discrete choices, encoded in actions as {@code action[0] = index}. */
    record Discrete(int n) implements Space {
        public Discrete {
            if (n < 1) throw new IllegalArgumentException("Discrete space needs n >= 1, got " + n);
        }

        @Override
        public int flatDim() {
            return 1;
        }
    }
}
