package pponode.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The reference's {@code TransformerPolicyBackbone}: input projection, learned positional
 * encoding, pre-norm encoder layers (self-attention + feed-forward, as
 * {@code nn.TransformerEncoderLayer(norm_first=True, batch_first=True)}), mean pool over the
 * sequence. A flat observation of {@code seq_len * token_dim} values is read as seq_len tokens.
 */
public final class TransformerBackbone implements Backbone {
    private final int seqLen, tokenDim, dModel, heads;
    private final Linear inputProj;
    private final ParamGroup.Slot pos;
    private final EncoderLayer[] layers;
    private final Activation act;

    /** One pre-norm encoder layer's parameters. */
    public record EncoderLayer(ParamGroup.Slot ln1w, ParamGroup.Slot ln1b, Linear inProj, Linear outProj,
                                ParamGroup.Slot ln2w, ParamGroup.Slot ln2b, Linear ff1, Linear ff2) {}

    public TransformerBackbone(ParamGroup g, String prefix, int obsDim, int seqLen, int dModel, int heads, int nLayers, int ffnDim,
                               Activation act, boolean orthoInit, UniformRandomProvider rng) {
        if (obsDim % seqLen != 0) {
            throw new IllegalArgumentException("observation size " + obsDim + " is not a multiple of transformer_seq_len " + seqLen);
        }
        this.seqLen = seqLen;
        this.tokenDim = obsDim / seqLen;
        this.dModel = dModel;
        this.heads = heads;
        this.act = act;
        inputProj = new Linear(g, prefix + ".input_proj", tokenDim, dModel, orthoInit ? Math.sqrt(2) : null, rng);
        pos = g.add(prefix + ".pos_encoding", Init.normal(seqLen * dModel, 0.02, rng), 1, seqLen, dModel);
        layers = new EncoderLayer[nLayers];
        for (int i = 0; i < nLayers; i++) {
            String p = prefix + ".transformer.layers." + i;
            ParamGroup.Slot ln1w = g.add(p + ".norm1.weight", Init.constant(dModel, 1f), dModel);
            ParamGroup.Slot ln1b = g.add(p + ".norm1.bias", new float[dModel], dModel);
            Linear in = new Linear(g, p + ".self_attn.in_proj", dModel, 3 * dModel, null, rng);
            Linear out = new Linear(g, p + ".self_attn.out_proj", dModel, dModel, null, rng);
            ParamGroup.Slot ln2w = g.add(p + ".norm2.weight", Init.constant(dModel, 1f), dModel);
            ParamGroup.Slot ln2b = g.add(p + ".norm2.bias", new float[dModel], dModel);
            Linear ff1 = new Linear(g, p + ".linear1", dModel, ffnDim, null, rng);
            Linear ff2 = new Linear(g, p + ".linear2", ffnDim, dModel, null, rng);
            layers[i] = new EncoderLayer(ln1w, ln1b, in, out, ln2w, ln2b, ff1, ff2);
        }
    }

    @Override
    public int outputDim() {
        return dModel;
    }

    public int seqLen() {
        return seqLen;
    }

    public int tokenDim() {
        return tokenDim;
    }

    public int heads() {
        return heads;
    }

    public Linear inputProj() {
        return inputProj;
    }

    public ParamGroup.Slot positions() {
        return pos;
    }

    public EncoderLayer[] layers() {
        return layers.clone();
    }

    public Activation activation() {
        return act;
    }

    @Override
    public NDArray forward(NDArray[] p, NDArray obs) {
        long b = obs.getShape().get(0);
        NDArray x = obs.reshape(b, seqLen, tokenDim);
        x = inputProj.forward(p, x).add(p[pos.index()]);
        int dh = dModel / heads;
        for (EncoderLayer l : layers) {
            NDArray h = LayerNorm.layerNorm(x, new Shape(dModel), p[l.ln1w.index()], p[l.ln1b.index()], 1e-5f).head();
            NDArray qkv = l.inProj.forward(p, h); // [B, S, 3D]
            NDArray q = qkv.get(":, :, 0:" + dModel).reshape(b, seqLen, heads, dh).transpose(0, 2, 1, 3);
            NDArray k = qkv.get(":, :, " + dModel + ":" + 2 * dModel).reshape(b, seqLen, heads, dh).transpose(0, 2, 1, 3);
            NDArray v = qkv.get(":, :, " + 2 * dModel + ":").reshape(b, seqLen, heads, dh).transpose(0, 2, 1, 3);
            NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).div(Scalars.of(q, (float) Math.sqrt(dh))).softmax(-1);
            NDArray o = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, seqLen, dModel);
            x = x.add(l.outProj.forward(p, o));
            h = LayerNorm.layerNorm(x, new Shape(dModel), p[l.ln2w.index()], p[l.ln2b.index()], 1e-5f).head();
            x = x.add(l.ff2.forward(p, act.apply(l.ff1.forward(p, h))));
        }
        return x.mean(new int[] {1});
    }
}
