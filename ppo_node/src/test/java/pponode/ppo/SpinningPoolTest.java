package pponode.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SpinningPoolTest {

    @Test
    void everyIndexRunsOnceAndTheCallerRunsIndexZero() {
        SpinningPool pool = new SpinningPool(3);
        for (int round = 0; round < 1000; round++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(3);
            long[] callerIndex = {-1};
            Thread caller = Thread.currentThread();
            pool.run(k -> {
                runs.incrementAndGet(k);
                if (Thread.currentThread() == caller) callerIndex[0] = k;
            });
            assertArrayEquals(new int[] {1, 1, 1}, new int[] {runs.get(0), runs.get(1), runs.get(2)}, "round " + round);
            assertEquals(0, callerIndex[0]);
        }
    }

    @Test
    void aWorkersFailureReachesTheCallerAndThePoolGoesOn() {
        SpinningPool pool = new SpinningPool(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(k -> {
            if (k == 1) throw new IllegalStateException("worker " + k);
        }));
        assertEquals("worker 1", e.getMessage());
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        pool.run(runs::incrementAndGet);
        assertEquals(1, runs.get(1));
    }

    @Test
    void idleWorkersEndAndTheNextTaskStartsThemAgain() {
        SpinningPool pool = new SpinningPool(2, 50_000_000L);
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        pool.run(runs::incrementAndGet);
        assertEquals(1, pool.liveWorkers());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (pool.liveWorkers() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(0, pool.liveWorkers(), "the idle worker ends");
        pool.run(runs::incrementAndGet);
        assertEquals(2, runs.get(1));
        assertTrue(pool.liveWorkers() <= 1);
    }
}
