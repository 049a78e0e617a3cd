package pponode.onnx;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pponode.config.PPOConfig;
import pponode.env.EnvRegistry;
import pponode.env.Space;
import pponode.modules.ParamGroup;
import pponode.runner.Policy;

/**
 * Reads an exported policy back into the learner: the training config from metadata, weights
 * from the initializers (named after the learner's parameters), and the observation normaliser
 * from {@code obs_mean}/{@code obs_std}. A deployed file is often all a user has left to fine-tune.
 */
public final class OnnxImporter {
    private OnnxImporter() {}

    @SuppressWarnings("unchecked")
    public static Policy read(Path file, Device device) throws IOException {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not a valid ONNX model: " + e.getMessage(), e);
        }
        Map<String, String> meta = new HashMap<>();
        for (OnnxMl.StringStringEntryProto p : model.getMetadataPropsList()) meta.put(p.getKey(), p.getValue());
        if (!OnnxExporter.FORMAT.equals(meta.get("ppo_node.format"))) throw new IOException(file + " is not a ppo_node policy (no ppo_node.format metadata)");
        PPOConfig cfg = new PPOConfig();
        Map<String, Object> cm = new ObjectMapper().readValue(meta.get("ppo_node.config"), Map.class);
        cm.forEach((k, v) -> {
            if (PPOConfig.keys().contains(k)) cfg.set(k, v instanceof List<?> l ? l.toString() : v);
        });
        Map<String, float[]> inits = new HashMap<>();
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) continue;
            float[] f = new float[t.getRawData().size() / 4];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            inits.put(t.getName(), f);
        }
        Space[] spaces;
        try (var env = EnvRegistry.make(cfg.envId, cfg.seed)) {
            spaces = new Space[] {env.observationSpace(), env.actionSpace()};
        }
        Policy p = Policy.create(cfg, spaces[0], spaces[1], device);
        p.net.actor.load(gather(p.net.actor, "actor.", inits, file));
        p.net.critic.load(gather(p.net.critic, "critic.", inits, file));
        p.net.syncHost();
        if (p.obsRms != null) {
            float[] mean = inits.get("obs_mean"), std = inits.get("obs_std");
            if (mean == null || std == null) throw new IOException(file + ": the config normalises observations but obs_mean/obs_std are missing");
            double[] m = new double[mean.length], v = new double[std.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = mean[i];
                v[i] = Math.max(0, (double) std[i] * std[i] - 1e-8); // std = sqrt(var + 1e-8)
            }
            p.obsRms.load(m, v, Double.parseDouble(meta.getOrDefault("ppo_node.obs_rms_count", "1")));
        }
        return p;
    }

    private static float[] gather(ParamGroup g, String prefix, Map<String, float[]> inits, Path file) throws IOException {
        float[] flat = new float[g.size()];
        for (ParamGroup.Slot s : g.slots()) {
            float[] v = inits.get(prefix + s.name());
            if (v == null || v.length != s.size()) {
                throw new IOException(file + ": initializer '" + prefix + s.name() + "' is " + (v == null ? "missing" : "of size " + v.length + ", expected " + s.size()));
            }
            System.arraycopy(v, 0, flat, s.offset(), s.size());
        }
        return flat;
    }
}
