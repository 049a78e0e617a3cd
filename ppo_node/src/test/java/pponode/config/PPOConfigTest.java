package pponode.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class PPOConfigTest {
    @Test
    void defaultsMatchTheReference() {
        PPOConfig c = new PPOConfig();
        assertEquals("CartPole-v1", c.envId);
        assertEquals("discrete", c.actionSpaceType);
        assertEquals(4, c.numEnvs);
        assertEquals(42, c.seed);
        assertEquals(1_000_000, c.totalTimesteps);
        assertEquals(2048, c.rolloutSteps);
        assertEquals(10, c.nEpochs);
        assertEquals(64, c.minibatchSize);
        assertEquals(0.99, c.gamma);
        assertEquals(0.95, c.gaeLambda);
        assertEquals(0.2, c.clipEpsilon);
        assertEquals("linear", c.clipEpsilonSchedule);
        assertEquals(0.2, c.valueClipEpsilon);
        assertEquals(0.5, c.valueCoef);
        assertEquals(0.01, c.entropyCoef);
        assertEquals(0.5, c.maxGradNorm);
        assertEquals(0.02, c.targetKl);
        assertArrayEquals(new int[] {64, 64}, c.hiddenSizes);
        assertEquals("tanh", c.activation);
        assertFalse(c.sharedBackbone);
        assertEquals(-0.5, c.logStdInit);
        assertFalse(c.squashActions);
        assertEquals(3e-4, c.lrActor);
        assertEquals(1e-3, c.lrCritic);
        assertEquals(1e-5, c.adamEps);
        assertTrue(c.normaliseObs && c.normaliseRewards && c.orthoInit && c.normAdv);
        assertEquals(10.0, c.rewardClip);
        assertEquals("auto", c.device);
        c.validate();
    }

    @Test
    void setParsesCommandLineForms() {
        PPOConfig c = new PPOConfig().apply(List.of("total_timesteps=1e6", "target_kl=null", "hidden_sizes=[128, 32]", "squash_actions=true",
                "continuous_dist=gaussian", "value_clip_epsilon=none"));
        assertEquals(1_000_000, c.totalTimesteps);
        assertNull(c.targetKl);
        assertNull(c.valueClipEpsilon);
        assertArrayEquals(new int[] {128, 32}, c.hiddenSizes);
        assertTrue(c.squashActions);
    }

    @Test
    void yamlAppliesAndRejectsUnknownKeysByName() {
        PPOConfig c = new PPOConfig().applyYaml(new StringReader("gamma: 0.9\nhidden_sizes: [32, 32]\ntarget_kl: ~\n"), "t.yaml");
        assertEquals(0.9, c.gamma);
        assertNull(c.targetKl);
        var e = assertThrows(PPOConfig.ConfigException.class, () -> new PPOConfig().applyYaml(new StringReader("gama: 0.9\n"), "t.yaml"));
        assertTrue(e.getMessage().contains("t.yaml") && e.getMessage().contains("'gama'") && e.getMessage().contains("did you mean 'gamma'"), e.getMessage());
        var e2 = assertThrows(PPOConfig.ConfigException.class, () -> new PPOConfig().applyYaml(new StringReader("[1, 2]"), "list.yaml"));
        assertTrue(e2.getMessage().contains("list.yaml"));
    }

    @Test
    void badValuesAreRejectedByName() {
        assertRejected("gamma", "gamma=1.5");
        assertRejected("lr_schedule", "lr_schedule=exponential");
        assertRejected("minibatch_size", "minibatch_size=100000");
        assertRejected("hidden_sizes", "hidden_sizes=64,x");
        assertRejected("num_envs", "num_envs=2.5");
        assertRejected("squash_actions", "continuous_dist=beta", "squash_actions=true");
        assertRejected("clip_epsilon", "clip_epsilon=nan");
        assertRejected("use_wandb", "use_wandb=true");
        assertRejected("device", "device=mps");
        assertRejected("normalise_obs", "normalise_obs=yes");
        assertRejected("activation", "activation=swish");
    }

    private static void assertRejected(String key, String... assignments) {
        var e = assertThrows(PPOConfig.ConfigException.class, () -> new PPOConfig().apply(List.of(assignments)).validate());
        assertTrue(e.getMessage().contains("'" + key + "'"), "message should name " + key + ": " + e.getMessage());
    }

    @Test
    void shippedPresetsLoadAndValidate() {
        for (String env : List.of("CartPole-v1", "Pendulum-v1")) {
            PPOConfig c = new PPOConfig();
            assertTrue(Presets.apply(c, env), env);
            assertEquals(env, c.envId);
            c.validate();
        }
        PPOConfig p = new PPOConfig();
        Presets.apply(p, "Pendulum-v1");
        assertTrue(p.squashActions, "the Pendulum preset uses the tanh-squashed Gaussian");
    }

    @Test
    void copyRoundTripsEveryKey() {
        PPOConfig c = new PPOConfig().apply(List.of("gamma=0.5", "hidden_sizes=8,8", "target_kl=null"));
        assertEquals(c.toMap().toString(), c.copy().toMap().toString());
    }
}
