package pponode.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RolloutBufferTest {
    private static final float[] NO_OBS = new float[1];
    private static final float[] NO_ACT = new float[1];

    @Test
    void gaeMatchesHandComputedExample() {
        // One env, three steps; the episode ends at step 1 (done), so the chain is cut there.
        RolloutBuffer b = new RolloutBuffer(3, 1, 1, 1);
        b.add(0, 0, NO_OBS, NO_ACT, 0, 0.5f, 1.0, false, 0);
        b.add(1, 0, NO_OBS, NO_ACT, 0, 1.0f, 2.0, true, 0);
        b.add(2, 0, NO_OBS, NO_ACT, 0, 1.5f, 3.0, false, 0);
        b.computeGae(new float[] {2.0f}, 0.9, 0.8);
        // t=2: δ = 3 + 0.9·2.0 − 1.5 = 3.3, A = 3.3
        // t=1: done → δ = 2 − 1.0 = 1.0, A = 1.0 (no bootstrap, no carry)
        // t=0: δ = 1 + 0.9·1.0 − 0.5 = 1.4, A = 1.4 + 0.9·0.8·1.0 = 2.12
        assertEquals(2.12, b.advantages[0], 1e-6);
        assertEquals(1.0, b.advantages[1], 1e-6);
        assertEquals(3.3, b.advantages[2], 1e-6);
        assertEquals(2.62, b.returns[0], 1e-6);
        assertEquals(2.0, b.returns[1], 1e-6);
        assertEquals(4.8, b.returns[2], 1e-6);
    }

    @Test
    void aStepNotTakenEndsTheStepBeforeItAsATruncationAndStaysOutOfTheUpdate() {
        // One env, four steps; at t=2 its robot stopped answering (no step), at t=3 it is back in a new episode.
        RolloutBuffer b = new RolloutBuffer(4, 1, 1, 1);
        b.add(0, 0, NO_OBS, NO_ACT, 0, 0.5f, 1.0, false, 0);
        b.add(1, 0, NO_OBS, NO_ACT, 0, 1.0f, 2.0, false, 0);
        b.addAbsent(2, 0, NO_OBS, 4.0f); // V of the observation the env was left in
        b.add(3, 0, NO_OBS, NO_ACT, 0, 1.5f, 3.0, false, 0);
        b.computeGae(new float[] {2.0f}, 0.9, 0.8);
        // t=3: δ = 3 + 0.9·2 − 1.5 = 3.3
        // t=2: not taken: no advantage, and nothing carried into t=1
        // t=1: δ = 2 + 0.9·4.0 − 1.0 = 4.6 (bootstrapped from the value it was left at, as a truncation)
        // t=0: δ = 1 + 0.9·1.0 − 0.5 = 1.4, A = 1.4 + 0.72·4.6 = 4.712
        assertEquals(3.3, b.advantages[3], 1e-6);
        assertEquals(0.0, b.advantages[2], 1e-6);
        assertEquals(4.6, b.advantages[1], 1e-6);
        assertEquals(4.712, b.advantages[0], 1e-5);
        assertArrayEquals(new int[] {0, 1, 3}, b.liveRows());
        assertEquals(0f, b.policyActed[2], "kept out of a recurrent sequence's surrogate");
        RolloutBuffer all = new RolloutBuffer(1, 1, 1, 1);
        all.add(0, 0, NO_OBS, NO_ACT, 0, 0f, 1.0, false, 0);
        assertNull(all.liveRows(), "every step taken: the update's rows are the buffer's, untouched");
    }

    @Test
    void envsAreIndependentColumns() {
        RolloutBuffer b = new RolloutBuffer(2, 2, 1, 1);
        b.add(0, 0, NO_OBS, NO_ACT, 0, 0f, 1.0, false, 0);
        b.add(0, 1, NO_OBS, NO_ACT, 0, 0f, 10.0, true, 0);
        b.add(1, 0, NO_OBS, NO_ACT, 0, 0f, 1.0, false, 0);
        b.add(1, 1, NO_OBS, NO_ACT, 0, 0f, 10.0, false, 0);
        b.computeGae(new float[] {0f, 0f}, 1.0, 1.0);
        assertEquals(2.0, b.advantages[0], 1e-6); // env 0, t=0: 1 + 1
        assertEquals(10.0, b.advantages[1], 1e-6); // env 1, t=0: done, its t=1 reward is another episode
        assertEquals(1.0, b.advantages[2], 1e-6);
        assertEquals(10.0, b.advantages[3], 1e-6);
    }

    @Test
    void minibatchAdvantagesAreNormalisedWithUnbiasedStd() {
        RolloutBuffer b = new RolloutBuffer(4, 1, 1, 1);
        for (int t = 0; t < 4; t++) b.add(t, 0, NO_OBS, NO_ACT, 0, 0f, 0, false, 0);
        float[] adv = {1, 2, 3, 4};
        System.arraycopy(adv, 0, b.advantages, 0, 4);
        RolloutBuffer.Minibatch mb = new RolloutBuffer.Minibatch(4, 1, 1);
        b.gather(new int[] {0, 1, 2, 3}, 0, 4, mb, true);
        double std = Math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3);
        assertEquals((1 - 2.5) / std, mb.advantages[0], 1e-6);
        assertEquals((4 - 2.5) / std, mb.advantages[3], 1e-6);
    }
}
