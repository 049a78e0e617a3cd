package pponode.ros;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * A fixed-rate loop on its own thread: sleeps to each deadline (parking, then a short spin for the
 * last 100 µs to cut wake-up jitter) and counts deadlines it missed by more than a period.
 */
final class ControlLoop implements AutoCloseable {
    private final Thread thread;
    private final long periodNanos;
    private volatile boolean running = true;
    private volatile long ticks, missed;

    ControlLoop(String name, double rateHz, int realtimePriority, Runnable tick) {
        periodNanos = Math.round(1e9 / rateHz);
        thread = new Thread(() -> {
            String rt = RealtimeThreads.promoteCurrentThread(realtimePriority);
            if (rt != null) LoggerFactory.getLogger(ControlLoop.class).warn("{}: runs without real-time priority: {}", name, rt);
            long deadline = System.nanoTime();
            while (running) {
                deadline += periodNanos;
                long now;
                while ((now = System.nanoTime()) < deadline - 100_000) LockSupport.parkNanos(deadline - now - 100_000);
                while (System.nanoTime() < deadline) Thread.onSpinWait();
                if (!running) break;
                tick.run();
                ticks++;
                long late = System.nanoTime() - deadline;
                if (late > periodNanos) {
                    missed++;
                    deadline = System.nanoTime(); // do not burst to catch up
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
    }

    void start() {
        thread.start();
    }

    long periodNanos() {
        return periodNanos;
    }

    long ticks() {
        return ticks;
    }

    long missedDeadlines() {
        return missed;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
