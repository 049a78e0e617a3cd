package pponode.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All parameters of one network (actor or critic) in one flat float vector.
 *
 * <p>Why flat: the optimizer, gradient-norm clipping, checkpoints, ONNX export and the Java
 * rollout mirror each touch a single array instead of one per layer, which removes most JNI round
 * trips from a gradient step. Layers see their weights as views ({@link #bind()}) created inside
 * the gradient collector so autograd routes gradients back into the flat leaf.
 */
public final class ParamGroup {

    /** One named tensor inside the flat vector. */
    public record Slot(int index, String name, int offset, long[] shape, int size, NDIndex range) {}

    private final String name;
    private final List<Slot> slots = new ArrayList<>();
    private float[] values = new float[0];
    private NDArray flat;

    public ParamGroup(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Slot add(String slotName, float[] init, long... shape) {
        if (flat != null) throw new IllegalStateException("parameter group " + name + " is already on the device");
        int size = 1;
        for (long s : shape) size *= (int) s;
        if (init.length != size) throw new IllegalArgumentException(slotName + ": init has " + init.length + " values for shape of size " + size);
        int off = values.length;
        float[] grown = Arrays.copyOf(values, off + size);
        System.arraycopy(init, 0, grown, off, size);
        values = grown;
        Slot s = new Slot(slots.size(), slotName, off, shape.clone(), size, new NDIndex().addSliceDim(off, off + size));
        slots.add(s);
        return s;
    }

    public List<Slot> slots() {
        return List.copyOf(slots);
    }

    public int size() {
        return values.length;
    }

    /** Creates the trainable leaf tensor on {@code manager}'s device. */
    public void materialize(NDManager manager) {
        flat = manager.create(values, new Shape(values.length));
        flat.setRequiresGradient(true);
    }

    public NDArray flat() {
        if (flat == null) throw new IllegalStateException("parameter group " + name + " not materialized");
        return flat;
    }

    /** Views of every slot; call inside a gradient collector so gradients reach the flat leaf. */
    public NDArray[] bind() {
        NDArray[] views = new NDArray[slots.size()];
        for (Slot s : slots) {
            NDArray v = flat.get(s.range());
            views[s.index()] = s.shape().length == 1 ? v : v.reshape(new Shape(s.shape()));
        }
        return views;
    }

    /** Current values copied to the host (one JNI copy). */
    public float[] toHost() {
        return flat == null ? values.clone() : flat.toFloatArray();
    }

    public void load(float[] v) {
        if (v.length != values.length) {
            throw new IllegalArgumentException("parameter group " + name + " has " + values.length + " values, got " + v.length);
        }
        if (flat == null) values = v.clone();
        else flat.set(v);
    }
}
