package pponode.env;

import java.util.List;

/**
 * N environments stepped together, with auto-reset. Env {@code i} is seeded {@code seed + i} on
 * the first reset, as the reference's {@code make_gymnasium_env(env_id, seed, idx)}.
 */
public abstract class VecEnv implements AutoCloseable {
    protected final List<Env> envs;
    protected final VecStep out;

    protected VecEnv(List<Env> envs) {
        if (envs.isEmpty()) throw new IllegalArgumentException("a VecEnv needs at least one environment");
        this.envs = List.copyOf(envs);
        this.out = new VecStep(envs.size());
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

    /** Steps every env with its row of {@code actions}; the returned object is reused. */
    public abstract VecStep step(float[][] actions);

    protected final void stepOne(int i, float[] action) {
        Env env = envs.get(i);
        StepResult r = env.step(action);
        out.rewards[i] = r.reward();
        out.terminated[i] = r.terminated();
        out.truncated[i] = r.truncated();
        if (r.done()) {
            out.finalObs[i] = r.obs();
            out.finalMetrics[i] = env.episodeMetrics();
            out.obs[i] = env.reset(null);
        } else {
            out.finalObs[i] = null;
            out.finalMetrics[i] = null;
            out.obs[i] = r.obs();
        }
    }

    @Override
    public void close() {
        for (Env e : envs) e.close();
    }
}
