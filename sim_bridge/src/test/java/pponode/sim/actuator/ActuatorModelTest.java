package pponode.sim.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The actuator models' effort, step by step, against what each model says on paper. */
class ActuatorModelTest {
    @Test
    void idealPdIsClampedPd() {
        Actuator a = new ActuatorModel.IdealPd().create();
        a.reset(0);
        assertEquals(20 * 0.5 - 0.5 * 2, a.effort(0.5, 0, 2, 20, 0.5, 23.7), 1e-12);
        assertEquals(23.7, a.effort(5, 0, 0, 20, 0.5, 23.7), 1e-12, "clamped to the effort limit");
    }

    @Test
    void aDcMotorLosesTorqueInTheDirectionOfMotionLinearlyWithSpeed() {
        Actuator a = new ActuatorModel.DcMotor(30, 20).create();
        assertEquals(23.7, a.effort(5, 0, 0, 20, 0.5, 23.7), 1e-12, "at rest: the effort limit below the saturation effort");
        assertEquals(30 * (1 - 10.0 / 20), a.effort(5, 0, 10, 20, 0, 23.7), 1e-12, "at half the velocity limit, half the saturation effort");
        assertEquals(0, a.effort(5, 0, 25, 20, 0, 23.7), 1e-12, "beyond the velocity limit: none in the direction of motion");
        assertEquals(-23.7, a.effort(-5, 0, 10, 20, 0, 23.7), 1e-12, "braking: the full limit against the motion");
    }

    @Test
    void delayedPdActsOnTheCommandOfNStepsAgo() {
        Actuator a = new ActuatorModel.DelayedPd(3).create();
        a.reset(0.2);
        double[] commands = {1, 2, 3, 4, 5};
        double[] acting = new double[commands.length];
        for (int k = 0; k < commands.length; k++) acting[k] = a.effort(commands[k], 0, 0, 1, 0, 100);
        assertEquals(0.2, acting[0], 1e-12, "the start pose is in flight first");
        assertEquals(0.2, acting[2], 1e-12);
        assertEquals(1, acting[3], 1e-12, "the first command, 3 steps later");
        assertEquals(2, acting[4], 1e-12);
        ByteBuffer b = ByteBuffer.allocate(a.stateBytes());
        a.save(b);
        Actuator copy = new ActuatorModel.DelayedPd(3).create();
        copy.load(b.flip());
        assertEquals(a.effort(6, 0, 0, 1, 0, 100), copy.effort(6, 0, 0, 1, 0, 100), 1e-12, "a restored line goes on as the original");
    }

    @Test
    void theNetworkSeesErrorsAndVelocitiesOfItsLastSamplesSpacingStepsApart() {
        // one linear layer: effort = sum of the errors minus the newest velocity, so the inputs it sees are visible
        ActuatorNet net = new ActuatorNet(2, new double[] {1, 1, 1, 1}, 1, new double[][][] {{{1, 1, -1, 0}}}, new double[][] {{0}});
        Actuator a = new ActuatorModel.Network(net, 2).create();
        a.reset(0);
        double[] e = {1, 2, 3, 4};
        double[] out = new double[e.length];
        for (int k = 0; k < e.length; k++) out[k] = a.effort(e[k], 0, 0.5, 0, 0, 100);
        assertEquals(1 + 0 - 0.5, out[0], 1e-12, "no history yet: zeros");
        assertEquals(2 + 0 - 0.5, out[1], 1e-12);
        assertEquals(3 + 1 - 0.5, out[2], 1e-12, "the error two steps back");
        assertEquals(4 + 2 - 0.5, out[3], 1e-12);
        ActuatorNet deep = new ActuatorNet(1, new double[] {2, 1}, 3, new double[][][] {{{1, 0}, {0, 1}}, {{1, 1}}}, new double[][] {{0, 0}, {0.5}});
        double x0 = 2 * 0.5, x1 = 1 * 1.0;
        assertEquals(3 * (x0 / (1 + x0) + x1 / (1 + x1) + 0.5), deep.effort(new double[] {0.5, 1.0}), 1e-12, "softsign between layers, scales in and out");
    }
}
