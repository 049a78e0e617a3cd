package pponode.sim.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.UrdfParser;

/** The shipped quadruped on the ground: standing under PD, reproducibility, contact forces on its feet. */
class QuadrupedPhysicsTest {
    static final double[] G = {0, 0, -9.81};
    /** legged_gym's stance for a small quadruped: hips out 0.1 rad, thighs 0.8 (front) and 1.0 (rear), knees −1.5. */
    static final double[] STANCE = {0.1, 0.8, -1.5, -0.1, 0.8, -1.5, 0.1, 1.0, -1.5, -0.1, 1.0, -1.5};
    static final double KP = 20, KD = 0.5;

    static UrdfModel quadruped() throws IOException {
        return UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
    }

    /** The quadruped at its stance, its feet just above the ground. */
    static JointPhysics standing(Engine engine, double dt) throws IOException {
        JointPhysics sim = engine.make(quadruped(), dt, G, true, ContactSettings.defaults());
        sim.setState(STANCE, new double[12], Pose.translation(0, 0, 0.34), new double[3], new double[3]);
        return sim;
    }

    static void pd(JointPhysics sim, double[] target, double[] tau) {
        for (int i = 0; i < 12; i++) tau[i] = KP * (target[i] - sim.position(i)) - KD * sim.velocity(i);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void standsUnderPdHoldingItsBaseHeightForTenSeconds(Engine engine) throws IOException {
        double dt = 0.002; // the task's 500 Hz physics
        try (JointPhysics sim = standing(engine, dt)) {
            double[] tau = new double[12];
            BaseState s = new BaseState();
            for (int k = 0; k < Math.round(1 / dt); k++) { // land and settle
                pd(sim, STANCE, tau);
                sim.step(tau);
            }
            sim.baseState(s);
            double h0 = s.position[2], lo = h0, hi = h0;
            for (int k = 0; k < Math.round(10 / dt); k++) {
                pd(sim, STANCE, tau);
                sim.step(tau);
                sim.baseState(s);
                lo = Math.min(lo, s.position[2]);
                hi = Math.max(hi, s.position[2]);
            }
            System.out.printf("quadruped standing: base height %.4f m after landing, range over 10 s [%.4f, %.4f] m%n", h0, lo, hi);
            assertTrue(h0 > 0.2, "stands at " + h0 + " m");
            assertTrue(hi - h0 <= 0.01 && h0 - lo <= 0.01, "base height left " + h0 + " ± 1 cm: [" + lo + ", " + hi + "]");
            double[] f = new double[3];
            double weight = 0;
            for (String foot : new String[] {"FL_foot", "FR_foot", "RL_foot", "RR_foot"}) {
                sim.contactForce(sim.linkIndex(foot), f);
                assertTrue(f[2] > 0, foot + " carries load");
                weight += f[2];
            }
            assertEquals(quadruped().totalMass() * 9.81, weight, 0.02 * quadruped().totalMass() * 9.81, "the feet carry the robot's weight");
            sim.contactForce(sim.linkIndex("trunk"), f);
            assertEquals(0, f[2], "the trunk does not touch the ground");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void sameEffortsGiveABitIdenticalTrajectory(Engine engine) throws IOException {
        byte[][] end = new byte[2][];
        for (int run = 0; run < 2; run++) {
            Random rng = new Random(42);
            try (JointPhysics sim = standing(engine, 0.002)) {
                double[] tau = new double[12], target = new double[12];
                for (int k = 0; k < 600; k++) {
                    if (k % 4 == 0) for (int i = 0; i < 12; i++) target[i] = STANCE[i] + 0.4 * (rng.nextDouble() - 0.5);
                    pd(sim, target, tau);
                    sim.step(tau);
                }
                end[run] = sim.snapshot();
            }
        }
        assertArrayEquals(end[0], end[1]);
    }
}
