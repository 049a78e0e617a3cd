package pponode.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pponode.TestSupport;
import pponode.config.PPOConfig;
import pponode.env.Space;

/** The plain-Java rollout forward pass must agree with the engine's forward pass. */
class HostParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"tanh", "relu", "elu", "gelu", "leaky_relu", "silu"})
    void hostForwardMatchesEngineForward(String activation) {
        for (boolean shared : new boolean[] {false, true}) {
            PPOConfig cfg = new PPOConfig().apply(List.of("activation=" + activation, "shared_backbone=" + shared,
                    "action_space_type=continuous", "hidden_sizes=64,64"));
            Space obs = Space.Box.symmetric(5f, 5f, 5f, 5f, 5f, 5f);
            Space act = Space.Box.symmetric(1f, 1f);
            UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(5);
            try (NDManager m = TestSupport.cpuManager()) {
                ActorCritic ac = new ActorCritic(cfg.network(), obs, act, rng);
                // Non-trivial weights: ortho init puts the heads near zero, which would hide errors.
                float[] a = ac.actor.toHost(), c = ac.critic.toHost();
                for (int i = 0; i < a.length; i++) a[i] += (float) (rng.nextDouble() - 0.5) * 0.3f;
                for (int i = 0; i < c.length; i++) c[i] += (float) (rng.nextDouble() - 0.5) * 0.3f;
                ac.actor.load(a);
                ac.critic.load(c);
                ac.materialize(m);
                assertTrue(ac.hostInference());
                int n = 1000;
                float[][] x = new float[n][6];
                float[] flat = new float[n * 6];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < 6; j++) x[i][j] = flat[i * 6 + j] = (float) (rng.nextDouble() * 6 - 3);
                }
                float[][] head = new float[n][2];
                float[] values = new float[n];
                ac.act(x, n, head, values);
                ActorCritic.Output o = ac.forward(m.create(flat, new Shape(n, 6)));
                float[] th = o.head().toFloatArray(), tv = o.value().toFloatArray();
                double maxDiff = 0;
                for (int i = 0; i < n; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(values[i] - tv[i]));
                    for (int k = 0; k < 2; k++) maxDiff = Math.max(maxDiff, Math.abs(head[i][k] - th[i * 2 + k]));
                }
                assertEquals(0, maxDiff, 1e-5, activation + (shared ? " shared" : " separate"));
            }
        }
    }
}
