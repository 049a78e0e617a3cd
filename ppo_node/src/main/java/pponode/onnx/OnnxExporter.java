package pponode.onnx;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import pponode.env.Space;
import pponode.log.AtomicFile;
import pponode.modules.Activation;
import pponode.modules.ActorCritic;
import pponode.modules.Backbone;
import pponode.modules.BetaDistribution;
import pponode.modules.Categorical;
import pponode.modules.DiagGaussian;
import pponode.modules.Linear;
import pponode.modules.MlpBackbone;
import pponode.modules.ParamGroup;
import pponode.modules.RecurrentCore;
import pponode.modules.TanhGaussian;
import pponode.modules.TransformerBackbone;
import pponode.runner.Policy;
import pponode.runner.Version;

/**
 * Writes a trained policy as a standard ONNX model (IR 8, opset 17) that ONNX Runtime runs
 * onboard, with everything needed to run it safely inside the graph or its metadata:
 *
 * <pre>
 * obs [batch, obs_dim] → (obs − mean) / std → clip ±obs_clip → actor MLP → head
 *   → action [batch, act_dim]: tanh(mean) scaled onto the joint limits (squashed Gaussian),
 *     mean clipped to the bounds (Gaussian), Beta mean scaled (Beta), argmax (discrete)
 *   → value [batch, 1] from the critic; action_mean = the raw head output; log_std (Gaussian)
 * recurrent policies: state_in [batch, state] → state_out, one control step per call
 * </pre>
 *
 * Initializers carry the learner's parameter names (actor.*, critic.*, obs_mean, obs_std), so a
 * deployed file can be read back into the learner ({@link OnnxImporter}). Keys of
 * {@code metadata_props} are documented in docs/ONNX.md.
 */
public final class OnnxExporter {
    public static final String FORMAT = "ppo_node.policy.v1";
    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxExporter() {}

    /** Exports {@code p}; {@code deployment} adds the robot's metadata (joints, limits, rates, hashes). */
    public static byte[] export(Policy p, Map<String, String> deployment) {
        ActorCritic net = p.net;
        if (!supported(net.cfg.backbone())) {
            throw new IllegalArgumentException("ONNX export supports MLP, Transformer and recurrent (MLP + LSTM/GRU) policies; this policy's backbone is '"
                    + net.cfg.backbone() + "'");
        }
        GraphBuilder g = new GraphBuilder();
        float[] actor = net.actor.toHost(), critic = net.critic.toHost();
        for (ParamGroup.Slot s : net.actor.slots()) g.initializer("actor." + s.name(), slice(actor, s), s.shape());
        for (ParamGroup.Slot s : net.critic.slots()) g.initializer("critic." + s.name(), slice(critic, s), s.shape());
        g.graph.setName("ppo_node_policy");
        g.graph.addInput(GraphBuilder.tensor("obs", net.obsDim));
        String x = "obs";
        if (p.obsRms != null) {
            float[] mean = new float[net.obsDim], std = new float[net.obsDim];
            double[] m = p.obsRms.mean();
            for (int j = 0; j < mean.length; j++) {
                mean[j] = (float) m[j];
                std[j] = (float) p.obsRms.std(j);
            }
            x = g.op("Sub", new String[] {x, g.initializer("obs_mean", mean, net.obsDim)});
            x = g.op("Div", new String[] {x, g.initializer("obs_std", std, net.obsDim)});
            if (p.cfg.obsClip != null) {
                float c = p.cfg.obsClip.floatValue();
                x = g.op("Clip", new String[] {x, g.scalar("obs_clip_low", -c), g.scalar("obs_clip_high", c)});
            }
        }
        String featA = body(g, "actor.", net.actorBody, x);
        String featC = net.criticBody == null ? featA : body(g, "critic.", net.criticBody, x);
        if (net.recurrent()) {
            int s = net.stateSize();
            g.graph.addInput(GraphBuilder.tensor("state_in", s));
            int sa = net.actorRnn.stateSize();
            String[] outs = new String[2];
            String stateA = "state_in", stateC = null;
            if (net.criticRnn != null) {
                stateA = g.fresh("state_actor");
                stateC = g.fresh("state_critic");
                g.node("Split", new String[] {"state_in", g.int64s(g.fresh("split"), sa, s - sa)}, new String[] {stateA, stateC},
                        GraphBuilder.intAttr("axis", 1));
            }
            String[] ra = rnn(g, "actor.", net.actorRnn, featA, stateA);
            featA = ra[0];
            outs[0] = ra[1];
            if (net.criticRnn != null) {
                String[] rc = rnn(g, "critic.", net.criticRnn, featC, stateC);
                featC = rc[0];
                outs[1] = rc[1];
                g.node("Concat", new String[] {outs[0], outs[1]}, new String[] {"state_out"}, GraphBuilder.intAttr("axis", 1));
            } else {
                featC = featA;
                g.rename(outs[0], "state_out");
            }
            g.graph.addOutput(GraphBuilder.tensor("state_out", s));
        }
        String head = linear(g, "actor.", net.actorHead, featA);
        String value = linear(g, "critic.", net.valueHead, featC);
        g.rename(value, "value");
        g.rename(head, "action_mean");
        String action = actionOutput(g, net, p.actSpace, head);
        g.rename(action, "action");
        g.graph.addOutput(GraphBuilder.tensor("action", net.dist.envDim()));
        g.graph.addOutput(GraphBuilder.tensor("value", 1));
        g.graph.addOutput(GraphBuilder.tensor("action_mean", net.dist.headDim()));
        if (net.dist instanceof DiagGaussian d) {
            String ls = g.op("Clip", new String[] {"actor." + d.logStdSlot().name(), g.scalar("log_std_low", -20f), g.scalar("log_std_high", 2f)});
            g.rename(ls, "log_std");
            g.graph.addOutput(GraphBuilder.fixedTensor("log_std", net.dist.envDim()));
        }
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("ppo_node")
                .setProducerVersion(Version.get()).setDomain("dev.pponode").setModelVersion(1)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(g.graph);
        metadata(p, deployment).forEach((k, v) -> model.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    /** Exports to {@code out} atomically (temporary file, then rename). */
    public static void write(Policy p, Map<String, String> deployment, Path out) throws IOException {
        AtomicFile.write(out, export(p, deployment));
    }

    static Map<String, String> metadata(Policy p, Map<String, String> deployment) {
        ActorCritic net = p.net;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ppo_node.format", FORMAT);
        m.put("ppo_node.producer", "ppo_node " + Version.get());
        m.put("ppo_node.env_id", p.cfg.envId);
        m.put("ppo_node.distribution", net.dist.getClass().getSimpleName());
        m.put("ppo_node.observation_size", String.valueOf(net.obsDim));
        m.put("ppo_node.action_size", String.valueOf(net.dist.envDim()));
        m.put("ppo_node.action_scaling", scaling(net));
        if (p.actSpace instanceof Space.Box b) {
            m.put("ppo_node.action_low", json(b.low()));
            m.put("ppo_node.action_high", json(b.high()));
        } else {
            m.put("ppo_node.action_choices", String.valueOf(((Space.Discrete) p.actSpace).n()));
        }
        m.put("ppo_node.obs_normalization", p.obsRms == null ? "none" : "baked");
        m.put("ppo_node.obs_clip", p.obsRms == null || p.cfg.obsClip == null ? "none" : String.valueOf(p.cfg.obsClip));
        if (p.obsRms != null) m.put("ppo_node.obs_rms_count", String.valueOf(p.obsRms.count()));
        m.put("ppo_node.recurrent_state_size", String.valueOf(net.stateSize()));
        m.put("ppo_node.observation_layout", deployment.getOrDefault("ppo_node.observation_layout",
                "[{\"term\":\"observation\",\"size\":" + net.obsDim + "}]"));
        m.put("ppo_node.config", json(p.cfg.toMap()));
        deployment.forEach((k, v) -> m.putIfAbsent(k, v));
        return m;
    }

    private static String scaling(ActorCritic net) {
        if (net.dist instanceof Categorical) return "argmax";
        if (net.dist instanceof TanhGaussian) return "tanh_affine";
        if (net.dist instanceof BetaDistribution) return "beta_mean_affine";
        return "clip";
    }

    private static String actionOutput(GraphBuilder g, ActorCritic net, Space actSpace, String head) {
        if (net.dist instanceof Categorical) {
            String idx = g.op("ArgMax", new String[] {head}, GraphBuilder.intAttr("axis", 1), GraphBuilder.intAttr("keepdims", 1));
            return g.op("Cast", new String[] {idx}, GraphBuilder.intAttr("to", OnnxMl.TensorProto.DataType.FLOAT.getNumber()));
        }
        Space.Box box = (Space.Box) actSpace;
        int n = box.flatDim();
        float[] lo = finite(box.low()), hi = finite(box.high());
        String low = g.initializer("action_low", lo, n), high = g.initializer("action_high", hi, n);
        String a;
        if (net.dist instanceof TanhGaussian) {
            float[] mid = new float[n], half = new float[n];
            for (int i = 0; i < n; i++) {
                mid[i] = (float) ((box.low()[i] + (double) box.high()[i]) / 2);
                half[i] = (float) ((box.high()[i] - (double) box.low()[i]) / 2);
            }
            a = g.op("Tanh", new String[] {head});
            a = g.op("Mul", new String[] {a, g.initializer("action_half_range", half, n)});
            a = g.op("Add", new String[] {a, g.initializer("action_mid", mid, n)});
        } else if (net.dist instanceof BetaDistribution) {
            String ab = g.op("Softplus", new String[] {head});
            ab = g.op("Add", new String[] {ab, g.scalar("one", 1f)});
            String alpha = g.fresh("alpha"), beta = g.fresh("beta");
            g.node("Split", new String[] {ab, g.int64s("beta_split", n, n)}, new String[] {alpha, beta}, GraphBuilder.intAttr("axis", 1));
            String mean = g.op("Div", new String[] {alpha, g.op("Add", new String[] {alpha, beta})});
            float[] span = new float[n];
            for (int i = 0; i < n; i++) span[i] = box.high()[i] - box.low()[i];
            a = g.op("Add", new String[] {g.op("Mul", new String[] {mean, g.initializer("action_span", span, n)}), low});
        } else {
            a = head;
        }
        // the last word: never outside the limits, whatever rounding did
        return g.op("Max", new String[] {g.op("Min", new String[] {a, high}), low});
    }

    private static float[] finite(float[] v) {
        float[] o = v.clone();
        for (int i = 0; i < o.length; i++) if (Float.isInfinite(o[i])) o[i] = o[i] > 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
        return o;
    }

    /** Whether {@code backbone} can be exported. */
    public static boolean supported(String backbone) {
        return backbone.equals("mlp") || backbone.equals("transformer");
    }

    private static String body(GraphBuilder g, String prefix, Backbone b, String x) {
        if (b instanceof MlpBackbone m) return mlp(g, prefix, m, x);
        return transformer(g, prefix, (TransformerBackbone) b, x);
    }

    /** Pre-norm encoder layers as LayerNormalization, MatMul, Softmax; mean pool over the tokens. */
    private static String transformer(GraphBuilder g, String prefix, TransformerBackbone t, String x) {
        int s = t.seqLen(), d = t.outputDim(), h = t.heads(), dh = d / h;
        x = g.op("Reshape", new String[] {x, g.int64s(g.fresh("shape"), 0, s, t.tokenDim())});
        x = g.op("Add", new String[] {matmulLinear(g, prefix, t.inputProj(), x), prefix + t.positions().name()});
        String heads = g.int64s(g.fresh("shape"), 0, s, h, dh), merged = g.int64s(g.fresh("shape"), 0, s, d);
        String scale = g.scalar(g.fresh("scale"), (float) Math.sqrt(dh));
        for (TransformerBackbone.EncoderLayer l : t.layers()) {
            String y = g.op("LayerNormalization", new String[] {x, prefix + l.ln1w().name(), prefix + l.ln1b().name()},
                    GraphBuilder.intAttr("axis", -1), GraphBuilder.floatAttr("epsilon", 1e-5f));
            String qkv = matmulLinear(g, prefix, l.inProj(), y);
            String[] parts = {g.fresh("q"), g.fresh("k"), g.fresh("v")};
            g.node("Split", new String[] {qkv, g.int64s(g.fresh("split"), d, d, d)}, parts, GraphBuilder.intAttr("axis", 2));
            String[] qkvh = new String[3];
            for (int i = 0; i < 3; i++) {
                qkvh[i] = g.op("Transpose", new String[] {g.op("Reshape", new String[] {parts[i], heads})}, GraphBuilder.intsAttr("perm", 0, 2, 1, 3));
            }
            String kt = g.op("Transpose", new String[] {qkvh[1]}, GraphBuilder.intsAttr("perm", 0, 1, 3, 2));
            String att = g.op("Softmax", new String[] {g.op("Div", new String[] {g.op("MatMul", new String[] {qkvh[0], kt}), scale})},
                    GraphBuilder.intAttr("axis", -1));
            String o = g.op("Transpose", new String[] {g.op("MatMul", new String[] {att, qkvh[2]})}, GraphBuilder.intsAttr("perm", 0, 2, 1, 3));
            x = g.op("Add", new String[] {x, matmulLinear(g, prefix, l.outProj(), g.op("Reshape", new String[] {o, merged}))});
            y = g.op("LayerNormalization", new String[] {x, prefix + l.ln2w().name(), prefix + l.ln2b().name()},
                    GraphBuilder.intAttr("axis", -1), GraphBuilder.floatAttr("epsilon", 1e-5f));
            y = matmulLinear(g, prefix, l.ff2(), activation(g, t.activation(), matmulLinear(g, prefix, l.ff1(), y)));
            x = g.op("Add", new String[] {x, y});
        }
        return g.op("ReduceMean", new String[] {x}, GraphBuilder.intsAttr("axes", 1), GraphBuilder.intAttr("keepdims", 0));
    }

    /** y = x Wᵀ + b for inputs of any rank (Gemm takes only 2-D). */
    private static String matmulLinear(GraphBuilder g, String prefix, Linear l, String x) {
        String wt = g.op("Transpose", new String[] {prefix + l.weight.name()}, GraphBuilder.intsAttr("perm", 1, 0));
        return g.op("Add", new String[] {g.op("MatMul", new String[] {x, wt}), prefix + l.bias.name()});
    }

    private static String mlp(GraphBuilder g, String prefix, MlpBackbone b, String x) {
        for (Linear l : b.layers()) x = activation(g, b.activation(), linear(g, prefix, l, x));
        return x;
    }

    private static String linear(GraphBuilder g, String prefix, Linear l, String x) {
        // learner weights are [out, in] (PyTorch layout): Gemm with transB = 1
        return g.op("Gemm", new String[] {x, prefix + l.weight.name(), prefix + l.bias.name()}, GraphBuilder.intAttr("transB", 1));
    }

    static String activation(GraphBuilder g, Activation a, String x) {
        return switch (a) {
            case TANH -> g.op("Tanh", new String[] {x});
            case RELU -> g.op("Relu", new String[] {x});
            case ELU -> g.op("Elu", new String[] {x}, GraphBuilder.floatAttr("alpha", 1f));
            case LEAKY_RELU -> g.op("LeakyRelu", new String[] {x}, GraphBuilder.floatAttr("alpha", 0.01f));
            case SILU -> g.op("Mul", new String[] {x, g.op("Sigmoid", new String[] {x})});
            case GELU -> { // opset 17 has no Gelu: 0.5·x·(1 + erf(x/√2))
                String e = g.op("Erf", new String[] {g.op("Div", new String[] {x, g.scalar(g.fresh("sqrt2"), (float) Math.sqrt(2))})});
                String one = g.op("Add", new String[] {e, g.scalar(g.fresh("one"), 1f)});
                yield g.op("Mul", new String[] {g.op("Mul", new String[] {x, one}), g.scalar(g.fresh("half"), 0.5f)});
            }
        };
    }

    /** One LSTM/GRU step (PyTorch gate order), returning {output h, new state}. */
    private static String[] rnn(GraphBuilder g, String prefix, RecurrentCore r, String x, String state) {
        ParamGroup.Slot[] s = r.slots();
        int h = r.hidden();
        String xi = g.op("Gemm", new String[] {x, prefix + s[0].name(), prefix + s[2].name()}, GraphBuilder.intAttr("transB", 1));
        String hPrev = state, cPrev = null;
        if (r.lstm()) {
            hPrev = g.fresh("h_prev");
            cPrev = g.fresh("c_prev");
            g.node("Split", new String[] {state, g.int64s(g.fresh("split"), h, h)}, new String[] {hPrev, cPrev}, GraphBuilder.intAttr("axis", 1));
        }
        String hh = g.op("Gemm", new String[] {hPrev, prefix + s[1].name(), prefix + s[3].name()}, GraphBuilder.intAttr("transB", 1));
        if (r.lstm()) {
            String sum = g.op("Add", new String[] {xi, hh});
            String[] gates = {g.fresh("i"), g.fresh("f"), g.fresh("g"), g.fresh("o")};
            g.node("Split", new String[] {sum, g.int64s(g.fresh("split"), h, h, h, h)}, gates, GraphBuilder.intAttr("axis", 1));
            String i = g.op("Sigmoid", new String[] {gates[0]}), f = g.op("Sigmoid", new String[] {gates[1]});
            String gg = g.op("Tanh", new String[] {gates[2]}), o = g.op("Sigmoid", new String[] {gates[3]});
            String c = g.op("Add", new String[] {g.op("Mul", new String[] {f, cPrev}), g.op("Mul", new String[] {i, gg})});
            String hn = g.op("Mul", new String[] {o, g.op("Tanh", new String[] {c})});
            return new String[] {hn, g.op("Concat", new String[] {hn, c}, GraphBuilder.intAttr("axis", 1))};
        }
        String[] xs = {g.fresh("xr"), g.fresh("xz"), g.fresh("xn")}, hs = {g.fresh("hr"), g.fresh("hz"), g.fresh("hn")};
        g.node("Split", new String[] {xi, g.int64s(g.fresh("split"), h, h, h)}, xs, GraphBuilder.intAttr("axis", 1));
        g.node("Split", new String[] {hh, g.int64s(g.fresh("split"), h, h, h)}, hs, GraphBuilder.intAttr("axis", 1));
        String rr = g.op("Sigmoid", new String[] {g.op("Add", new String[] {xs[0], hs[0]})});
        String z = g.op("Sigmoid", new String[] {g.op("Add", new String[] {xs[1], hs[1]})});
        String n = g.op("Tanh", new String[] {g.op("Add", new String[] {xs[2], g.op("Mul", new String[] {rr, hs[2]})})});
        String oneMinusZ = g.op("Sub", new String[] {g.scalar(g.fresh("one"), 1f), z});
        String hn = g.op("Add", new String[] {g.op("Mul", new String[] {oneMinusZ, n}), g.op("Mul", new String[] {z, hPrev})});
        return new String[] {hn, hn};
    }

    private static float[] slice(float[] flat, ParamGroup.Slot s) {
        return Arrays.copyOfRange(flat, s.offset(), s.offset() + s.size());
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
