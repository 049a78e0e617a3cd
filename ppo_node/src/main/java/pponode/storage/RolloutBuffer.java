package pponode.storage;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Fixed-size storage for one rollout of T steps × N envs, flat row-major [t][env][...], plus GAE.
 *
 * <p>Convention: {@code dones[t]} says the episode of that env ended with step t (terminated or
 * truncated), so the GAE chain is cut after t. Truncations are not lost: the runner has already
 * added γ·V(final observation) to {@code rewards[t]}, so only true terminations have no bootstrap.
 * (The reference treats every time-limit truncation as a termination, and reads the done flag one
 * step late, {@code dones[t + 1]}, mixing the end of one episode into the start of the next.)
 */
public final class RolloutBuffer {
    public final int steps, envs, obsDim, rawDim;
    public final float[] obs, raw, logProbs, values, rewards, dones, squashCorr, advantages, returns;
    /**
     * 1 where the policy's own sample was executed, 0 where an operator (or a safety fallback)
     * acted instead: such steps still train the critic, but the PPO ratio is meaningless for them.
     */
    public final float[] policyActed;
    /**
     * 1 where env took a step at t, 0 where it did not (its robot stopped answering during the
     * step, or was still away): such rows carry no reward and no action, and stay out of the update.
     */
    public final float[] live;
    /** Recurrent policies: 1 where the observation at [t][env] starts an episode (state was reset). */
    public final float[] episodeStarts;
    /** Recurrent policies: each env's hidden state before step 0, [env][stateSize]. */
    public final float[] initialState;
    public final int stateSize;

    public RolloutBuffer(int steps, int envs, int obsDim, int rawDim) {
        this(steps, envs, obsDim, rawDim, 0);
    }

    public RolloutBuffer(int steps, int envs, int obsDim, int rawDim, int stateSize) {
        this.steps = steps;
        this.envs = envs;
        this.obsDim = obsDim;
        this.rawDim = rawDim;
        int n = steps * envs;
        obs = new float[n * obsDim];
        raw = new float[n * rawDim];
        logProbs = new float[n];
        values = new float[n];
        rewards = new float[n];
        dones = new float[n];
        squashCorr = new float[n];
        advantages = new float[n];
        returns = new float[n];
        policyActed = new float[n];
        live = new float[n];
        this.stateSize = stateSize;
        episodeStarts = new float[n];
        initialState = new float[envs * stateSize];
    }

    public int size() {
        return steps * envs;
    }

    /** Records env {@code i} at step {@code t}. */
    public void add(int t, int i, float[] obsNorm, float[] rawAction, double logProb, float value, double reward, boolean done, double corr) {
        int k = t * envs + i;
        System.arraycopy(obsNorm, 0, obs, k * obsDim, obsDim);
        System.arraycopy(rawAction, 0, raw, k * rawDim, rawDim);
        logProbs[k] = (float) logProb;
        values[k] = value;
        rewards[k] = (float) reward;
        dones[k] = done ? 1f : 0f;
        squashCorr[k] = (float) corr;
        policyActed[k] = 1f;
        live[k] = 1f;
    }

    /**
     * Records that env {@code i} took no step at {@code t}. Its value of the observation it had is
     * kept: the step before it ends there (truncated), bootstrapped from that value.
     */
    public void addAbsent(int t, int i, float[] obsNorm, float value) {
        int k = t * envs + i;
        System.arraycopy(obsNorm, 0, obs, k * obsDim, obsDim);
        Arrays.fill(raw, k * rawDim, (k + 1) * rawDim, 0f);
        logProbs[k] = 0;
        values[k] = value;
        rewards[k] = 0;
        dones[k] = 0;
        squashCorr[k] = 0;
        policyActed[k] = 0f; // a recurrent sequence keeps the row, out of the surrogate
        live[k] = 0f;
    }

    /** The rows where an env took a step, in order; null when every row did (no copy needed). */
    public int[] liveRows() {
        int n = size(), m = 0;
        for (int k = 0; k < n; k++) if (live[k] != 0f) m++;
        if (m == n) return null;
        int[] rows = new int[m];
        for (int k = 0, r = 0; k < n; k++) if (live[k] != 0f) rows[r++] = k;
        return rows;
    }

    /** Marks env {@code i}'s step {@code t} as not acted by the policy (after {@link #add}). */
    public void markNotPolicy(int t, int i) {
        policyActed[t * envs + i] = 0f;
    }

    /**
     * Generalised advantage estimation, backwards in time:
     * δ_t = r_t + γ V_{t+1} (1 − done_t) − V_t,  A_t = δ_t + γλ (1 − done_t) A_{t+1},  R_t = A_t + V_t.
     * A row where the env took no step has no advantage and cuts the chain: the step before it is
     * bootstrapped from V of the observation it left the env in, as a truncation.
     *
     * @param lastValues V of the observation after the last step, per env
     */
    public void computeGae(float[] lastValues, double gamma, double lambda) {
        for (int i = 0; i < envs; i++) {
            double gae = 0;
            for (int t = steps - 1; t >= 0; t--) {
                int k = t * envs + i;
                if (live[k] == 0f) {
                    gae = 0;
                    advantages[k] = 0;
                    returns[k] = values[k];
                    continue;
                }
                double nextValue = t == steps - 1 ? lastValues[i] : values[k + envs];
                double notDone = 1.0 - dones[k];
                double delta = rewards[k] + gamma * nextValue * notDone - values[k];
                gae = delta + gamma * lambda * notDone * gae;
                advantages[k] = (float) gae;
                returns[k] = (float) (gae + values[k]);
            }
        }
    }

    /** 1 − Var(R − V) / Var(R) over the rows where an env took a step: how much of the return the critic explains. */
    public double explainedVariance() {
        int size = size(), n = 0;
        double mr = 0, md = 0;
        for (int k = 0; k < size; k++) {
            if (live[k] == 0f) continue;
            n++;
            mr += returns[k];
            md += returns[k] - values[k];
        }
        if (n == 0) return Double.NaN;
        mr /= n;
        md /= n;
        double vr = 0, vd = 0;
        for (int k = 0; k < size; k++) {
            if (live[k] == 0f) continue;
            vr += (returns[k] - mr) * (returns[k] - mr);
            double d = returns[k] - values[k] - md;
            vd += d * d;
        }
        return vr == 0 ? Double.NaN : 1 - vd / vr;
    }

    /**
     * Recurrent minibatch: whole sequences of the envs {@code envIdx[from..to)}, rows in
     * time-major order, with each env's initial state and the episode-start mask.
     */
    public void gatherSequences(int[] envIdx, int from, int to, Minibatch mb, boolean normAdv) {
        int e = to - from;
        int[] rows = new int[steps * e];
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < e; r++) rows[t * e + r] = t * envs + envIdx[from + r];
        }
        gather(rows, 0, rows.length, mb, normAdv);
        mb.seqSteps = steps;
        mb.seqEnvs = e;
        for (int k = 0; k < rows.length; k++) mb.keep[k] = 1f - episodeStarts[rows[k]];
        for (int r = 0; r < e; r++) System.arraycopy(initialState, envIdx[from + r] * stateSize, mb.state0, r * stateSize, stateSize);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates) from the run's RNG. */
    public static int[] permutation(int n, UniformRandomProvider rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Minibatch rows copied out of the buffer, ready to become tensors. */
    public static final class Minibatch {
        public int size;
        public final float[] obs, raw, oldLogProbs, advantages, returns, oldValues, squashCorr, policyActed;
        /** True when every row was the policy's own sample (plain PPO; no masking needed). */
        public boolean allPolicy;
        /** Recurrent minibatches only. */
        public int seqSteps, seqEnvs;
        public final float[] keep, state0;
        private final int obsDim, rawDim;

        public Minibatch(int capacity, int obsDim, int rawDim) {
            this(capacity, obsDim, rawDim, 0, 0);
        }

        public Minibatch(int capacity, int obsDim, int rawDim, int seqEnvs, int stateSize) {
            this.obsDim = obsDim;
            this.rawDim = rawDim;
            keep = new float[stateSize > 0 ? capacity : 0];
            state0 = new float[seqEnvs * stateSize];
            obs = new float[capacity * obsDim];
            raw = new float[capacity * rawDim];
            oldLogProbs = new float[capacity];
            advantages = new float[capacity];
            returns = new float[capacity];
            oldValues = new float[capacity];
            squashCorr = new float[capacity];
            policyActed = new float[capacity];
        }

        /** Makes this minibatch rows {@code [from, to)} of {@code src} (feed-forward rows; a learner thread's share). */
        public void copyRows(Minibatch src, int from, int to) {
            int m = to - from, od = obsDim, rd = rawDim;
            size = m;
            System.arraycopy(src.obs, from * od, obs, 0, m * od);
            System.arraycopy(src.raw, from * rd, raw, 0, m * rd);
            System.arraycopy(src.oldLogProbs, from, oldLogProbs, 0, m);
            System.arraycopy(src.advantages, from, advantages, 0, m);
            System.arraycopy(src.returns, from, returns, 0, m);
            System.arraycopy(src.oldValues, from, oldValues, 0, m);
            System.arraycopy(src.squashCorr, from, squashCorr, 0, m);
            System.arraycopy(src.policyActed, from, policyActed, 0, m);
            allPolicy = src.allPolicy;
        }
    }

    /** Copies rows {@code idx[from..to)} into {@code mb}; normalises advantages within the batch if asked. */
    public void gather(int[] idx, int from, int to, Minibatch mb, boolean normAdv) {
        int m = to - from;
        mb.size = m;
        mb.allPolicy = true;
        for (int r = 0; r < m; r++) {
            int k = idx[from + r];
            System.arraycopy(obs, k * obsDim, mb.obs, r * obsDim, obsDim);
            System.arraycopy(raw, k * rawDim, mb.raw, r * rawDim, rawDim);
            mb.oldLogProbs[r] = logProbs[k];
            mb.advantages[r] = advantages[k];
            mb.returns[r] = returns[k];
            mb.oldValues[r] = values[k];
            mb.squashCorr[r] = squashCorr[k];
            mb.policyActed[r] = policyActed[k];
            if (policyActed[k] == 0f) mb.allPolicy = false;
        }
        if (normAdv && m > 1) {
            double mean = 0;
            for (int r = 0; r < m; r++) mean += mb.advantages[r];
            mean /= m;
            double var = 0;
            for (int r = 0; r < m; r++) var += (mb.advantages[r] - mean) * (mb.advantages[r] - mean);
            double std = Math.sqrt(var / (m - 1)); // unbiased, as torch.Tensor.std()
            for (int r = 0; r < m; r++) mb.advantages[r] = (float) ((mb.advantages[r] - mean) / (std + 1e-8));
        }
    }
}
