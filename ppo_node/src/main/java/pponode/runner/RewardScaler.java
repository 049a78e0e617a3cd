package pponode.runner;

import java.io.IOException;
import pponode.env.VecStep;
import pponode.modules.RunningMeanStd;
import pponode.state.StateDict;

/**
 * Reward scaling as SB3's VecNormalize: divide by the running std of the discounted return (not of
 * the raw reward, as the reference does — that std is the wrong scale for a return and shrinks as
 * episodes get longer), then clip to ±clip. Off, it passes rewards through (after the same
 * finiteness check).
 */
public final class RewardScaler {
    private final boolean enabled;
    private final double gamma, clip;
    private final RunningMeanStd returnStats = new RunningMeanStd(1);
    private final double[] discountedReturn;

    public RewardScaler(int numEnvs, boolean enabled, double gamma, double clip) {
        this.enabled = enabled;
        this.gamma = gamma;
        this.clip = clip;
        discountedReturn = new double[numEnvs];
    }

    /** Writes each environment's scaled reward of step {@code s} into {@code out}; a non-finite reward is an error naming the env. */
    public void scale(VecStep s, long globalStep, double[] out) {
        int n = discountedReturn.length;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(s.rewards[i])) {
                throw new IllegalStateException("environment " + i + " returned a non-finite reward " + s.rewards[i] + " at step " + globalStep);
            }
        }
        if (!enabled) {
            System.arraycopy(s.rewards, 0, out, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) if (s.live[i]) discountedReturn[i] = discountedReturn[i] * gamma + s.rewards[i];
        int live = s.liveCount();
        if (live == n) {
            returnStats.update(discountedReturn, n);
        } else if (live > 0) { // an env away took no step: its return is not a sample of the scale
            double[] stepped = new double[live];
            for (int i = 0, k = 0; i < n; i++) if (s.live[i]) stepped[k++] = discountedReturn[i];
            returnStats.update(stepped, live);
        }
        double std = returnStats.std(0);
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(-clip, Math.min(clip, s.rewards[i] / std));
            if (s.done(i)) discountedReturn[i] = 0;
        }
    }

    /** Env {@code i} starts afresh (its episode was not restored): its discounted return restarts at 0. */
    public void restart(int i) {
        discountedReturn[i] = 0;
    }

    /** Saves {@code ret_rms} and {@code discounted_return}. */
    public void save(StateDict out) {
        returnStats.save(out, "ret_rms");
        out.put("discounted_return", discountedReturn.clone());
    }

    public void load(StateDict in) throws IOException {
        returnStats.load(in, "ret_rms");
        double[] d = in.doubles("discounted_return");
        if (d.length != discountedReturn.length) throw new IOException(in.source() + ": 'discounted_return' has " + d.length + " environments, the run " + discountedReturn.length);
        System.arraycopy(d, 0, discountedReturn, 0, d.length);
    }
}
