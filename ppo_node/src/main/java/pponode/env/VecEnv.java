package pponode.env;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.sim.RobotUnavailableException;

/**
 * N environments stepped together, with auto-reset. Env {@code i} is seeded {@code seed + i} on
 * the first reset, as the reference's {@code make_gymnasium_env(env_id, seed, idx)}.
 *
 * <p>Elastic: an environment whose robot or world stops answering ({@link RobotUnavailableException})
 * leaves the batch. Its step is not a step ({@link VecStep#live}), its episode ends there, and a
 * rejoin thread resets it until the robot answers again; it rejoins with a new episode. The others
 * go on meanwhile, as long as at least {@link #minLive} answer; below that the batch waits for the
 * lost ones (each reset bounded by its backend's own timeout) and fails with that reset's error.
 */
public abstract class VecEnv implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VecEnv.class);
    protected final List<Env> envs;
    protected final VecStep out;
    /** Env i's reset on the rejoin thread while it is out of the batch; null while it is in. */
    private final Future<?>[] rejoining;
    private final float[][] rejoinObs;
    private int minLive;
    private ExecutorService rejoiner;

    protected VecEnv(List<Env> envs) {
        if (envs.isEmpty()) throw new IllegalArgumentException("a VecEnv needs at least one environment");
        this.envs = List.copyOf(envs);
        this.out = new VecStep(envs.size());
        this.rejoining = new Future<?>[envs.size()];
        this.rejoinObs = new float[envs.size()][];
        this.minLive = envs.size();
        Space o = envs.get(0).observationSpace();
        Space a = envs.get(0).actionSpace();
        for (Env e : envs) {
            if (e.observationSpace().flatDim() != o.flatDim() || e.actionSpace().flatDim() != a.flatDim()) {
                throw new IllegalArgumentException("all environments of a VecEnv must have the same spaces");
            }
        }
    }

    public int numEnvs() {
        return envs.size();
    }

    public Env env(int i) {
        return envs.get(i);
    }

    public Space observationSpace() {
        return envs.get(0).observationSpace();
    }

    public Space actionSpace() {
        return envs.get(0).actionSpace();
    }

    public float[][] reset(long seed) {
        float[][] obs = new float[envs.size()][];
        for (int i = 0; i < envs.size(); i++) obs[i] = envs.get(i).reset(seed + i);
        return obs;
    }

    /**
     * Goes on while at least {@code minLive} environments answer (default: all of them, so one
     * that stops answering is waited for).
     */
    public void minLive(int minLive) {
        if (minLive < 1 || minLive > envs.size()) throw new IllegalArgumentException("min_live_envs must be in [1, " + envs.size() + "], got " + minLive);
        this.minLive = minLive;
    }

    /** Whether env {@code i} is in the batch: its next step will be a step. */
    public boolean live(int i) {
        return rejoining[i] == null;
    }

    /** Steps every live env with its row of {@code actions}; the returned object is reused. */
    public final VecStep step(float[][] actions) {
        stepLive(actions);
        admitRejoined();
        return out;
    }

    /** Calls {@link #stepOne} for every env. */
    protected abstract void stepLive(float[][] actions);

    protected final void stepOne(int i, float[] action) {
        out.finalObs[i] = null;
        out.finalMetrics[i] = null;
        out.rewards[i] = 0;
        out.terminated[i] = false;
        out.truncated[i] = false;
        out.rejoined[i] = false;
        out.live[i] = false;
        if (rejoining[i] != null) return; // out of the batch: out.obs[i] stays as it was
        Env env = envs.get(i);
        StepResult r;
        try {
            r = env.step(action);
        } catch (RobotUnavailableException e) {
            leave(i, e); // the period is lost: not a step, and the episode ends at the state before it
            return;
        }
        out.live[i] = true;
        out.rewards[i] = r.reward();
        out.terminated[i] = r.terminated();
        out.truncated[i] = r.truncated();
        if (r.done()) {
            out.finalObs[i] = r.obs();
            out.finalMetrics[i] = env.episodeMetrics();
            try {
                out.obs[i] = env.reset(null);
            } catch (RobotUnavailableException e) {
                out.obs[i] = r.obs(); // the step counts; the next episode starts when the robot is back
                leave(i, e);
            }
        } else {
            out.obs[i] = r.obs();
        }
    }

    /** Env i leaves the batch; a rejoin thread resets it until its robot answers. May run on a stepping thread. */
    private void leave(int i, RobotUnavailableException cause) {
        LOG.warn("environment {} stopped answering ({}); it rejoins when its robot is back", i, cause.getMessage());
        rejoining[i] = rejoin(i);
    }

    private synchronized Future<?> rejoin(int i) {
        if (rejoiner == null) {
            rejoiner = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "vecenv-rejoin");
                t.setDaemon(true);
                return t;
            });
        }
        return rejoiner.submit(() -> {
            rejoinObs[i] = envs.get(i).reset(null);
        });
    }

    /**
     * Takes back the envs whose reset came through (their new episode's first observation in
     * {@code out.obs}), retries those still away, and waits for them while fewer than
     * {@link #minLive} answer.
     */
    private void admitRejoined() {
        for (int i = 0; i < envs.size(); i++) {
            if (rejoining[i] != null && rejoining[i].isDone()) admit(i);
        }
        for (int i = 0; i < envs.size() && liveCount() < minLive; i++) {
            if (rejoining[i] != null) admit(i);
        }
    }

    /** Waits for env i's reset: in again, or retried, or (below {@link #minLive}) the run's error. */
    private void admit(int i) {
        try {
            rejoining[i].get();
            rejoining[i] = null;
            out.obs[i] = rejoinObs[i];
            out.rejoined[i] = true;
            LOG.info("environment {} is back: {} of {} answer", i, liveCount(), envs.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for environment " + i + " to come back", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (!(c instanceof RobotUnavailableException)) {
                throw new IllegalStateException("environment " + i + " could not start an episode after its robot came back: " + c.getMessage(), c);
            }
            rejoining[i] = null; // counted as live for the check below, then sent out again
            int others = liveCount() - 1;
            if (others >= minLive) {
                rejoining[i] = rejoin(i);
                return;
            }
            throw new RobotUnavailableException(others + " of " + envs.size() + " environments answer, fewer than min_live_envs (" + minLive + "); environment " + i
                    + ": " + c.getMessage(), c);
        }
    }

    /** How many envs are in the batch. */
    public int liveCount() {
        int n = 0;
        for (Future<?> f : rejoining) if (f == null) n++;
        return n;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (rejoiner != null) rejoiner.shutdownNow();
        }
        for (Env e : envs) e.close();
    }
}
