package pponode.env;

import java.nio.ByteBuffer;
import java.util.Map;

/** Truncates episodes after a fixed number of steps, as Gymnasium's TimeLimit wrapper. */
public final class TimeLimit implements Env {
    private final Env inner;
    private final int maxEpisodeSteps;
    private int elapsed;

    public TimeLimit(Env inner, int maxEpisodeSteps) {
        if (maxEpisodeSteps < 1) throw new IllegalArgumentException("max_episode_steps must be >= 1, got " + maxEpisodeSteps);
        this.inner = inner;
        this.maxEpisodeSteps = maxEpisodeSteps;
    }

    public Env unwrapped() {
        return inner;
    }

    @Override
    public Space observationSpace() {
        return inner.observationSpace();
    }

    @Override
    public Space actionSpace() {
        return inner.actionSpace();
    }

    @Override
    public float[] reset(Long seed) {
        elapsed = 0;
        return inner.reset(seed);
    }

    @Override
    public StepResult step(float[] action) {
        StepResult r = inner.step(action);
        elapsed++;
        if (elapsed >= maxEpisodeSteps && !r.terminated()) {
            return new StepResult(r.obs(), r.reward(), false, true);
        }
        return r;
    }

    @Override
    public Map<String, Double> episodeMetrics() {
        return inner.episodeMetrics();
    }

    @Override
    public void evaluation(boolean on) {
        inner.evaluation(on);
    }

    @Override
    public Map<String, Object> definition() {
        return inner.definition();
    }

    @Override
    public boolean supportsSnapshot() {
        return inner.supportsSnapshot();
    }

    @Override
    public byte[] snapshot() {
        byte[] s = inner.snapshot();
        return ByteBuffer.allocate(4 + s.length).putInt(elapsed).put(s).array();
    }

    @Override
    public void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        elapsed = b.getInt();
        byte[] s = new byte[b.remaining()];
        b.get(s);
        inner.restore(s);
    }

    @Override
    public void close() {
        inner.close();
    }
}
