package pponode.sim.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.UrdfParser;

class EmbeddedSimulatorTest {
    static final Path URDF = Path.of("../urdf");
    static final double[] G = {0, 0, -9.81};

    static UrdfModel pendulum() throws IOException {
        return UrdfParser.parse(Path.of("src/test/resources/double_pendulum.urdf"));
    }

    @Test
    void chainOriginMatchesForwardKinematicsOnEveryShippedRobot() throws IOException {
        // the control loop's allocation-free fingertip must be the same point as the pose map's
        Random rng = new Random(3);
        for (String[] robotLink : new String[][] {{"reacher_2dof.urdf", "fingertip"}, {"arm_6dof.urdf", null}, {"cartpole.urdf", null}}) {
            UrdfModel m = UrdfParser.parse(URDF.resolve(robotLink[0]));
            for (UrdfModel.Link l : m.links()) {
                if (robotLink[1] != null && !l.name().equals(robotLink[1])) continue;
                List<String> movable = m.movableJoints().stream().map(UrdfModel.Joint::name).toList();
                UrdfModel.Chain chain = m.chain(l.name(), movable);
                for (int trial = 0; trial < 20; trial++) {
                    Map<String, Double> q = new HashMap<>();
                    double[] qArray = new double[movable.size()];
                    for (int i = 0; i < qArray.length; i++) q.put(movable.get(i), qArray[i] = rng.nextGaussian());
                    double[] out = new double[3];
                    chain.origin(qArray, out);
                    assertArrayEquals(m.forwardKinematics(q).get(l.name()).p(), out, 1e-12, robotLink[0] + " " + l.name());
                }
            }
        }
        UrdfModel r = UrdfParser.parse(URDF.resolve("reacher_2dof.urdf"));
        assertEquals(List.of("fingertip_joint", "joint2", "joint1"), r.chain("fingertip", List.of("joint1", "joint2")).joints().stream().map(UrdfModel.Joint::name).toList());
        assertThrows(IllegalArgumentException.class, () -> r.chain("no_such_link", List.of("joint1", "joint2")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.chain("fingertip", List.of("joint1")));
        assertTrue(e.getMessage().contains("'joint2'"), e.getMessage());
    }

    @Test
    void shippedRobotsParseWithMassesLimitsAndJointOrder() throws IOException {
        UrdfModel r = UrdfParser.parse(URDF.resolve("reacher_2dof.urdf"));
        assertEquals(List.of("joint1", "joint2"), r.movableJoints().stream().map(UrdfModel.Joint::name).toList());
        assertEquals(0.2, r.totalMass(), 1e-12);
        assertEquals(-2.6, r.joint("joint2").lower());
        assertEquals(1.0, r.joint("joint1").effort());
        Pose tip = r.forwardKinematics(Map.of()).get("fingertip");
        assertArrayEquals(new double[] {0.21, 0, 0}, tip.p(), 1e-12);
        UrdfModel c = UrdfParser.parse(URDF.resolve("cartpole.urdf"));
        assertEquals(List.of("cart_joint", "pole_joint"), c.movableJoints().stream().map(UrdfModel.Joint::name).toList());
        assertEquals(UrdfModel.JointType.PRISMATIC, c.joint("cart_joint").type());
        assertEquals(UrdfModel.JointType.CONTINUOUS, c.joint("pole_joint").type());
        assertEquals(1.1, c.totalMass(), 1e-12);
        UrdfModel a = UrdfParser.parse(URDF.resolve("arm_6dof.urdf"));
        assertEquals(List.of("shoulder_pan_joint", "shoulder_lift_joint", "elbow_joint", "wrist_1_joint", "wrist_2_joint", "wrist_3_joint"),
                a.movableJoints().stream().map(UrdfModel.Joint::name).toList());
        assertEquals(150, a.joint("elbow_joint").effort());
        assertEquals(4.0 + 3.7 + 8.393 + 2.275 + 1.219 + 1.219 + 0.1879, a.totalMass(), 1e-9);
    }

    @Test
    void setStateReadsBackExactlyAndMatchesForwardKinematics() throws IOException {
        for (String f : List.of("reacher_2dof.urdf", "cartpole.urdf", "arm_6dof.urdf")) {
            UrdfModel m = UrdfParser.parse(URDF.resolve(f));
            try (EmbeddedSimulator sim = new EmbeddedSimulator(m, 0.001, G)) {
                int n = sim.dof();
                double[] q = new double[n], qd = new double[n];
                for (int i = 0; i < n; i++) {
                    q[i] = 0.3 - 0.17 * i;
                    qd[i] = 0.5 * (i % 2 == 0 ? 1 : -1);
                }
                sim.setState(q, qd);
                double[] rq = new double[n], rqd = new double[n];
                sim.positions(rq);
                sim.velocities(rqd);
                assertArrayEquals(q, rq, 1e-12, f);
                assertArrayEquals(qd, rqd, 1e-9, f + ": joint rates from body velocities");
                // ODE's own joint angles agree with the positions the bodies were placed at
                for (int i = 0; i < n; i++) assertEquals(q[i], sim.position(i), 1e-9);
            }
        }
    }

    /** A free double pendulum keeps its energy within 1% over 10 s at the default 1 ms step. */
    @Test
    void freeDoublePendulumConservesEnergy() throws IOException {
        try (EmbeddedSimulator sim = new EmbeddedSimulator(pendulum(), 0.001, G)) {
            sim.setState(new double[] {1.2, -0.7}, new double[] {0, 0});
            double e0 = sim.energy();
            double[] zero = new double[2];
            double worst = 0;
            for (int k = 0; k < 10_000; k++) {
                sim.step(zero);
                worst = Math.max(worst, Math.abs(sim.energy() - e0));
            }
            // energy relative to the hanging rest state (the scale of the motion)
            sim.setState(new double[] {0, 0}, new double[] {0, 0});
            double scale = e0 - sim.energy();
            System.out.printf("double pendulum: max |ΔE| over 10 s = %.5f J of %.4f J (%.3f%%)%n", worst, scale, 100 * worst / scale);
            assertTrue(worst / scale < 0.01, "energy drift " + 100 * worst / scale + "%");
        }
    }

    /** First-step joint accelerations under gravity equal −M(q)⁻¹ G(q) of the analytic model. */
    @Test
    void firstStepAccelerationsMatchAnalyticDynamics() throws IOException {
        double m = 1, l = 0.5, lc = 0.25, i = m * l * l / 12, g = 9.81, dt = 0.001;
        for (double[] q : new double[][] {{0.3, -0.5}, {1.1, 0.8}, {-2.0, 2.5}}) {
            try (EmbeddedSimulator sim = new EmbeddedSimulator(pendulum(), dt, G)) {
                sim.setState(q, new double[2]);
                sim.step(new double[2]);
                double[] qdd = {sim.velocity(0) / dt, sim.velocity(1) / dt};
                double c2 = Math.cos(q[1]);
                double m11 = m * lc * lc + i + m * (l * l + lc * lc + 2 * l * lc * c2) + i;
                double m12 = m * (lc * lc + l * lc * c2) + i;
                double m22 = m * lc * lc + i;
                // rotation about +y takes the hanging rod (0, 0, −lc) to (−lc sin q, 0, −lc cos q)
                double g1 = m * g * lc * Math.sin(q[0]) + m * g * (l * Math.sin(q[0]) + lc * Math.sin(q[0] + q[1]));
                double g2 = m * g * lc * Math.sin(q[0] + q[1]);
                double det = m11 * m22 - m12 * m12;
                double[] expected = {-(m22 * g1 - m12 * g2) / det, -(-m12 * g1 + m11 * g2) / det};
                assertArrayEquals(expected, qdd, 1e-6, "q = " + Arrays.toString(q));
            }
        }
    }

    @Test
    void sameInputsGiveBitIdenticalTrajectoriesAndSnapshotsRestore() throws IOException {
        UrdfModel arm = UrdfParser.parse(URDF.resolve("arm_6dof.urdf"));
        double[][] a = run(arm, 7, 2000), b = run(arm, 7, 2000);
        for (int k = 0; k < a.length; k++) assertArrayEquals(a[k], b[k], 0.0);
        try (EmbeddedSimulator sim = new EmbeddedSimulator(arm, 0.001, G)) {
            sim.setState(new double[6], new double[6]);
            double[] tau = {10, -20, 5, 1, -1, 0.5};
            for (int k = 0; k < 300; k++) sim.step(tau);
            byte[] snap = sim.snapshot();
            double[] q1 = new double[6], q2 = new double[6];
            for (int k = 0; k < 300; k++) sim.step(tau);
            sim.positions(q1);
            sim.restore(snap);
            for (int k = 0; k < 300; k++) sim.step(tau);
            sim.positions(q2);
            assertArrayEquals(q1, q2, 0.0);
        }
    }

    private static double[][] run(UrdfModel m, long seed, int steps) {
        Random r = new Random(seed);
        try (EmbeddedSimulator sim = new EmbeddedSimulator(m, 0.001, G)) {
            sim.setState(new double[sim.dof()], new double[sim.dof()]);
            double[][] out = new double[steps][sim.dof()];
            double[] tau = new double[sim.dof()];
            for (int k = 0; k < steps; k++) {
                for (int i = 0; i < tau.length; i++) tau[i] = (r.nextDouble() * 2 - 1) * 200;
                sim.step(tau);
                sim.positions(out[k]);
            }
            return out;
        }
    }

    @Test
    void positionLimitsHoldUnderRandomEfforts() throws IOException {
        UrdfModel m = UrdfParser.parse(URDF.resolve("reacher_2dof.urdf"));
        Random r = new Random(3);
        try (EmbeddedSimulator sim = new EmbeddedSimulator(m, 0.001, G)) {
            sim.setState(new double[2], new double[2]);
            double[] tau = new double[2];
            double worst = 0;
            for (int k = 0; k < 50_000; k++) {
                if (k % 50 == 0) for (int i = 0; i < 2; i++) tau[i] = (r.nextDouble() * 2 - 1) * 5; // beyond the 1 N·m limit: clamped
                sim.step(tau);
                worst = Math.max(worst, sim.position(1) - 2.6);
                worst = Math.max(worst, -2.6 - sim.position(1));
            }
            assertTrue(worst < 0.02, "joint2 went " + worst + " rad past its limit");
        }
    }

    @Test
    void malformedUrdfIsRejectedNamingFileAndElement(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("broken.urdf");
        Files.writeString(bad, "<robot name=\"x\"><link name=\"a\"/><joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>"
                + "<limit lower=\"0\" upper=\"1\" effort=\"1\" velocity=\"1\"/></joint></robot>");
        var e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(bad));
        assertTrue(e.getMessage().contains("broken.urdf") && e.getMessage().contains("'j'") && e.getMessage().contains("'b'"), e.getMessage());
        Files.writeString(bad, "<robot name=\"x\"><link name=\"a\"></robot>");
        var e2 = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(bad));
        assertTrue(e2.getMessage().contains("broken.urdf") && e2.getMessage().contains("malformed XML"), e2.getMessage());
        Files.writeString(bad, "<robot name=\"x\"><link name=\"a\"><inertial><mass value=\"abc\"/></inertial></link></robot>");
        var e3 = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(bad));
        assertTrue(e3.getMessage().contains("link 'a'") && e3.getMessage().contains("abc"), e3.getMessage());
        Files.writeString(bad, "<robot name=\"x\"><link name=\"a\"/><link name=\"b\"/><joint name=\"j\" type=\"revolute\"><parent link=\"a\"/>"
                + "<child link=\"b\"/></joint></robot>");
        var e4 = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(bad));
        assertTrue(e4.getMessage().contains("'j'") && e4.getMessage().contains("<limit>"), e4.getMessage());
        var e5 = assertThrows(IOException.class, () -> UrdfParser.parse(dir.resolve("nope.urdf")));
        assertTrue(e5.getMessage().contains("nope.urdf"));
    }
}
