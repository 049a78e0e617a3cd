package pponode.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The 'djl' runtime (DJL's ONNX Runtime engine) acts as the direct ONNX Runtime path does, on every shipped policy. */
class OnnxRuntimeParityTest {
    @Test
    void everyShippedPolicyActsAlikeThroughDjlAndThroughOnnxRuntime() throws IOException {
        List<Path> shipped;
        try (Stream<Path> s = Files.list(Path.of("../urdf/policies"))) {
            shipped = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertTrue(shipped.size() >= 3, "the shipped policies: " + shipped);
        SplittableRandom rng = new SplittableRandom(7);
        double worst = 0;
        for (Path policy : shipped) {
            try (OnnxPolicy ort = OnnxPolicy.load(policy, OnnxPolicy.Runtime.ORT); OnnxPolicy djl = OnnxPolicy.load(policy, OnnxPolicy.Runtime.DJL)) {
                assertEquals(ort.metadata(), djl.metadata(), policy + ": one file, one description");
                float[] obs = new float[ort.observationSize()], a = new float[ort.actionSize()], b = new float[ort.actionSize()];
                for (int k = 0; k < 200; k++) {
                    for (int j = 0; j < obs.length; j++) obs[j] = (float) rng.nextDouble(-3, 3);
                    float va = ort.act(obs, a), vb = djl.act(obs, b);
                    for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
                    assertEquals(va, vb, 1e-6, policy + " value at observation " + k);
                }
            }
        }
        System.out.printf("ort vs djl on %d shipped policies, 200 observations each: largest action difference %.3g%n", shipped.size(), worst);
        assertTrue(worst <= 1e-6, "actions differ by " + worst);
    }

    @Test
    void anUnknownRuntimeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxPolicy.Runtime.named("tensorrt"));
        assertEquals("the ONNX runtime must be 'ort' or 'djl', got 'tensorrt'", e.getMessage());
    }
}
