package pponode.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.Space;
import pponode.env.StepResult;

/**
 * CartPole with the velocities hidden (observation = cart position, pole angle): a partially
 * observable task where the policy has to remember previous observations to infer velocities.
 */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class RecurrentLearningTest {
    /** Shows only observation elements 0 and 2 of CartPole. */
    static final class PositionOnlyCartPole implements Env {
        private final Env inner;
        private final Space.Box space = Space.Box.symmetric(4.8f, 0.42f);

        PositionOnlyCartPole(long seed) {
            inner = EnvRegistry.make("CartPole-v1", seed);
        }

        private static float[] mask(float[] o) {
            return new float[] {o[0], o[2]};
        }

        @Override
        public Space observationSpace() {
            return space;
        }

        @Override
        public Space actionSpace() {
            return inner.actionSpace();
        }

        @Override
        public float[] reset(Long seed) {
            return mask(inner.reset(seed));
        }

        @Override
        public StepResult step(float[] a) {
            StepResult r = inner.step(a);
            return new StepResult(mask(r.obs()), r.reward(), r.terminated(), r.truncated());
        }
    }

    static EvalResult train(boolean recurrent) throws IOException {
        PPOConfig cfg = new PPOConfig();
        Presets.apply(cfg, "CartPole-v1");
        cfg.apply(List.of("seed=1", "total_timesteps=60000", "recurrent=" + recurrent, "rnn_hidden_size=32", "n_epochs=10"));
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, PositionOnlyCartPole::new, null)) {
            r.learn(null);
            EvalResult ev = r.policy().evaluate(PositionOnlyCartPole::new, 10, 10_001);
            System.out.printf("position-only CartPole, recurrent=%s: eval %.1f ± %.1f%n", recurrent, ev.mean(), ev.std());
            return ev;
        }
    }

    @Test
    void lstmLearnsAPartiallyObservableTaskThatAnMlpCannot() throws IOException {
        double mlp = train(false).mean();
        double lstm = train(true).mean();
        assertTrue(lstm >= 150, "LSTM policy on position-only CartPole: " + lstm);
        assertTrue(lstm > 3 * mlp, "memory should matter: LSTM " + lstm + " vs MLP " + mlp);
    }
}
