package pponode.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The reference's {@code CNNBackbone} (Nature DQN): conv 32×8/4, 64×4/2, 64×3/1, flatten,
 * fully connected 512. Observations are [C, H, W] images.
 *
 * <p>Pixel scaling is decided once from the observation space (high bound of 255 → divide by
 * 255), not per batch as the reference does with {@code x.max() > 1}, which scaled a batch of dark
 * frames differently from a batch of bright ones.
 */
public final class NatureCnnBackbone implements Backbone {
    private final int c, h, w;
    private final ParamGroup.Slot[] convW, convB;
    private final int[] strides;
    private final Linear[] fc;
    private final Activation act;
    private final float pixelScale;

    public NatureCnnBackbone(ParamGroup g, String prefix, int[] obsShape, int[] channels, int[] kernels, int[] strides, int[] fcSizes,
                             Activation act, boolean orthoInit, float pixelScale, UniformRandomProvider rng) {
        if (obsShape.length != 3) {
            throw new IllegalArgumentException("the cnn backbone needs [channels, height, width] observations, got shape " + Arrays.toString(obsShape));
        }
        c = obsShape[0];
        h = obsShape[1];
        w = obsShape[2];
        this.act = act;
        this.strides = strides.clone();
        this.pixelScale = pixelScale;
        convW = new ParamGroup.Slot[channels.length];
        convB = new ParamGroup.Slot[channels.length];
        int ch = c, hh = h, ww = w;
        for (int i = 0; i < channels.length; i++) {
            int k = kernels[i];
            int fanIn = ch * k * k;
            float[] wInit = orthoInit ? Init.orthogonal(channels[i], fanIn, Math.sqrt(2), rng) : Init.uniformFanIn(channels[i] * fanIn, fanIn, rng);
            float[] bInit = orthoInit ? new float[channels[i]] : Init.uniformFanIn(channels[i], fanIn, rng);
            convW[i] = g.add(prefix + ".conv." + (2 * i) + ".weight", wInit, channels[i], ch, k, k);
            convB[i] = g.add(prefix + ".conv." + (2 * i) + ".bias", bInit, channels[i]);
            hh = (hh - k) / strides[i] + 1;
            ww = (ww - k) / strides[i] + 1;
            if (hh < 1 || ww < 1) {
                throw new IllegalArgumentException("image " + h + "x" + w + " is too small for conv layer " + i + " (kernel " + k + ", stride " + strides[i] + ")");
            }
            ch = channels[i];
        }
        fc = new Linear[fcSizes.length];
        int in = ch * hh * ww;
        for (int i = 0; i < fcSizes.length; i++) {
            fc[i] = new Linear(g, prefix + ".fc." + (2 * i), in, fcSizes[i], orthoInit ? Math.sqrt(2) : null, rng);
            in = fcSizes[i];
        }
    }

    @Override
    public int outputDim() {
        return fc[fc.length - 1].out;
    }

    @Override
    public NDArray forward(NDArray[] p, NDArray obs) {
        long b = obs.getShape().get(0);
        NDArray x = obs.reshape(b, c, h, w);
        if (pixelScale != 1f) x = x.mul(pixelScale);
        for (int i = 0; i < convW.length; i++) {
            x = Conv2d.conv2d(x, p[convW[i].index()], p[convB[i].index()], new Shape(strides[i], strides[i]), new Shape(0, 0), new Shape(1, 1), 1).head();
            x = act.apply(x);
        }
        x = x.reshape(b, -1);
        for (Linear l : fc) x = act.apply(l.forward(p, x));
        return x;
    }
}
