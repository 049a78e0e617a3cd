package pponode.env;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Steps environments on worker threads, one contiguous slice of envs per worker. Worth it when
 * one env step costs much more than a thread hand-off (physics simulators), not for CartPole.
 * Each env is only ever touched by one thread at a time, so envs need not be thread-safe.
 */
public final class ThreadedVecEnv extends VecEnv {
    private final ExecutorService pool;
    private final int[][] slices;

    public ThreadedVecEnv(List<Env> envs, int workers) {
        super(envs);
        int w = Math.max(1, Math.min(workers, envs.size()));
        pool = Executors.newFixedThreadPool(w, r -> {
            Thread t = new Thread(r, "vecenv-worker");
            t.setDaemon(true);
            return t;
        });
        slices = new int[w][];
        int n = envs.size();
        for (int k = 0; k < w; k++) {
            int from = k * n / w, to = (k + 1) * n / w;
            slices[k] = new int[] {from, to};
        }
    }

    @Override
    protected void stepLive(float[][] actions) {
        List<Future<?>> fs = new ArrayList<>(slices.length);
        for (int[] s : slices) {
            fs.add(pool.submit(() -> {
                for (int i = s[0]; i < s[1]; i++) stepOne(i, actions[i]);
            }));
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stepping environments", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                throw new IllegalStateException("environment step failed: " + c, c);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        super.close();
    }
}
