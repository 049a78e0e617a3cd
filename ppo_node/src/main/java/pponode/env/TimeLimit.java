package pponode.env;

import java.nio.ByteBuffer;

/** Truncates episodes after a fixed number of steps, as Gymnasium's TimeLimit wrapper. */
public final class TimeLimit extends ForwardingEnv {
    private final int maxEpisodeSteps;
    private int elapsed;

    public TimeLimit(Env inner, int maxEpisodeSteps) {
        super(inner);
        if (maxEpisodeSteps < 1) throw new IllegalArgumentException("max_episode_steps must be >= 1, got " + maxEpisodeSteps);
        this.maxEpisodeSteps = maxEpisodeSteps;
    }

    public Env unwrapped() {
        return inner;
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
}
