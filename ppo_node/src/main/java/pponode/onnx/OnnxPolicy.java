package pponode.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an exported policy with ONNX Runtime (single-threaded, sequential: a control loop wants low
 * jitter more than throughput). The batch-1 path reuses one direct input buffer and pinned output
 * tensors, so a call allocates only ONNX Runtime's small result wrapper.
 *
 * <p>Observations with NaN or Inf, or of the wrong size, are refused before they reach the network;
 * recurrent policies carry their state between calls ({@link #resetState()} at an episode start).
 */
public final class OnnxPolicy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path path;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, String> meta;
    private final int obsDim, actDim, stateSize;
    private final FloatBuffer obsBuf, stateBuf, actionBuf, valueBuf, stateOutBuf;
    private final OnnxTensor obsTensor, stateTensor, actionOut, valueOut, stateOut;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();
    private final Map<String, OnnxTensor> pinned = new HashMap<>();

    private OnnxPolicy(Path path, OrtEnvironment env, OrtSession session, Map<String, String> meta) throws OrtException {
        this.path = path;
        this.env = env;
        this.session = session;
        this.meta = meta;
        obsDim = intMeta("ppo_node.observation_size");
        actDim = intMeta("ppo_node.action_size");
        stateSize = intMeta("ppo_node.recurrent_state_size");
        obsBuf = direct(obsDim);
        actionBuf = direct(actDim);
        valueBuf = direct(1);
        obsTensor = OnnxTensor.createTensor(env, obsBuf, new long[] {1, obsDim});
        actionOut = OnnxTensor.createTensor(env, actionBuf, new long[] {1, actDim});
        valueOut = OnnxTensor.createTensor(env, valueBuf, new long[] {1, 1});
        inputs.put("obs", obsTensor);
        pinned.put("action", actionOut);
        pinned.put("value", valueOut);
        if (stateSize > 0) {
            stateBuf = direct(stateSize);
            stateOutBuf = direct(stateSize);
            stateTensor = OnnxTensor.createTensor(env, stateBuf, new long[] {1, stateSize});
            stateOut = OnnxTensor.createTensor(env, stateOutBuf, new long[] {1, stateSize});
            inputs.put("state_in", stateTensor);
            pinned.put("state_out", stateOut);
        } else {
            stateBuf = stateOutBuf = null;
            stateTensor = stateOut = null;
        }
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Opens a policy file; a missing, corrupt or foreign file is refused with the reason. */
    public static OnnxPolicy load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new IOException("ONNX policy not found: " + path);
        byte[] bytes = Files.readAllBytes(path);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(bytes, o);
        } catch (OrtException e) {
            throw new IOException(path + " is not a valid ONNX model (truncated or corrupt?): " + e.getMessage(), e);
        }
        try {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            if (!OnnxExporter.FORMAT.equals(meta.get("ppo_node.format"))) {
                session.close();
                throw new IOException(path + " is an ONNX model but not a ppo_node policy (metadata 'ppo_node.format' is "
                        + meta.get("ppo_node.format") + ", expected " + OnnxExporter.FORMAT + ")");
            }
            Set<String> in = session.getInputNames(), out = session.getOutputNames();
            if (!in.contains("obs")) throw new IOException(path + ": the model has no input 'obs' (inputs: " + in + ")");
            for (String o : List.of("action", "value")) if (!out.contains(o)) throw new IOException(path + ": the model has no output '" + o + "' (outputs: " + out + ")");
            return new OnnxPolicy(path, env, session, meta);
        } catch (OrtException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return Map.copyOf(meta);
    }

    public int observationSize() {
        return obsDim;
    }

    public int actionSize() {
        return actDim;
    }

    public int stateSize() {
        return stateSize;
    }

    private int intMeta(String key) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException(path + ": metadata '" + key + "' is missing");
        return Integer.parseInt(v);
    }

    /** A metadata value that is a JSON list of strings (joint names). */
    public List<String> stringList(String key) {
        String v = meta.get(key);
        if (v == null) return List.of();
        try {
            List<String> out = new ArrayList<>();
            for (Object o : JSON.readValue(v, List.class)) out.add(String.valueOf(o));
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": metadata '" + key + "' is not a JSON list: " + v);
        }
    }

    /** Starts a new episode: recurrent policies forget their state. */
    public void resetState() {
        if (stateBuf != null) for (int i = 0; i < stateSize; i++) stateBuf.put(i, 0f);
    }

    /** The deterministic action for one observation, written into {@code out}; returns the value estimate. */
    public float act(float[] obs, float[] out) {
        if (obs.length != obsDim) throw new IllegalArgumentException("observation has " + obs.length + " values, " + path.getFileName() + " expects " + obsDim);
        for (int j = 0; j < obs.length; j++) {
            if (!Float.isFinite(obs[j])) throw new IllegalArgumentException("observation element " + j + " is " + obs[j] + "; refusing to run the policy");
            obsBuf.put(j, obs[j]);
        }
        try (OrtSession.Result r = session.run(inputs, pinned)) {
            for (int i = 0; i < actDim; i++) out[i] = actionBuf.get(i);
            if (stateBuf != null) for (int i = 0; i < stateSize; i++) stateBuf.put(i, stateOutBuf.get(i));
            return valueBuf.get(0);
        } catch (OrtException e) {
            throw new IllegalStateException(path + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    public float[] act(float[] obs) {
        float[] out = new float[actDim];
        act(obs, out);
        return out;
    }

    /** Runs a batch (no state): returns {action [n·act], value [n]}; used by parity tests. */
    public float[][] runBatch(float[] obs, int n) {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(obs), new long[] {n, obsDim});
             OrtSession.Result r = session.run(Map.of("obs", t), Set.of("action", "value"))) {
            float[] a = ((OnnxTensor) r.get("action").get()).getFloatBuffer().array();
            float[] v = ((OnnxTensor) r.get("value").get()).getFloatBuffer().array();
            return new float[][] {a, v};
        } catch (OrtException e) {
            throw new IllegalStateException(path + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (OnnxTensor t : new OnnxTensor[] {obsTensor, actionOut, valueOut, stateTensor, stateOut}) if (t != null) t.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
