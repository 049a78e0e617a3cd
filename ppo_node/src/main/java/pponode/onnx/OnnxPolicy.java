package pponode.onnx;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
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
 *
 * <p>{@link Runtime#DJL} runs the same file through DJL's ONNX Runtime engine instead of ONNX
 * Runtime's own Java API, as a service that serves its models with DJL would load it: the same
 * checks and metadata, the same actions (OnnxRuntimeParityTest), a Predictor per policy.
 */
public final class OnnxPolicy implements AutoCloseable {
    /** How the file is run: ONNX Runtime's Java API (the default), or DJL's ONNX Runtime engine. */
    public enum Runtime {
        ORT, DJL;

        /** "ort" or "djl"; anything else is refused by name. */
        public static Runtime named(String name) {
            return switch (name) {
                case "ort" -> ORT;
                case "djl" -> DJL;
                default -> throw new IllegalArgumentException("the ONNX runtime must be 'ort' or 'djl', got '" + name + "'");
            };
        }
    }

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
    /** With Runtime.DJL: the model and its predictor (null with Runtime.ORT). */
    private ZooModel<NDList, NDList> djlModel;
    private Predictor<NDList, NDList> djl;

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

    /** Opens a policy file to run with ONNX Runtime's Java API; a missing, corrupt or foreign file is refused with the reason. */
    public static OnnxPolicy load(Path path) throws IOException {
        return load(path, Runtime.ORT);
    }

    /** Opens a policy file to run with {@code runtime}, after the same checks. */
    public static OnnxPolicy load(Path path, Runtime runtime) throws IOException {
        OnnxPolicy p = checked(path);
        if (runtime == Runtime.DJL) {
            Path abs = path.toAbsolutePath();
            String name = abs.getFileName().toString();
            // the directory and the file's name (a model path to a file makes DJL warn), on the CPU (DJL would try CUDA first)
            Criteria<NDList, NDList> c = Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(abs.getParent())
                    .optModelName(name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name).optEngine("OnnxRuntime").optDevice(Device.cpu())
                    .optOption("interOpNumThreads", "1").optOption("intraOpNumThreads", "1").build();
            try {
                p.djlModel = c.loadModel();
                p.djl = p.djlModel.newPredictor();
            } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
                p.close();
                throw new IOException(path + ": DJL's ONNX Runtime engine cannot load it: " + e.getMessage(), e);
            }
        }
        return p;
    }

    /**
     * The process's one ONNX Runtime environment. DJL's engine insists on creating it (with global
     * thread pools), so it is started first, kept small: one thread per pool, and no second engine
     * (PyTorch) behind it for array operations this path never needs.
     */
    private static synchronized OrtEnvironment environment() {
        if (!djlStarted) {
            System.setProperty("ai.djl.onnxruntime.num_threads", System.getProperty("ai.djl.onnxruntime.num_threads", "1"));
            System.setProperty("ai.djl.onnxruntime.num_interop_threads", System.getProperty("ai.djl.onnxruntime.num_interop_threads", "1"));
            System.setProperty("ai.djl.onnx.disable_alternative", System.getProperty("ai.djl.onnx.disable_alternative", "true"));
            // the engine probes for CUDA when asked for its capabilities and warns when it is absent; policies run on the CPU here
            String quiet = "org.slf4j.simpleLogger.log.ai.djl.onnxruntime.engine.OrtEngine";
            System.setProperty(quiet, System.getProperty(quiet, "error"));
            Engine.getEngine("OnnxRuntime");
            djlStarted = true;
        }
        return OrtEnvironment.getEnvironment();
    }

    private static boolean djlStarted;

    private static OnnxPolicy checked(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new IOException("ONNX policy not found: " + path);
        byte[] bytes = Files.readAllBytes(path);
        OrtEnvironment env = environment();
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
        if (djl != null) return actDjl(out);
        try (OrtSession.Result r = session.run(inputs, pinned)) {
            for (int i = 0; i < actDim; i++) out[i] = actionBuf.get(i);
            if (stateBuf != null) for (int i = 0; i < stateSize; i++) stateBuf.put(i, stateOutBuf.get(i));
            return valueBuf.get(0);
        } catch (OrtException e) {
            throw new IllegalStateException(path + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** One step through DJL: the observation (and state) in the input buffers, named as the graph names its inputs. */
    private float actDjl(float[] out) {
        try (NDManager m = djlModel.getNDManager().newSubManager()) {
            float[] o = new float[obsDim];
            obsBuf.get(0, o);
            NDArray x = m.create(o, new Shape(1, obsDim));
            x.setName("obs");
            NDList in = new NDList(x);
            if (stateBuf != null) {
                float[] st = new float[stateSize];
                stateBuf.get(0, st);
                NDArray h = m.create(st, new Shape(1, stateSize));
                h.setName("state_in");
                in.add(h);
            }
            NDList r = djl.predict(in);
            System.arraycopy(r.get("action").toFloatArray(), 0, out, 0, actDim);
            if (stateBuf != null) stateBuf.put(0, r.get("state_out").toFloatArray());
            return r.get("value").toFloatArray()[0];
        } catch (TranslateException e) {
            throw new IllegalStateException(path + ": DJL's ONNX Runtime engine failed: " + e.getMessage(), e);
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
        if (djl != null) djl.close();
        if (djlModel != null) djlModel.close();
        for (OnnxTensor t : new OnnxTensor[] {obsTensor, actionOut, valueOut, stateTensor, stateOut}) if (t != null) t.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
