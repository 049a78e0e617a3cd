package pponode.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;
import pponode.runner.OnPolicyRunner;
import pponode.runner.Policy;

/** ONNX Runtime's output equals the learner's deterministic output (≤ 1e-5) on 1,000 random observations. */
class OnnxParityTest {
    @TempDir
    Path dir;

    static PPOConfig config(String variant) {
        PPOConfig c = new PPOConfig();
        switch (variant) {
            case "tanh" -> Presets.apply(c, "reacher_2dof");
            case "gaussian" -> {
                Presets.apply(c, "Pendulum-v1");
                c.apply(List.of("squash_actions=false", "activation=gelu"));
            }
            case "beta" -> {
                Presets.apply(c, "Pendulum-v1");
                c.apply(List.of("squash_actions=false", "continuous_dist=beta", "activation=silu"));
            }
            case "discrete" -> {
                Presets.apply(c, "CartPole-v1");
                c.apply(List.of("normalise_obs=true", "shared_backbone=true", "activation=relu"));
            }
            case "lstm" -> {
                Presets.apply(c, "reacher_2dof");
                c.apply(List.of("recurrent=true", "rnn_hidden_size=16"));
            }
            case "transformer" -> {
                Presets.apply(c, "Pendulum-v1");
                c.apply(List.of("backbone=transformer", "transformer_d_model=16", "transformer_heads=2", "transformer_layers=2",
                        "transformer_ffn_dim=32", "transformer_seq_len=3", "activation=gelu"));
            }
            case "transformer_discrete" -> {
                Presets.apply(c, "CartPole-v1");
                c.apply(List.of("backbone=transformer", "transformer_d_model=16", "transformer_heads=4", "transformer_layers=1",
                        "transformer_ffn_dim=32", "transformer_seq_len=2", "shared_backbone=true"));
            }
            case "gru" -> {
                Presets.apply(c, "Pendulum-v1");
                c.apply(List.of("recurrent=true", "rnn_type=gru", "rnn_hidden_size=16", "shared_backbone=true"));
            }
            default -> throw new IllegalArgumentException(variant);
        }
        return c.apply(List.of("num_envs=2", "rollout_steps=64", "minibatch_size=64", "n_epochs=2", "total_timesteps=256", "seed=3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "gaussian", "beta", "discrete", "lstm", "gru", "transformer", "transformer_discrete"})
    void onnxRuntimeMatchesTheLearner(String variant) throws IOException {
        PPOConfig cfg = config(variant);
        String id = cfg.envId;
        Path onnx = dir.resolve(variant + ".onnx");
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make(id, s), null)) {
            r.runUpdates(2, null); // trained a little: normaliser statistics and weights are not at their init
            Policy p = r.policy();
            OnnxExporter.write(p, Deployment.metadata(id), onnx);
            UniformRandomProvider rng = RandomSource.XO_SHI_RO_256_PP.create(17);
            double max = 0;
            try (OnnxPolicy op = OnnxPolicy.load(onnx)) {
                for (int k = 0; k < 1000; k++) {
                    if (k % 50 == 0) { // recurrent: fresh episodes now and then, state carried in between
                        p.resetState();
                        op.resetState();
                    }
                    float[] obs = new float[p.net.obsDim];
                    for (int i = 0; i < obs.length; i++) obs[i] = (float) (rng.nextDouble() * 4 - 2);
                    float[] expected = p.predict(obs, true, null);
                    float[] got = op.act(obs);
                    for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(expected[i] - got[i]));
                }
            }
            if (!p.net.recurrent()) { // the whole batch at once: value output too, dynamic batch dimension
                int n = 1000;
                float[] flat = new float[n * p.net.obsDim];
                for (int i = 0; i < flat.length; i++) flat[i] = (float) (rng.nextDouble() * 4 - 2);
                try (OnnxPolicy op = OnnxPolicy.load(onnx)) {
                    float[] values = op.runBatch(flat, n)[1];
                    float[] o = new float[p.net.obsDim], norm = new float[p.net.obsDim];
                    for (int k = 0; k < n; k++) {
                        System.arraycopy(flat, k * o.length, o, 0, o.length);
                        max = Math.max(max, Math.abs(values[k] - p.net.value(p.normalize(o, norm))));
                    }
                }
            }
            System.out.printf("%s: max |ONNX − learner| = %.3g%n", variant, max);
            assertEquals(0, max, 1e-5, variant);
        }
    }
}
