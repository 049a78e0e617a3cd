package pponode.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import pponode.TestSupport;

class BackboneTest {
    @Test
    void transformerIsPermutationInvariantWithoutPositionsAndEveryParameterGetsGradient() {
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(2);
        ParamGroup g = new ParamGroup("actor");
        int seq = 3, tok = 4;
        TransformerBackbone tb = new TransformerBackbone(g, "tf", seq * tok, seq, 16, 4, 2, 32, Activation.GELU, true, rng);
        // zero the learned positional encoding: self-attention + mean pooling must then ignore token order
        float[] v = g.toHost();
        ParamGroup.Slot pos = g.slots().stream().filter(s -> s.name().endsWith("pos_encoding")).findFirst().orElseThrow();
        Arrays.fill(v, pos.offset(), pos.offset() + pos.size(), 0f);
        g.load(v);
        try (NDManager m = TestSupport.cpuManager()) {
            g.materialize(m);
            float[] x = new float[2 * seq * tok];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
            float[] perm = x.clone(); // swap tokens 0 and 2 of each sample
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < tok; j++) {
                    perm[b * seq * tok + j] = x[b * seq * tok + 2 * tok + j];
                    perm[b * seq * tok + 2 * tok + j] = x[b * seq * tok + j];
                }
            }
            float[] out, outPerm;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = tb.forward(g.bind(), m.create(x, new Shape(2, seq * tok)));
                out = y.toFloatArray();
                gc.backward(y.square().sum());
            }
            outPerm = tb.forward(g.bind(), m.create(perm, new Shape(2, seq * tok))).toFloatArray();
            assertEquals(2 * 16, out.length);
            for (int i = 0; i < out.length; i++) assertEquals(out[i], outPerm[i], 1e-5);
            float[] grad = g.flat().getGradient().toFloatArray();
            List<String> noGrad = new ArrayList<>();
            for (ParamGroup.Slot s : g.slots()) {
                double sum = 0;
                for (int k = s.offset(); k < s.offset() + s.size(); k++) sum += Math.abs(grad[k]);
                if (sum == 0 && !s.name().endsWith("pos_encoding")) noGrad.add(s.name());
            }
            assertTrue(noGrad.isEmpty(), "parameters without gradient: " + noGrad);
        }
    }

    @Test
    void natureCnnOutputShapeAndPixelScaling() {
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(3);
        ParamGroup g = new ParamGroup("actor");
        NatureCnnBackbone cnn = new NatureCnnBackbone(g, "cnn", new int[] {4, 84, 84}, new int[] {32, 64, 64}, new int[] {8, 4, 3},
                new int[] {4, 2, 1}, new int[] {512}, Activation.RELU, true, 1f / 255, rng);
        assertEquals(512, cnn.outputDim());
        // Nature DQN: 84 → 20 → 9 → 7, 64·7·7 = 3136 inputs to the 512 layer
        assertTrue(g.slots().stream().anyMatch(s -> s.name().equals("cnn.fc.0.weight") && s.shape()[1] == 3136));
        try (NDManager m = TestSupport.cpuManager()) {
            g.materialize(m);
            NDArray y = cnn.forward(g.bind(), m.ones(new Shape(2, 4 * 84 * 84)).mul(255f));
            assertEquals(new Shape(2, 512), y.getShape());
        }
    }
}
