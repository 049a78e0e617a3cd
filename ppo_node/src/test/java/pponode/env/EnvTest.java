package pponode.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvTest {
    @Test
    void cartPoleStepFollowsGymnasiumEquations() {
        CartPole env = new CartPole(0);
        float[] s0 = env.reset(123L);
        for (float v : s0) assertTrue(Math.abs(v) <= 0.05);
        StepResult r = env.step(new float[] {1});
        double x = s0[0], xd = s0[1], th = s0[2], thd = s0[3];
        double temp = (10.0 + 0.05 * thd * thd * Math.sin(th)) / 1.1;
        double thacc = (9.8 * Math.sin(th) - Math.cos(th) * temp) / (0.5 * (4.0 / 3.0 - 0.1 * Math.cos(th) * Math.cos(th) / 1.1));
        double xacc = temp - 0.05 * thacc * Math.cos(th) / 1.1;
        assertArrayEquals(new float[] {(float) (x + 0.02 * xd), (float) (xd + 0.02 * xacc), (float) (th + 0.02 * thd), (float) (thd + 0.02 * thacc)},
                r.obs(), 1e-6f);
        assertEquals(1.0, r.reward());
        assertFalse(r.done());
        assertThrows(IllegalArgumentException.class, () -> env.step(new float[] {2}));
    }

    @Test
    void cartPoleIsTruncatedAt500AndTerminatesWhenThePoleFalls() {
        Env env = EnvRegistry.make("CartPole-v1", 1);
        env.reset(1L);
        int steps = 0;
        StepResult r;
        do {
            r = env.step(new float[] {1}); // always push right: the pole falls quickly
            steps++;
        } while (!r.done());
        assertTrue(r.terminated() && !r.truncated() && steps < 100);
        // a balancing controller reaches the limit: truncated, not terminated
        env.reset(2L);
        float[] o = env.reset(2L);
        steps = 0;
        do {
            r = env.step(new float[] {o[2] + 0.5f * o[3] > 0 ? 1 : 0});
            o = r.obs();
            steps++;
        } while (!r.done());
        assertEquals(500, steps);
        assertTrue(r.truncated() && !r.terminated());
    }

    @Test
    void pendulumStepFollowsGymnasiumEquations() {
        Pendulum p = new Pendulum(0);
        float[] o = p.reset(5L);
        double th = Math.atan2(o[1], o[0]), thd = o[2];
        StepResult r = p.step(new float[] {3f}); // clipped to 2
        double cost = Math.pow(Pendulum.angleNormalize(th), 2) + 0.1 * thd * thd + 0.001 * 4;
        double nthd = thd + (3 * 10.0 / 2 * Math.sin(th) + 3.0 * 2) * 0.05;
        nthd = Math.max(-8, Math.min(8, nthd));
        double nth = th + nthd * 0.05;
        assertEquals(-cost, r.reward(), 1e-5);
        assertArrayEquals(new float[] {(float) Math.cos(nth), (float) Math.sin(nth), (float) nthd}, r.obs(), 1e-5f);
        assertEquals(Math.PI - 0.1, Pendulum.angleNormalize(-Math.PI - 0.1), 1e-12);
        assertEquals(-Math.PI + 0.1, Pendulum.angleNormalize(Math.PI + 0.1), 1e-12);
        Env limited = EnvRegistry.make("Pendulum-v1", 0);
        limited.reset(0L);
        int n = 0;
        while (!limited.step(new float[] {0}).truncated()) n++;
        assertEquals(199, n);
    }

    @Test
    void vecEnvAutoResetKeepsTheFinalObservation() {
        try (VecEnv v = new SyncVecEnv(List.of(EnvRegistry.make("CartPole-v1", 0)))) {
            v.reset(0);
            VecStep s;
            do {
                s = v.step(new float[][] {{1}});
            } while (!s.done(0));
            assertNotNull(s.finalObs[0]);
            assertTrue(Math.abs(s.finalObs[0][2]) > 0.2, "the final observation is past the failure angle");
            for (float x : s.obs[0]) assertTrue(Math.abs(x) <= 0.05, "the new episode starts near upright");
        }
    }

    @Test
    void threadedVecEnvProducesTheSameTrajectoriesAsSync() {
        List<Env> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            a.add(EnvRegistry.make("Pendulum-v1", i));
            b.add(EnvRegistry.make("Pendulum-v1", i));
        }
        try (VecEnv sync = new SyncVecEnv(a); VecEnv threaded = new ThreadedVecEnv(b, 2)) {
            float[][] oa = sync.reset(7), ob = threaded.reset(7);
            for (int i = 0; i < 5; i++) assertArrayEquals(oa[i], ob[i]);
            float[][] act = new float[5][1];
            for (int t = 0; t < 450; t++) {
                for (int i = 0; i < 5; i++) act[i][0] = (float) Math.sin(t * 0.1 + i);
                VecStep sa = sync.step(act);
                float[][] obsA = sa.obs.clone();
                double[] ra = sa.rewards.clone();
                VecStep sb = threaded.step(act);
                for (int i = 0; i < 5; i++) {
                    assertArrayEquals(obsA[i], sb.obs[i]);
                    assertEquals(ra[i], sb.rewards[i]);
                }
            }
        }
    }

    @Test
    void snapshotRestoresStateAndRandomStream() {
        for (String id : List.of("CartPole-v1", "Pendulum-v1")) {
            Env e = EnvRegistry.make(id, 3);
            e.reset(3L);
            for (int i = 0; i < 7; i++) e.step(new float[] {i % 2});
            byte[] snap = e.snapshot();
            List<float[]> first = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                StepResult r = e.step(new float[] {i % 2});
                first.add(r.obs());
                if (r.done()) first.add(e.reset(null));
            }
            e.restore(snap);
            int k = 0;
            for (int i = 0; i < 600; i++) {
                StepResult r = e.step(new float[] {i % 2});
                assertArrayEquals(first.get(k++), r.obs(), id);
                if (r.done()) assertArrayEquals(first.get(k++), e.reset(null), id + " reset after restore");
            }
        }
    }

    @Test
    void unknownEnvironmentIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> EnvRegistry.make("Acrobot-v9", 0));
        assertTrue(e.getMessage().contains("Acrobot-v9"));
    }
}
