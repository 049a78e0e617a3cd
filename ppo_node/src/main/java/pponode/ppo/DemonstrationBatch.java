package pponode.ppo;

import org.apache.commons.rng.UniformRandomProvider;
import pponode.modules.ActionDistribution;
import pponode.ppo.PPO.BehaviourCloning;

/**
 * A batch of operator demonstrations for the behaviour-cloning term, as the policy sees them:
 * observations through the run's current normaliser, raw actions and their squash corrections.
 * Shared by the engine and host steps, so both learn from the same rows.
 */
final class DemonstrationBatch {
    final float[] obs, raw, corr;
    private final float[] row, rowNorm, rawRow;
    private final int obsDim, rawDim;

    DemonstrationBatch(int capacity, int obsDim, int rawDim) {
        this.obsDim = obsDim;
        this.rawDim = rawDim;
        obs = new float[capacity * obsDim];
        raw = new float[capacity * rawDim];
        corr = new float[capacity];
        row = new float[obsDim];
        rowNorm = new float[obsDim];
        rawRow = new float[rawDim];
    }

    /** Samples min(capacity, demonstrations) rows; returns how many. */
    int sample(BehaviourCloning bc, ActionDistribution dist, UniformRandomProvider rng) {
        int m = Math.min(corr.length, bc.demos().size());
        bc.demos().sample(m, rng, obs, raw);
        for (int r = 0; r < m; r++) {
            System.arraycopy(obs, r * obsDim, row, 0, obsDim);
            bc.normalize().accept(row, rowNorm);
            System.arraycopy(rowNorm, 0, obs, r * obsDim, obsDim);
            System.arraycopy(raw, r * rawDim, rawRow, 0, rawDim);
            corr[r] = (float) dist.squashCorrection(rawRow);
        }
        return m;
    }
}
