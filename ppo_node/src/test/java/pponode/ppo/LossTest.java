package pponode.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import pponode.TestSupport;

class LossTest {
    @Test
    void clippedSurrogateAndValueClipMatchHandNumbers() {
        try (NDManager m = TestSupport.cpuManager()) {
            NDArray ratio = m.create(new float[] {1.5f, 0.5f, 1.0f});
            NDArray adv = m.create(new float[] {1f, -1f, 2f});
            NDArray newV = m.create(new float[] {1f, 0f, 3f});
            NDArray oldV = m.create(new float[] {0.5f, 0.5f, 0.5f});
            NDArray ret = m.create(new float[] {2f, 0f, 1f});
            NDArray ent = m.create(0.7f);
            PPO.Losses l = PPO.losses(ratio, adv, newV, oldV, ret, ent, 0.2, 0.2, 0.5, 0.01);
            // surr1 = [1.5, -0.5, 2.0], surr2 = [1.2, -0.8, 2.0], min = [1.2, -0.8, 2.0], mean 0.8
            assertEquals(-0.8, l.actor().getFloat(), 1e-6);
            // clipped values [0.7, 0.3, 0.7] → sq [1.69, 0.09, 0.09]; unclipped sq [1, 0, 4]; max mean 5.78/3; half
            assertEquals(0.5 * 5.78 / 3, l.critic().getFloat(), 1e-6);
            assertEquals(-0.8 + 0.5 * (0.5 * 5.78 / 3) - 0.01 * 0.7, l.total().getFloat(), 1e-6);
            PPO.Losses noClip = PPO.losses(ratio, adv, newV, oldV, ret, ent, 0.2, null, 0.5, 0.01);
            assertEquals(0.5 * 5.0 / 3, noClip.critic().getFloat(), 1e-6);
        }
    }
}
