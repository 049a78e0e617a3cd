package pponode.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pponode.sim.ForwardingRobotBackend;
import pponode.sim.RobotUnavailableException;
import pponode.sim.embedded.EmbeddedBackend;

/**
 * A batch of two reachers in the embedded simulator, one of them behind a cable that can be pulled:
 * an env whose robot stops answering leaves the batch and rejoins when it answers again; below
 * min_live_envs the batch waits for it, and fails with the robot's own error if it stays away.
 */
class ElasticVecEnvTest {
    /** A robot that stops answering while unplugged; a reset waits a moment for it, as a remote backend's does. */
    static final class Cable extends ForwardingRobotBackend {
        volatile boolean unplugged;
        final AtomicInteger resetsWhileAway = new AtomicInteger();

        Cable(EmbeddedBackend inner) {
            super(inner);
        }

        @Override
        public boolean step(double[] commands) {
            if (unplugged) throw new RobotUnavailableException("reacher unplugged: no joint states");
            return super.step(commands);
        }

        @Override
        public void reset(double[] q0, double[] qd0) {
            if (unplugged) {
                resetsWhileAway.incrementAndGet();
                long end = System.nanoTime() + 100_000_000L;
                while (unplugged && System.nanoTime() < end) Thread.onSpinWait();
                if (unplugged) throw new RobotUnavailableException("reacher did not come back within 100 ms");
            }
            super.reset(q0, qd0);
        }
    }

    final RobotTask task = RobotEnvTest.task("reacher_2dof");
    final Cable cable = new Cable(new EmbeddedBackend(task.backendSpec()));

    ElasticVecEnvTest() throws Exception {}

    VecEnv batch(int minLive) {
        VecEnv v = new SyncVecEnv(List.of(RobotEnv.make(task, new EmbeddedBackend(task.backendSpec()), 0), RobotEnv.make(task, cable, 1)));
        v.minLive(minLive);
        v.reset(0);
        return v;
    }

    static float[][] still(VecEnv v) {
        return new float[][] {new float[v.actionSpace().flatDim()], new float[v.actionSpace().flatDim()]};
    }

    @Test
    void aRobotThatStopsAnsweringLeavesTheBatchAndRejoinsWithANewEpisode() {
        try (VecEnv v = batch(1)) {
            float[][] a = still(v);
            assertEquals(2, v.step(a).liveCount());
            cable.unplugged = true;
            VecStep s = v.step(a);
            assertTrue(s.live[0] && !s.live[1], "the step it was lost in is not a step");
            assertEquals(0.0, s.rewards[1]);
            assertFalse(s.done(1));
            assertFalse(v.live(1));
            for (int k = 0; k < 20; k++) assertEquals(1, v.step(a).liveCount(), "the other goes on alone");
            cable.unplugged = false;
            long deadline = System.nanoTime() + 30_000_000_000L;
            do {
                s = v.step(a);
                assertTrue(System.nanoTime() < deadline, "the robot did not rejoin within 30 s");
            } while (!s.rejoined[1]);
            assertFalse(s.live[1], "the step it rejoined in is not one of its steps either");
            assertTrue(v.live(1));
            s = v.step(a);
            assertEquals(2, s.liveCount());
            assertNull(s.finalObs[1]);
        }
    }

    @Test
    void belowMinLiveTheBatchWaitsAndFailsWithTheRobotsErrorIfItStaysAway() throws Exception {
        try (VecEnv v = batch(2)) {
            float[][] a = still(v);
            cable.unplugged = true;
            Thread plugBack = new Thread(() -> {
                while (cable.resetsWhileAway.get() == 0) Thread.onSpinWait();
                cable.unplugged = false;
            });
            plugBack.start();
            VecStep s = v.step(a); // waits for the robot: only 1 of 2 would answer
            plugBack.join();
            assertTrue(s.rejoined[1] && !s.live[1] && v.live(1), "the batch waited for it and took it back");
            assertEquals(2, v.step(a).liveCount());

            cable.unplugged = true;
            RobotUnavailableException gone = assertThrows(RobotUnavailableException.class, () -> v.step(a));
            assertEquals("1 of 2 environments answer, fewer than min_live_envs (2); environment 1: reacher did not come back within 100 ms", gone.getMessage());
        }
    }
}
