package pponode.ppo;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs one task on {@code n} threads, the caller's and {@code n − 1} workers, and returns when all
 * are done: the learner's fork-join for the rows of one minibatch. A minibatch step takes tens to
 * hundreds of microseconds, so an executor's hand-off (parking and waking a thread, several
 * microseconds each way) would eat what the second core gives; a worker instead spins between
 * tasks, which follow each other within microseconds during an update, and parks only after
 * {@link #SPIN_NANOS} without one. A worker idle for {@link #IDLE_EXIT_NANOS} (between updates,
 * while the rollout runs) ends, and the next task starts a new one, so a pool that is never
 * closed holds no threads.
 */
final class SpinningPool {
    static final long SPIN_NANOS = 200_000L;
    static final long IDLE_EXIT_NANOS = 2_000_000_000L;
    private static final int WAITING = 0, POSTED = 1, EXITED = 2;
    private static final int YIELD_AFTER_SPINS = 1 << 14;

    private final Worker[] workers;
    private final long idleExitNanos;

    SpinningPool(int threads) {
        this(threads, IDLE_EXIT_NANOS);
    }

    SpinningPool(int threads, long idleExitNanos) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1: " + threads);
        this.idleExitNanos = idleExitNanos;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) workers[i] = new Worker(i + 1);
    }

    /** Worker threads alive now (they end after {@code idleExitNanos} without a task). */
    int liveWorkers() {
        int n = 0;
        for (Worker w : workers) {
            Thread t = w.thread;
            if (t != null && t.isAlive()) n++;
        }
        return n;
    }

    int threads() {
        return workers.length + 1;
    }

    /** Calls {@code task.accept(k)} for k = 0 … threads − 1, k = 0 on this thread; rethrows a worker's failure. */
    void run(IntConsumer task) {
        for (Worker w : workers) w.post(task);
        RuntimeException failure = null;
        try {
            task.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Worker w : workers) {
            Throwable t = w.await();
            if (t != null && failure == null) failure = t instanceof RuntimeException r ? r : new IllegalStateException("learner thread failed", t);
        }
        if (failure != null) throw failure;
    }

    private final class Worker implements Runnable {
        private final int index;
        private final AtomicInteger state = new AtomicInteger(EXITED);
        private volatile Thread thread;
        private IntConsumer task; // published by the state's volatile write
        private Throwable failure;

        Worker(int index) {
            this.index = index;
        }

        void post(IntConsumer t) {
            task = t;
            failure = null;
            if (state.compareAndSet(WAITING, POSTED)) {
                LockSupport.unpark(thread);
                return;
            }
            // The worker ended while idle (or never started): a new thread takes the task.
            state.set(POSTED);
            Thread th = new Thread(this, "ppo-learner-" + index);
            th.setDaemon(true);
            thread = th;
            th.start();
        }

        Throwable await() {
            // Spin while the worker is about as fast as this thread; then yield, so a machine with
            // more busy threads than cores runs the worker instead of this wait.
            for (int spins = 0; state.get() == POSTED; spins++) {
                if (spins < YIELD_AFTER_SPINS) Thread.onSpinWait();
                else Thread.yield();
            }
            return failure;
        }

        @Override
        public void run() {
            while (true) {
                long idleSince = System.nanoTime();
                while (state.get() != POSTED) {
                    long idle = System.nanoTime() - idleSince;
                    if (idle < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else if (idle >= idleExitNanos) {
                        if (state.compareAndSet(WAITING, EXITED)) return;
                    } else {
                        LockSupport.parkNanos(this, idleExitNanos - idle);
                    }
                }
                try {
                    task.accept(index);
                } catch (Throwable t) {
                    failure = t;
                }
                state.set(WAITING);
            }
        }
    }
}
