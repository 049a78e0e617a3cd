package pponode.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pponode.TestSupport;
import pponode.config.PPOConfig;
import pponode.env.Space;

/**
 * The update replays rollout sequences through the engine; it must see exactly the hidden states
 * the rollout saw step by step on the host, including resets at episode starts.
 */
class RecurrentParityTest {
    @ParameterizedTest
    @CsvSource({"lstm,false", "lstm,true", "gru,false", "gru,true"})
    void sequenceReplayMatchesStepByStepRollout(String type, boolean shared) {
        PPOConfig cfg = new PPOConfig().apply(List.of("recurrent=true", "rnn_type=" + type, "rnn_hidden_size=16", "hidden_sizes=32",
                "shared_backbone=" + shared, "action_space_type=continuous"));
        UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(21);
        int steps = 12, envs = 3, obsDim = 4;
        try (NDManager m = TestSupport.cpuManager()) {
            ActorCritic ac = new ActorCritic(cfg.network(), Space.Box.symmetric(1f, 1f, 1f, 1f), Space.Box.symmetric(1f, 1f), rng);
            ac.materialize(m);
            int s = ac.stateSize();
            float[][] state = new float[envs][s];
            for (float[] st : state) for (int j = 0; j < s; j++) st[j] = (float) (rng.nextDouble() - 0.5); // mid-episode start
            float[] state0 = new float[envs * s];
            for (int i = 0; i < envs; i++) System.arraycopy(state[i], 0, state0, i * s, s);
            float[] flatObs = new float[steps * envs * obsDim], keep = new float[steps * envs];
            float[] hostHead = new float[steps * envs * 2], hostV = new float[steps * envs];
            float[][] obs = new float[envs][obsDim], head = new float[envs][2];
            float[] v = new float[envs];
            boolean[] starts = new boolean[envs];
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < envs; i++) {
                    starts[i] = t > 0 && (t + i) % 5 == 0; // episodes start at different steps per env
                    keep[t * envs + i] = starts[i] ? 0f : 1f;
                    for (int j = 0; j < obsDim; j++) obs[i][j] = flatObs[(t * envs + i) * obsDim + j] = (float) (rng.nextDouble() * 2 - 1);
                }
                ac.actRecurrent(obs, envs, starts, state, head, v);
                for (int i = 0; i < envs; i++) {
                    System.arraycopy(head[i], 0, hostHead, (t * envs + i) * 2, 2);
                    hostV[t * envs + i] = v[i];
                }
            }
            ActorCritic.Output o = ac.forwardSequence(m.create(flatObs, new Shape(steps * envs, obsDim)), steps, envs,
                    m.create(keep, new Shape(steps, envs, 1)), m.create(state0, new Shape(envs, s)));
            float[] th = o.head().toFloatArray(), tv = o.value().toFloatArray();
            double max = 0;
            for (int k = 0; k < th.length; k++) max = Math.max(max, Math.abs(th[k] - hostHead[k]));
            for (int k = 0; k < tv.length; k++) max = Math.max(max, Math.abs(tv[k] - hostV[k]));
            assertEquals(0, max, 1e-5);
        }
    }
}
