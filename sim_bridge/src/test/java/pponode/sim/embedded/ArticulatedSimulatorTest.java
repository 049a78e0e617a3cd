package pponode.sim.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.UrdfParser;

/**
 * The joint-space simulator against ode4j on the shipped fixed-base robots: the same URDF, efforts
 * and start, the same motion. At a fine step (10 µs), where both integrators have converged, the
 * two agree to 1e-5 rad over 0.2 s of full efforts (measured: 6.8e-6 on the reacher, which runs
 * into its velocity limits; 5e-11 on the pendulum); at the tasks' 1 ms step each integrator's own
 * error shows (ODE's joints are constraints between free bodies), millimetres over a second.
 */
class ArticulatedSimulatorTest {
    static final double[] GRAVITY = {0, 0, -9.81};

    static UrdfModel robot(String name) throws Exception {
        return UrdfParser.parse(Path.of("../urdf/" + name + ".urdf"));
    }

    /** Steps both simulators {@code steps} times from the same random start under the same random efforts; returns the largest differences {q, q̇}. */
    static double[] drive(JointPhysics a, JointPhysics b, long seed, int steps, int hold, double effortShare) {
        int n = a.dof();
        Random rng = new Random(seed);
        double[] q0 = new double[n], qd0 = new double[n], e = new double[n];
        for (int i = 0; i < n; i++) {
            q0[i] = 0.3 * rng.nextGaussian();
            qd0[i] = 0.5 * rng.nextGaussian();
        }
        a.setState(q0, qd0);
        b.setState(q0, qd0);
        assertEquals(a.energy(), b.energy(), 1e-9 * Math.max(1, Math.abs(a.energy())), "the same energy at the start");
        double dq = 0, dqd = 0;
        for (int t = 0; t < steps; t++) {
            if (t % hold == 0) for (int i = 0; i < n; i++) e[i] = (rng.nextDouble() * 2 - 1) * effortShare * a.effortLimit(i);
            a.step(e);
            b.step(e);
            for (int i = 0; i < n; i++) {
                dq = Math.max(dq, Math.abs(a.position(i) - b.position(i)));
                dqd = Math.max(dqd, Math.abs(a.velocity(i) - b.velocity(i)));
            }
        }
        return new double[] {dq, dqd};
    }

    @ParameterizedTest
    @ValueSource(strings = {"reacher_2dof", "arm_6dof", "pendulum", "cartpole"})
    void atAFineStepTheMotionIsOdes(String name) throws Exception {
        UrdfModel m = robot(name);
        try (EmbeddedSimulator ode = new EmbeddedSimulator(m, 1e-5, GRAVITY); ArticulatedSimulator js = new ArticulatedSimulator(m, 1e-5, GRAVITY)) {
            double[] d = drive(ode, js, 1, 20_000, 2_000, 1.0);
            System.out.printf("%s, 0.2 s at 10 µs under full efforts: largest difference %.1e rad(m), %.1e rad(m)/s%n", name, d[0], d[1]);
            assertTrue(d[0] < 2e-5 && d[1] < 1e-3, name + ": " + d[0] + ", " + d[1]);
        }
    }

    /** At 1 ms, below the velocity limits: the two integrators part by millimetres over a second. */
    @ParameterizedTest
    @ValueSource(strings = {"arm_6dof", "pendulum", "cartpole"})
    void atTheTaskStepTheMotionStaysClose(String name) throws Exception {
        UrdfModel m = robot(name);
        try (EmbeddedSimulator ode = new EmbeddedSimulator(m, 1e-3, GRAVITY); ArticulatedSimulator js = new ArticulatedSimulator(m, 1e-3, GRAVITY)) {
            double[] d = drive(ode, js, 2, 1_000, 20, 0.3);
            System.out.printf("%s, 1 s at 1 ms: largest difference %.1e rad(m), %.1e rad(m)/s%n", name, d[0], d[1]);
            assertTrue(d[0] < 1e-2, name + ": " + d[0]);
        }
    }

    /** Each joint pushed into each of its stops comes to rest there, as on ODE's joint stops. */
    @ParameterizedTest
    @ValueSource(strings = {"reacher_2dof", "arm_6dof"})
    void jointsStopAtTheirLimitsAsOdesDo(String name) throws Exception {
        UrdfModel m = robot(name);
        try (EmbeddedSimulator ode = new EmbeddedSimulator(m, 1e-3, GRAVITY); ArticulatedSimulator js = new ArticulatedSimulator(m, 1e-3, GRAVITY)) {
            int n = js.dof();
            for (int i = 0; i < n; i++) {
                UrdfModel.Joint j = m.movableJoints().get(i);
                if (!(j.lower() > -Math.PI && j.upper() < Math.PI)) continue;
                for (int side : new int[] {-1, 1}) {
                    double[] e = new double[n], zero = new double[n];
                    e[i] = side * 0.5 * js.effortLimit(i);
                    ode.setState(zero, zero);
                    js.setState(zero, zero);
                    for (int t = 0; t < 3_000; t++) {
                        ode.step(e);
                        js.step(e);
                    }
                    double limit = side < 0 ? j.lower() : j.upper();
                    assertEquals(ode.position(i), js.position(i), 5e-3, name + " " + j.name() + " against its " + (side < 0 ? "lower" : "upper") + " stop");
                    assertEquals(limit, js.position(i), 2e-2, name + " " + j.name() + " rests at its stop");
                    assertEquals(0, js.velocity(i), 1e-2, name + " " + j.name() + " at rest");
                }
            }
        }
    }

    @Test
    void aSnapshotContinuesBitForBit() throws Exception {
        try (ArticulatedSimulator a = new ArticulatedSimulator(robot("arm_6dof"), 1e-3, GRAVITY); ArticulatedSimulator b = new ArticulatedSimulator(robot("arm_6dof"), 1e-3, GRAVITY)) {
            double[] e = {1, -2, 0.5, 0.3, -0.1, 0.2}, q = new double[6], qa = new double[6], qb = new double[6];
            a.setState(q, q);
            for (int t = 0; t < 300; t++) a.step(e);
            b.restore(a.snapshot());
            for (int t = 0; t < 300; t++) {
                a.step(e);
                b.step(e);
            }
            a.positions(qa);
            b.positions(qb);
            assertArrayEquals(qa, qb, 0.0);
            assertEquals(600, a.steps());
        }
    }

    /** A state ode4j saved (a checkpoint of a run from before joint space) continues here from the same joint positions and rates. */
    @Test
    void anOde4jSnapshotRestoresIntoJointSpace() throws Exception {
        UrdfModel m = robot("arm_6dof");
        try (EmbeddedSimulator ode = new EmbeddedSimulator(m, 1e-3, GRAVITY); ArticulatedSimulator js = new ArticulatedSimulator(m, 1e-3, GRAVITY)) {
            double[] e = {1, -2, 0.5, 0.3, -0.1, 0.2}, zero = new double[6], a = new double[6], b = new double[6];
            ode.setState(zero, zero);
            for (int t = 0; t < 300; t++) ode.step(e);
            js.restore(ode.snapshot());
            ode.positions(a);
            js.positions(b);
            assertArrayEquals(a, b, 0.0, "positions");
            ode.velocities(a);
            js.velocities(b);
            assertArrayEquals(a, b, 0.0, "rates");
            assertEquals(300, js.steps());
        }
    }

    /**
     * A floating base: the quadruped thrown tumbling with its legs driven, no ground, at a 10 µs
     * step: the base's pose and the joints follow ode4j's free bodies and hinges (the composite
     * inertia of the whole tree on the root, its coupling to every joint, the gyroscopic terms).
     * 50 ms, before the knees reach their stops (stops: {@link #jointsStopAtTheirLimitsAsOdesDo}).
     */
    @Test
    void atAFineStepAFloatingRobotMovesAsInOde4j() throws Exception {
        UrdfModel m = QuadrupedPhysicsTest.quadruped();
        try (EmbeddedSimulator ode = new EmbeddedSimulator(m, 1e-5, GRAVITY, true, null);
             ArticulatedSimulator js = new ArticulatedSimulator(m, 1e-5, GRAVITY, true, null)) {
            double[] q0 = QuadrupedPhysicsTest.STANCE, zero = new double[12];
            Pose start = new Pose(Pose.rotation(new double[] {0.6, 0.8, 0}, 0.4).r(), new double[] {0.3, -0.2, 1.0});
            double[] lin = {0.5, 0.2, 1.0}, ang = {1.5, -2.0, 3.0};
            ode.setState(q0, zero, start, lin, ang);
            js.setState(q0, zero, start, lin, ang);
            double[] e = new double[12];
            for (int i = 0; i < 12; i++) e[i] = 0.3 * (i % 2 == 0 ? 1 : -1);
            for (int t = 0; t < 5_000; t++) {
                ode.step(e);
                js.step(e);
            }
            BaseState a = new BaseState(), b = new BaseState();
            ode.baseState(a);
            js.baseState(b);
            double[] qa = new double[12], qb = new double[12];
            ode.positions(qa);
            js.positions(qb);
            System.out.printf("floating quadruped, 50 ms at 10 us: base %.2e m, %.2e (quaternion), joints %.2e rad apart%n", maxDiff(a.position, b.position),
                    maxDiff(a.orientation, b.orientation), maxDiff(qa, qb));
            assertArrayEquals(a.position, b.position, 1e-5, "base position");
            assertArrayEquals(a.orientation, b.orientation, 1e-5, "base orientation");
            assertArrayEquals(a.linearVelocity, b.linearVelocity, 1e-4, "base velocity");
            assertArrayEquals(a.angularVelocity, b.angularVelocity, 1e-4, "base angular velocity");
            assertArrayEquals(qa, qb, 1e-5, "joint positions");
        }
    }

    private static double maxDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    /** A standing quadruped's state (floating base, contacts) saved and restored continues bit for bit. */
    @Test
    void aFloatingRobotsSnapshotContinuesBitForBit() throws Exception {
        try (ArticulatedSimulator a = (ArticulatedSimulator) QuadrupedPhysicsTest.standing(Engine.JOINT_SPACE, 2e-3);
             ArticulatedSimulator b = (ArticulatedSimulator) QuadrupedPhysicsTest.standing(Engine.JOINT_SPACE, 2e-3)) {
            double[] tau = new double[12], target = new double[12];
            Random r = new Random(3);
            for (int t = 0; t < 400; t++) {
                for (int i = 0; i < 12; i++) target[i] = QuadrupedPhysicsTest.STANCE[i] + 0.3 * (r.nextDouble() - 0.5);
                QuadrupedPhysicsTest.pd(a, target, tau);
                a.step(tau);
            }
            b.restore(a.snapshot());
            for (int t = 0; t < 400; t++) {
                QuadrupedPhysicsTest.pd(a, QuadrupedPhysicsTest.STANCE, tau);
                a.step(tau);
                b.step(tau);
            }
            assertArrayEquals(a.snapshot(), b.snapshot());
            assertTrue(a.contactCount() > 0, "it stands on the ground");
        }
    }

    /** A quadruped state ode4j saved (checkpoints of legged runs from before) continues here from the same base and joints. */
    @Test
    void aFloatingRobotsOde4jSnapshotRestoresIntoJointSpace() throws Exception {
        try (JointPhysics ode = QuadrupedPhysicsTest.standing(Engine.ODE4J, 2e-3);
             ArticulatedSimulator js = new ArticulatedSimulator(QuadrupedPhysicsTest.quadruped(), 2e-3, GRAVITY, true, ContactSettings.defaults())) {
            double[] tau = new double[12];
            for (int t = 0; t < 300; t++) {
                QuadrupedPhysicsTest.pd(ode, QuadrupedPhysicsTest.STANCE, tau);
                ode.step(tau);
            }
            js.restore(ode.snapshot());
            BaseState a = new BaseState(), b = new BaseState();
            ode.baseState(a);
            js.baseState(b);
            assertArrayEquals(a.position, b.position, 1e-12, "base position");
            assertArrayEquals(a.orientation, b.orientation, 1e-12, "base orientation");
            assertArrayEquals(a.linearVelocity, b.linearVelocity, 1e-12, "base velocity");
            assertArrayEquals(a.angularVelocity, b.angularVelocity, 1e-12, "base angular velocity");
            double[] qa = new double[12], qb = new double[12];
            ode.positions(qa);
            js.positions(qb);
            assertArrayEquals(qa, qb, 0.0, "joint positions");
            assertEquals(300, js.steps());
        }
    }

    /** Link positions are the URDF's forward kinematics at the simulated joint positions. */
    @Test
    void linkPositionsFollowTheJoints() throws Exception {
        UrdfModel m = robot("reacher_2dof");
        try (ArticulatedSimulator js = new ArticulatedSimulator(m, 1e-3, GRAVITY); EmbeddedSimulator ode = new EmbeddedSimulator(m, 1e-3, GRAVITY)) {
            double[] q = {0.7, -1.2}, zero = new double[2], a = new double[3], b = new double[3];
            js.setState(q, zero);
            ode.setState(q, zero);
            for (String link : new String[] {"fingertip", "link2", "base"}) {
                js.linkPosition(link, a);
                ode.linkPosition(link, b);
                assertArrayEquals(b, a, 1e-12, link);
            }
        }
    }
}
