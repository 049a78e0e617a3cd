package pponode.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM end a long-running command the way a ROS 2 node ends: the command
 * returns from its wait, shuts its node down in order (last safe command, summary line) and
 * exits 0. Left to the JVM, the signal ran the shutdown hooks while libraries were still logging
 * (log4j's "Shutdown in progress" traces) and the process exited 130. A second signal forces
 * the exit, for a shutdown that hangs.
 */
final class StopSignals implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};
    private final CountDownLatch stop = new CountDownLatch(1);
    private final SignalHandler[] before = new SignalHandler[SIGNALS.length];

    private StopSignals() {}

    static StopSignals install() {
        return install(() -> {});
    }

    /** Stop signals that also run {@code onFirst} (on the signal's thread) when the first one comes. */
    static StopSignals install(Runnable onFirst) {
        StopSignals s = new StopSignals();
        for (int i = 0; i < SIGNALS.length; i++) {
            String name = SIGNALS[i];
            s.before[i] = Signal.handle(new Signal(name), sig -> {
                if (s.stop.getCount() == 0) Runtime.getRuntime().halt(128 + sig.getNumber());
                s.stop.countDown();
                onFirst.run();
            });
            if (s.before[i] == SignalHandler.SIG_IGN) {
                // The JVM cannot catch a signal that was ignored when it started (nohup, or a job
                // started with & from a script): say so, rather than leave Ctrl-C doing nothing.
                System.err.println("warning: SIG" + name + " was ignored when this process started (nohup, or & in a script), so it cannot stop it; "
                        + (name.equals("INT") ? "stop it with SIGTERM (kill PID)" : "stop it with SIGINT"));
            }
        }
        return s;
    }

    /** Waits for a stop signal, at most {@code millis} (negative: without limit); true if one came. */
    boolean await(long millis) throws InterruptedException {
        if (millis < 0) {
            stop.await();
            return true;
        }
        return stop.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Gives the signals back to the handlers they had before (the command is over; its handlers would act on nothing). */
    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (before[i] != null && before[i] != SignalHandler.SIG_IGN) Signal.handle(new Signal(SIGNALS[i]), before[i]);
        }
    }
}
