package pponode.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import pponode.env.VecStep;

/** An env whose robot is away takes no step: its return is no sample of the reward scale. */
class RewardScalerTest {
    @Test
    void anEnvThatTookNoStepLeavesTheScaleAsTheOthersSetIt() {
        RewardScaler two = new RewardScaler(2, true, 0.9, 10), one = new RewardScaler(1, true, 0.9, 10);
        VecStep both = new VecStep(2), alone = new VecStep(1);
        double[] out2 = new double[2], out1 = new double[1];
        for (int t = 0; t < 20; t++) {
            double r = 1 + (t % 3);
            both.rewards[0] = r;
            both.live[0] = true;
            both.rewards[1] = 0; // env 1 is away
            both.live[1] = false;
            alone.rewards[0] = r;
            alone.live[0] = true;
            two.scale(both, t, out2);
            one.scale(alone, t, out1);
            assertArrayEquals(out1, new double[] {out2[0]}, 1e-12, "step " + t);
        }
    }
}
