package pponode.env;

import java.util.List;

/** Steps its environments one after another on the calling thread. */
public final class SyncVecEnv extends VecEnv {
    public SyncVecEnv(List<Env> envs) {
        super(envs);
    }

    @Override
    protected void stepLive(float[][] actions) {
        for (int i = 0; i < envs.size(); i++) stepOne(i, actions[i]);
    }
}
