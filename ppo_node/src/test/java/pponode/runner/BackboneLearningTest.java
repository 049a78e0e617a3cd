package pponode.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.EnvRng;
import pponode.env.Space;
import pponode.env.StepResult;

/** The Transformer and Nature-CNN backbones train through the same learner. */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class BackboneLearningTest {
    @Test
    void transformerBackboneSolvesCartPole() throws IOException {
        PPOConfig cfg = new PPOConfig();
        Presets.apply(cfg, "CartPole-v1");
        cfg.apply(List.of("seed=1", "backbone=transformer", "transformer_d_model=32", "transformer_layers=1", "transformer_ffn_dim=64",
                "transformer_heads=2"));
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make("CartPole-v1", s), null)) {
            r.learn(null);
            EvalResult ev = r.evaluate(10, 10_001);
            System.out.printf("transformer CartPole: %.1f%n", ev.mean());
            assertTrue(ev.mean() >= 475, "transformer backbone on CartPole-v1: " + ev.mean());
        }
    }

    /**
     * A one-step visual task: a bright square appears in the left or right half of a 1×36×36
     * image (pixel values 0..255); the action must name the side. Reward 1 when right, else 0.
     */
    static final class BrightSide implements Env {
        private final EnvRng rng;
        private final Space.Box space;
        private int side;

        BrightSide(long seed) {
            rng = new EnvRng(seed);
            float[] lo = new float[36 * 36], hi = new float[36 * 36];
            Arrays.fill(hi, 255f);
            space = new Space.Box(lo, hi, new int[] {1, 36, 36});
        }

        @Override
        public Space observationSpace() {
            return space;
        }

        @Override
        public Space actionSpace() {
            return new Space.Discrete(2);
        }

        @Override
        public float[] reset(Long seed) {
            if (seed != null) rng.seed(seed);
            side = rng.uniform(0, 1) < 0.5 ? 0 : 1;
            float[] img = new float[36 * 36];
            int r0 = (int) rng.uniform(2, 26), c0 = (int) rng.uniform(2, 8) + side * 18;
            for (int r = r0; r < r0 + 8; r++) for (int c = c0; c < c0 + 8; c++) img[r * 36 + c] = 255f;
            for (int k = 0; k < img.length; k++) img[k] = Math.min(255f, img[k] + (float) rng.uniform(0, 30)); // noise
            return img;
        }

        @Override
        public StepResult step(float[] a) {
            double reward = a[0] == side ? 1.0 : 0.0; // judged before the next image is drawn
            return new StepResult(reset(null), reward, true, false);
        }
    }

    @Test
    void natureCnnLearnsAVisualTask() throws IOException {
        PPOConfig cfg = new PPOConfig().apply(List.of("backbone=cnn", "cnn_channels=8,16", "cnn_kernels=8,4", "cnn_strides=4,2",
                "hidden_sizes=64", "activation=relu", "normalise_obs=false", "normalise_rewards=false", "num_envs=8", "rollout_steps=16",
                "minibatch_size=64", "n_epochs=4", "total_timesteps=4096", "lr_actor=1e-3", "lr_critic=1e-3", "entropy_coef=0.0", "seed=3"));
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, BrightSide::new, null)) {
            r.learn(null);
            System.out.printf("cnn training mean return (last 100 episodes): %.3f%n", r.episodes.meanReturn());
            EvalResult ev = r.policy().evaluate(BrightSide::new, 200, 77);
            System.out.printf("cnn bright-side accuracy: %.3f%n", ev.mean());
            assertTrue(ev.mean() >= 0.95, "CNN accuracy on the bright-side task: " + ev.mean());
        }
    }
}
