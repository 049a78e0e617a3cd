package pponode.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;

/**
 * Learning with the shipped presets, fixed seeds and budgets, judged by deterministic evaluation
 * (10 episodes, as {@code train} reports). These are the acceptance bars.
 */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class LearningTest {
    static EvalResult train(String env, long seed, long steps) throws IOException {
        PPOConfig cfg = new PPOConfig();
        Presets.apply(cfg, env);
        cfg.apply(List.of("seed=" + seed, "total_timesteps=" + steps));
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make(env, s), null)) {
            r.learn(null);
            EvalResult ev = r.evaluate(cfg.evalEpisodes, seed + 10_000);
            System.out.printf("%s seed %d: %d steps, eval %.2f ± %.2f%n", env, seed, r.globalStep(), ev.mean(), ev.std());
            return ev;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void cartPoleSolvedWithin50kSteps(long seed) throws IOException {
        EvalResult ev = train("CartPole-v1", seed, 50_000);
        assertTrue(ev.mean() >= 475, "CartPole-v1 seed " + seed + ": deterministic eval " + ev.mean() + " < 475");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void pendulumWithTanhSquashedGaussianWithin100kSteps(long seed) throws IOException {
        EvalResult ev = train("Pendulum-v1", seed, 100_000);
        assertTrue(ev.mean() >= -250, "Pendulum-v1 seed " + seed + ": deterministic eval " + ev.mean() + " < -250");
    }

    /** The default task: 300k steps (about 35 s on 2 cores), 20 deterministic evaluation episodes. */
    @Test
    void reacherBringsTheFingertipWithin2cm() throws IOException {
        EvalResult ev = train("reacher_2dof", 1, 300_000);
        double d = ev.metrics().get("final_distance");
        System.out.printf("reacher_2dof seed 1: mean final fingertip distance %.4f m%n", d);
        assertTrue(d <= 0.02, "reacher_2dof: mean final fingertip distance " + d + " m > 0.02 m");
    }
}
