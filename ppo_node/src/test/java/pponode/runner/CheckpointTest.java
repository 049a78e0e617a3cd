package pponode.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.Space;
import pponode.env.StepResult;
import pponode.env.TimeLimit;

class CheckpointTest {
    @TempDir
    Path tmp;

    static PPOConfig pendulum() {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "Pendulum-v1");
        // small rollouts; observation and reward normalisation stay on so their state is covered
        return c.apply(List.of("rollout_steps=64", "minibatch_size=64", "n_epochs=2", "total_timesteps=2048", "seed=9"));
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws IOException {
        for (PPOConfig cfg : List.of(pendulum(), cartPole(), cartPole().apply(List.of("recurrent=true", "rnn_hidden_size=8", "n_epochs=2")),
                reacher())) {
            String id = cfg.envId;
            String tag = id + (cfg.recurrent ? "-rnn" : "");
            float[] actorA, criticA;
            double meanA;
            try (OnPolicyRunner a = new OnPolicyRunner(cfg.copy(), s -> EnvRegistry.make(id, s), tmp.resolve("a" + tag))) {
                a.runUpdates(4, null);
                actorA = a.net.actor.toHost();
                criticA = a.net.critic.toHost();
                meanA = a.episodes.meanReturn();
            }
            Path ck = tmp.resolve("mid" + tag + ".ckpt");
            try (OnPolicyRunner b = new OnPolicyRunner(cfg.copy(), s -> EnvRegistry.make(id, s), tmp.resolve("b" + tag))) {
                b.runUpdates(2, null);
                b.saveCheckpoint(ck);
            }
            try (OnPolicyRunner c = OnPolicyRunner.resume(ck, List.of(), s -> EnvRegistry.make(id, s), tmp.resolve("c" + tag), false)) {
                assertEquals(2, c.update());
                c.runUpdates(2, null);
                assertArrayEquals(actorA, c.net.actor.toHost(), tag + ": actor weights after resume");
                assertArrayEquals(criticA, c.net.critic.toHost(), tag + ": critic weights after resume");
                assertEquals(meanA, c.episodes.meanReturn(), 0, tag + ": episode statistics after resume");
            }
        }
    }

    /**
     * A checkpoint written before each component saved its own state (ppo_node at ca97699:
     * {@code train --task reacher_2dof --steps 1024} with 2 arms, 256-step rollouts, 16x16 networks,
     * a checkpoint every update) resumes: weights, optimizer moments and normalizers carry over
     * bit for bit, the arms continue from the joint states ode4j saved, and training goes on in the
     * same layout. (The update after it is no longer that version's: the reacher has since moved to
     * the joint-space simulator and its position commands are rate limited as on the robot.)
     */
    @Test
    void checkpointsOfTheEarlierLayoutResume() throws Exception {
        Path mid = tmp.resolve("step512.ckpt");
        try (var in = CheckpointTest.class.getResourceAsStream("/checkpoints/reacher_v1_step512.ckpt")) {
            Files.copy(in, mid);
        }
        Path end = tmp.resolve("step1024.ckpt");
        try (var in = CheckpointTest.class.getResourceAsStream("/checkpoints/reacher_v1_step1024.ckpt")) {
            Files.copy(in, end);
        }
        var before = Checkpoint.read(mid);
        var expected = Checkpoint.read(end);
        try (OnPolicyRunner r = OnPolicyRunner.resume(mid, List.of(), s -> EnvRegistry.make("reacher_2dof", s), null, false)) {
            assertEquals(1, r.update());
            assertEquals(512, r.globalStep());
            Path resumed = tmp.resolve("resumed.ckpt");
            r.saveCheckpoint(resumed);
            var carried = Checkpoint.read(resumed);
            assertTrue(before.arrays().keySet().containsAll(List.of("actor", "critic", "opt.actor.v")), before.arrays().keySet().toString());
            for (String k : before.arrays().keySet()) assertArrayEquals(before.array(k), carried.array(k), k + " carried over");
            assertEquals(before.values().get("ret_rms"), carried.values().get("ret_rms"), "the return normalizer carried over");
            r.runUpdates(1, null);
            assertEquals(1024, r.globalStep());
            Path again = tmp.resolve("again.ckpt");
            r.saveCheckpoint(again);
            var written = Checkpoint.read(again);
            Set<String> keys = new HashSet<>(expected.values().keySet());
            keys.add("task"); // a robot task's definition, recorded since; the earlier checkpoint lacks it and resumes all the same
            assertEquals(keys, written.values().keySet(), "the keys of the earlier layout, and the task's record");
            assertEquals(expected.arrays().keySet(), written.arrays().keySet());
        }
    }

    /** A robot task: the simulator's state (bodies, joint unwrapping, target, RNG) must resume exactly too. */
    static PPOConfig reacher() {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "reacher_2dof");
        return c.apply(List.of("num_envs=2", "rollout_steps=64", "minibatch_size=64", "n_epochs=2", "total_timesteps=1024", "seed=5"));
    }

    static PPOConfig cartPole() {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "CartPole-v1");
        return c.apply(List.of("total_timesteps=2048", "seed=3"));
    }

    @Test
    void checkpointRoundTripAndPolicyFile() throws IOException {
        PPOConfig cfg = pendulum();
        Path ck = tmp.resolve("x.ckpt");
        Path pol = tmp.resolve("policy.ckpt");
        float[] obs = {0.6f, -0.8f, 1.5f};
        float[] expected;
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make("Pendulum-v1", s), null)) {
            r.runUpdates(2, null);
            r.saveCheckpoint(ck);
            Policy p = r.policy();
            p.save(pol);
            expected = p.predict(obs, true, null);
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".tmp")), "atomic writes leave no temporary files");
        }
        // The runner acts through the batched rollout kernels, a loaded policy row by row: the same
        // weights, rounded differently in the last bit; the two files give one policy exactly.
        float[] fromCheckpoint = null;
        for (Path f : List.of(ck, pol)) {
            try (Policy p = Policy.load(f, Device.cpu())) {
                float[] got = p.predict(obs, true, null);
                assertArrayEquals(expected, got, 1e-6f, f.toString());
                if (fromCheckpoint == null) fromCheckpoint = got;
                else assertArrayEquals(fromCheckpoint, got, 0f, "the checkpoint and the policy file give the same action");
            }
        }
        var e = assertThrows(IOException.class, () -> OnPolicyRunner.resume(pol, List.of(), s -> EnvRegistry.make("Pendulum-v1", s), null, false));
        assertTrue(e.getMessage().contains("policy-only"), e.getMessage());
        var e2 = assertThrows(PPOConfig.ConfigException.class, () -> OnPolicyRunner.resume(ck, List.of("gamma=0.5"), s -> EnvRegistry.make("Pendulum-v1", s), null, false));
        assertTrue(e2.getMessage().contains("'gamma'"), e2.getMessage());
    }

    @Test
    void corruptOrTruncatedFilesAreRejectedWithTheirName() throws IOException {
        PPOConfig cfg = cartPole();
        Path ck = tmp.resolve("good.ckpt");
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make("CartPole-v1", s), null)) {
            r.saveCheckpoint(ck);
        }
        byte[] bytes = Files.readAllBytes(ck);
        Path truncated = tmp.resolve("truncated.ckpt");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Path garbage = tmp.resolve("garbage.ckpt");
        Files.writeString(garbage, "not a checkpoint");
        for (Path bad : List.of(truncated, garbage, tmp.resolve("missing.ckpt"))) {
            var e = assertThrows(IOException.class, () -> Policy.load(bad, Device.cpu()));
            assertTrue(e.getMessage().contains(bad.getFileName().toString()), e.getMessage());
        }
    }

    @Test
    void nonFiniteObservationsFromAnEnvironmentAreReported() {
        PPOConfig cfg = cartPole();
        EnvRegistry.register("NaNPole-test", s -> new TimeLimit(new NaNEnv(), 10));
        cfg.envId = "NaNPole-test";
        try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make("NaNPole-test", s), null)) {
            var e = assertThrows(IllegalStateException.class, () -> r.runUpdates(1, null));
            assertTrue(e.getMessage().contains("non-finite observation") && e.getMessage().contains("element 2"), e.getMessage());
        } catch (IOException ex) {
            throw new RuntimeException(ex);
        }
    }

    /** An environment that emits NaN after a few steps. */
    static final class NaNEnv implements Env {
        int t;

        @Override
        public Space observationSpace() {
            return Space.Box.symmetric(1f, 1f, 1f);
        }

        @Override
        public Space actionSpace() {
            return new Space.Discrete(2);
        }

        @Override
        public float[] reset(Long seed) {
            t = 0;
            return new float[3];
        }

        @Override
        public StepResult step(float[] action) {
            t++;
            return new StepResult(new float[] {0, 0, t > 3 ? Float.NaN : 0}, 1, false, false);
        }
    }
}
