package pponode.sim.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.sim.BackendSpec;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.Perturbation;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.UrdfParser;

/**
 * A simulated robot's physics changed for an episode (domain randomization, sim2sim gates): each
 * change is the model it claims to be, checked against the same robot modelled that way directly.
 */
class PerturbationTest {
    static final double[] G = {0, 0, -9.81};

    static UrdfModel reacher() throws IOException {
        return UrdfParser.parse(Path.of("../urdf/reacher_2dof.urdf"));
    }

    static EmbeddedBackend reacherBackend(double[] kp, double[] kd) throws IOException {
        return new EmbeddedBackend(new BackendSpec(reacher(), 0.001, G, "position", List.of("joint1", "joint2"), kp, kd, 20, false, null));
    }

    /** {@code periods} control periods of position commands (a fixed sweep), returning the joint states after each. */
    static double[][] drive(EmbeddedBackend b, double[][] commands) {
        double[][] out = new double[commands.length][4];
        double[] q = new double[2], qd = new double[2];
        for (int k = 0; k < commands.length; k++) {
            b.step(commands[k]);
            b.positions(q);
            b.velocities(qd);
            out[k] = new double[] {q[0], q[1], qd[0], qd[1]};
        }
        return out;
    }

    static double[][] sweep(int n) {
        double[][] c = new double[n][];
        for (int k = 0; k < n; k++) c[k] = new double[] {0.8 * Math.sin(0.3 * k), -0.6 * Math.cos(0.2 * k)};
        return c;
    }

    @Test
    void anActionDelayOfOnePeriodIsTheSameRobotCommandedOnePeriodLater() throws IOException {
        double[] q0 = {0.1, -0.2}, kp = {2, 2}, kd = {0.1, 0.1};
        double[][] commands = sweep(30);
        try (EmbeddedBackend late = reacherBackend(kp, kd); EmbeddedBackend prompt = reacherBackend(kp, kd)) {
            late.perturb(new Perturbation(1, 1, 1, 20, 1, 1)); // 20 physics steps: one control period
            late.reset(q0, new double[2]);
            prompt.reset(q0, new double[2]);
            double[][] shifted = new double[31][];
            shifted[0] = q0.clone(); // the prompt robot holds its start pose for the period the late one waits
            System.arraycopy(commands, 0, shifted, 1, 30);
            double[][] a = drive(late, commands), b = drive(prompt, shifted);
            for (int k = 0; k < 30; k++) assertArrayEquals(b[k], a[k], "period " + k + ": bit for bit");
        }
    }

    @Test
    void scaledGainsAndStrengthAreThoseOfTheRobotWithThemInItsModel() throws IOException {
        double[] q0 = {0.1, -0.2};
        double[][] commands = sweep(20);
        try (EmbeddedBackend scaled = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1});
                EmbeddedBackend modelled = reacherBackend(new double[] {2 * 1.2, 2 * 1.2}, new double[] {0.1 * 0.8, 0.1 * 0.8})) {
            scaled.perturb(new Perturbation(1.2, 0.8, 1, 0, 1, 1));
            scaled.reset(q0, new double[2]);
            modelled.reset(q0, new double[2]);
            double[][] a = drive(scaled, commands), b = drive(modelled, commands);
            for (int k = 0; k < 20; k++) assertArrayEquals(b[k], a[k], 1e-12, "period " + k);
            scaled.perturb(new Perturbation(1, 1, 0.05, 0, 1, 1)); // a motor at 5 % of its effort limit
            scaled.reset(q0, new double[2]);
            modelled.perturb(new Perturbation(1 / 1.2, 1 / 0.8, 1, 0, 1, 1)); // back to the nominal gains
            modelled.reset(q0, new double[2]);
            double[][] step = {{1.5, 1.5}, {1.5, 1.5}};
            double weak = drive(scaled, step)[1][0] - q0[0], strong = drive(modelled, step)[1][0] - q0[0];
            assertTrue(Math.abs(weak) < 0.5 * Math.abs(strong), "a weaker motor moves the arm less towards the command: " + weak + " rad against " + strong);
        }
    }

    @Test
    void scaledMassesAreThoseOfTheRobotWithThemInItsUrdf(@TempDir Path dir) throws IOException {
        String urdf = Files.readString(Path.of("../urdf/reacher_2dof.urdf"));
        // the same arm with every mass and inertia × 1.2, written out
        Matcher m = Pattern.compile("(mass value|ixx|iyy|izz|ixy|ixz|iyz)=\"([-0-9.eE]+)\"").matcher(urdf);
        StringBuilder heavier = new StringBuilder();
        while (m.find()) m.appendReplacement(heavier, m.group(1) + "=\"" + Double.parseDouble(m.group(2)) * 1.2 + "\"");
        m.appendTail(heavier);
        Path heavy = dir.resolve("heavy.urdf");
        Files.writeString(heavy, heavier.toString());
        try (ArticulatedSimulator scaled = new ArticulatedSimulator(reacher(), 0.001, G, false, null);
                ArticulatedSimulator modelled = new ArticulatedSimulator(UrdfParser.parse(heavy), 0.001, G, false, null)) {
            scaled.scaleMass(1.2);
            for (JointPhysics s : List.of(scaled, modelled)) s.setState(new double[] {0.3, -0.5}, new double[] {1, -1});
            double[] tau = {0.05, -0.02};
            for (int k = 0; k < 500; k++) {
                scaled.step(tau);
                modelled.step(tau);
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(modelled.position(i), scaled.position(i), 1e-9, "joint " + i);
                assertEquals(modelled.velocity(i), scaled.velocity(i), 1e-9, "joint " + i);
            }
        }
    }

    @Test
    void lowerFrictionLetsABlockSlideAndAPushMovesTheBase() throws IOException {
        UrdfModel block = UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
        try (ArticulatedSimulator sim = new ArticulatedSimulator(block, 0.002, G, true, ContactSettings.defaults())) {
            sim.setState(new double[12], new double[12], Pose.translation(0, 0, 0.5), new double[3], new double[3]);
            sim.pushBase(new double[] {0.7, -0.2, 0});
            BaseState s = new BaseState();
            sim.baseState(s);
            assertArrayEquals(new double[] {0.7, -0.2, 0}, s.linearVelocity, 1e-12, "a push changes the base's velocity, nothing else");
            sim.scaleFriction(0.5);
            assertThrows(UnsupportedOperationException.class, () -> new EmbeddedSimulator(block, 0.002, G, true, ContactSettings.defaults()).scaleMass(1.1),
                    "ode4j keeps its URDF masses: a task randomizing them is refused, never silently unrandomized");
        }
    }

    @Test
    void aPerturbedEpisodeSnapshotContinuesBitForBit() throws IOException {
        double[][] commands = sweep(40);
        try (EmbeddedBackend a = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1}); EmbeddedBackend b = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1})) {
            a.perturb(new Perturbation(0.9, 1.1, 0.8, 27, 1, 1));
            a.reset(new double[] {0.2, 0.1}, new double[2]);
            double[][] first = new double[20][];
            System.arraycopy(commands, 0, first, 0, 20);
            drive(a, first);
            byte[] mid = a.snapshot();
            b.restore(mid);
            assertEquals(a.perturbation(), b.perturbation());
            double[][] rest = new double[20][];
            System.arraycopy(commands, 20, rest, 0, 20);
            double[][] ra = drive(a, rest), rb = drive(b, rest);
            for (int k = 0; k < 20; k++) assertArrayEquals(ra[k], rb[k], "period " + k + " after the restore, commands in flight included");
            b.restore(reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1}).snapshot());
            assertEquals(Perturbation.NONE, b.perturbation(), "an unperturbed snapshot puts the nominal robot back");
            assertNotEquals(mid.length, b.snapshot().length);
        }
    }

    /** A perturbation with every part nominal except those set by {@code with}. */
    static Perturbation only(double addedMass, double[] com, double restitution, double damping, double friction, double[] offsets, int observationDelay) {
        return new Perturbation(1, 1, 1, 0, 1, 1, Map.of(), addedMass, com, restitution, damping, friction, offsets, observationDelay);
    }

    @Test
    void aMiscalibratedJointStandsOffItsCommandAndReadsItsCommand() throws IOException {
        double[][] hold = new double[300][];
        for (int k = 0; k < hold.length; k++) hold[k] = new double[] {0.3, -0.2};
        try (EmbeddedBackend b = reacherBackend(new double[] {20, 20}, new double[] {1, 1})) {
            b.perturb(only(0, new double[3], Double.NaN, 0, 0, new double[] {0.05, -0.04}, 0));
            b.reset(new double[] {0.3, -0.2}, new double[2]);
            double[][] out = drive(b, hold);
            double[] truth = new double[2];
            b.simulator().positions(truth);
            assertArrayEquals(new double[] {0.35, -0.24}, truth, 2e-3, "the joints stand at the command plus their calibration error");
            assertArrayEquals(new double[] {0.3, -0.2}, new double[] {out[299][0], out[299][1]}, 2e-3, "and read the command: the policy sees its stance");
        }
    }

    @Test
    void anObservationDelayReadsTheStateOfThatManyPhysicsStepsAgo() throws IOException {
        double[][] commands = sweep(30);
        try (EmbeddedBackend late = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1}); EmbeddedBackend now = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1})) {
            late.perturb(only(0, new double[3], Double.NaN, 0, 0, new double[0], 20)); // 20 physics steps: one control period
            late.reset(new double[] {0.2, 0.1}, new double[2]);
            now.reset(new double[] {0.2, 0.1}, new double[2]);
            double[][] a = drive(late, commands), b = drive(now, commands);
            for (int k = 1; k < commands.length; k++) assertArrayEquals(b[k - 1], a[k], 1e-15, "period " + k + " reads the state after period " + (k - 1));
            double[] truth = new double[2];
            late.simulator().positions(truth);
            assertArrayEquals(new double[] {b[29][0], b[29][1]}, truth, 1e-15, "the physics itself is not delayed");
        }
    }

    @Test
    void addedJointDampingAndFrictionTakeEnergyOutOfASwingingArm() throws IOException {
        double[] energy = new double[3];
        Perturbation[] cases = {Perturbation.NONE, only(0, new double[3], Double.NaN, 0.05, 0, new double[0], 0), only(0, new double[3], Double.NaN, 0, 0.02, new double[0], 0)};
        for (int c = 0; c < cases.length; c++) {
            try (EmbeddedBackend b = new EmbeddedBackend(new BackendSpec(reacher(), 0.001, G, "effort", List.of("joint1", "joint2"), null, null, 20, false, null))) {
                b.perturb(cases[c]);
                b.reset(new double[2], new double[] {3, -2});
                for (int k = 0; k < 50; k++) b.step(new double[2]);
                energy[c] = b.simulator().energy();
            }
        }
        assertTrue(energy[1] < 0.9 * energy[0] && energy[2] < 0.9 * energy[0], "damping " + energy[1] + " and friction " + energy[2] + " J against " + energy[0] + " J");
    }

    @Test
    void theBaseCarriesAddedMassAndAMovedCentreOfMass() throws IOException {
        UrdfModel quadruped = UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
        double[] energy = new double[3];
        double[][] change = {{0, 0, 0, 0}, {1.5, 0, 0, 0}, {0, 0, 0, 0.04}};
        for (int c = 0; c < 3; c++) {
            try (ArticulatedSimulator sim = new ArticulatedSimulator(quadruped, 0.002, G, true, ContactSettings.defaults())) {
                sim.changeBase(change[c][0], new double[] {change[c][1], change[c][2], change[c][3]});
                sim.setState(new double[12], new double[12], Pose.translation(0, 0, 2.0), new double[3], new double[3]);
                energy[c] = sim.energy();
            }
        }
        // at rest 2 m up: potential energy only; the trunk's centre of mass sits near the base origin
        assertEquals(1.5 * 9.81 * 2.0, energy[1] - energy[0], 1.5 * 9.81 * 0.05, "1.5 kg more, 2 m up");
        double trunk = (energy[2] - energy[0]) / (9.81 * 0.04);
        assertTrue(trunk > 1 && trunk < 20, "4 cm higher moves only the trunk's mass up: " + trunk + " kg");
    }

    @Test
    void aSingleLinkWeighsItsScaleAndTheOthersStayAsScaledForAll() throws IOException {
        UrdfModel quadruped = UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
        double[] energy = new double[3];
        for (int c = 0; c < 3; c++) {
            try (ArticulatedSimulator sim = new ArticulatedSimulator(quadruped, 0.002, G, true, ContactSettings.defaults())) {
                sim.scaleMass(c == 2 ? 1.1 : 1.0);
                if (c > 0) sim.scaleLinkMasses(Map.of("trunk", 1.5), c == 2 ? 1.1 : 1.0);
                sim.setState(new double[12], new double[12], Pose.translation(0, 0, 2.0), new double[3], new double[3]);
                energy[c] = sim.energy();
            }
        }
        double trunk = quadruped.links().stream().filter(l -> l.name().equals("trunk")).findFirst().orElseThrow().mass();
        assertEquals(0.5 * trunk * 9.81 * 2.0, energy[1] - energy[0], 0.5 * trunk * 9.81 * 0.05, "the trunk half again as heavy, 2 m up");
        assertEquals(1.1 * energy[1], energy[2], 1e-9 * energy[2], "and everything ×1.1 on top");
        assertThrows(IllegalArgumentException.class, () -> new ArticulatedSimulator(quadruped, 0.002, G, true, ContactSettings.defaults()).scaleLinkMasses(Map.of("tail", 2.0), 1));
    }

    @Test
    void restitutionMakesADroppedRobotBounce() throws IOException {
        UrdfModel quadruped = UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
        double[] rebound = new double[2];
        double[] e = {Double.NaN, 0.9};
        for (int c = 0; c < 2; c++) {
            try (ArticulatedSimulator sim = new ArticulatedSimulator(quadruped, 0.002, G, true, ContactSettings.defaults())) {
                sim.restitution(e[c]);
                sim.setState(new double[12], new double[12], Pose.translation(0, 0, 0.6), new double[3], new double[3]);
                BaseState s = new BaseState();
                double fastestUp = 0;
                for (int k = 0; k < 500; k++) {
                    sim.step(new double[12]);
                    sim.baseState(s);
                    fastestUp = Math.max(fastestUp, s.linearVelocity[2]);
                }
                rebound[c] = fastestUp;
            }
        }
        assertTrue(rebound[1] > 1.0 && rebound[1] > 5 * rebound[0], "restitution 0.9 sends it back up at " + rebound[1] + " m/s, the task's at " + rebound[0]);
    }

    @Test
    void everyPartOfAPerturbationSurvivesASnapshot() throws IOException {
        double[][] commands = sweep(40);
        Perturbation p = new Perturbation(0.9, 1.1, 0.8, 7, 1, 1.1, Map.of("link2", 1.3), 0, new double[3], Double.NaN, 0.01, 0.005, new double[] {0.03, -0.02}, 13);
        try (EmbeddedBackend a = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1}); EmbeddedBackend b = reacherBackend(new double[] {2, 2}, new double[] {0.1, 0.1})) {
            a.perturb(p);
            a.reset(new double[] {0.2, 0.1}, new double[2]);
            double[][] first = new double[20][];
            System.arraycopy(commands, 0, first, 0, 20);
            drive(a, first);
            b.restore(a.snapshot());
            assertEquals(p, b.perturbation());
            double[][] rest = new double[20][];
            System.arraycopy(commands, 20, rest, 0, 20);
            double[][] ra = drive(a, rest), rb = drive(b, rest);
            for (int k = 0; k < 20; k++) assertArrayEquals(ra[k], rb[k], "period " + k + " after the restore, delayed readings included");
        }
    }
}
