package pponode.env;

import java.util.Map;

/**
 * An environment that hands every call to another: a wrapper (a time limit, a timer) overrides
 * only what it changes, and cannot drop what the wrapped environment offers (its metrics, its
 * definition, evaluation mode, snapshots) by forgetting to forward it.
 */
public abstract class ForwardingEnv implements Env {
    protected final Env inner;

    protected ForwardingEnv(Env inner) {
        this.inner = inner;
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
        return inner.reset(seed);
    }

    @Override
    public StepResult step(float[] action) {
        return inner.step(action);
    }

    @Override
    public Map<String, Double> episodeMetrics() {
        return inner.episodeMetrics();
    }

    @Override
    public Map<String, Object> definition() {
        return inner.definition();
    }

    @Override
    public void evaluation(boolean on) {
        inner.evaluation(on);
    }

    @Override
    public boolean supportsSnapshot() {
        return inner.supportsSnapshot();
    }

    @Override
    public byte[] snapshot() {
        return inner.snapshot();
    }

    @Override
    public void restore(byte[] state) {
        inner.restore(state);
    }

    @Override
    public void close() {
        inner.close();
    }
}
