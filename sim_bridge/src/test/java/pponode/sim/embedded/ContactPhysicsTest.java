package pponode.sim.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfCollisionTest;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.UrdfParser;

/** Contact physics against closed-form mechanics: resting, friction on a slope, restitution, determinism. */
class ContactPhysicsTest {
    static final double DT = 0.001;
    static final double[] G = {0, 0, -9.81};

    @TempDir
    Path dir;

    /** A free rigid body of {@code mass} kg with one collision shape ({@code geometry} XML) and the inertia of a solid box or sphere. */
    private UrdfModel body(String geometry, double mass, double[] inertia) throws IOException {
        Path f = dir.resolve("body.urdf");
        Files.writeString(f, "<robot name='body'><link name='body'>"
                + "<inertial><mass value='" + mass + "'/><inertia ixx='" + inertia[0] + "' ixy='0' ixz='0' iyy='" + inertia[1] + "' iyz='0' izz='" + inertia[2] + "'/></inertial>"
                + "<collision><geometry>" + geometry + "</geometry></collision></link></robot>");
        return UrdfParser.parse(f);
    }

    private UrdfModel box(double side, double mass) throws IOException {
        double i = mass * side * side / 6;
        return body("<box size='" + side + " " + side + " " + side + "'/>", mass, new double[] {i, i, i});
    }

    /** A flat block, {@code side} × {@code side} × {@code height}: it slides before it would tip (a cube at μ = 1 sits on its tipping edge). */
    private UrdfModel block(double side, double height, double mass) throws IOException {
        double ixy = mass * (side * side + height * height) / 12, iz = mass * side * side / 6;
        return body("<box size='" + side + " " + side + " " + height + "'/>", mass, new double[] {ixy, ixy, iz});
    }

    private static JointPhysics drop(Engine engine, UrdfModel m, double height, double[] gravity, ContactSettings c) {
        JointPhysics sim = engine.make(m, DT, gravity, true, c);
        sim.setState(new double[0], new double[0], Pose.translation(0, 0, height), new double[3], new double[3]);
        return sim;
    }

    private static ContactSettings surface(double friction, double restitution) {
        ContactSettings d = ContactSettings.defaults();
        return new ContactSettings(true, new ContactSettings.Surface(friction, restitution), Map.of(), d.erp(), d.cfm(), false, d.meshShape());
    }

    private static void run(JointPhysics sim, double seconds) {
        for (long i = Math.round(seconds / DT); i > 0; i--) sim.step(new double[0]);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aDroppedBoxComesToRestOnTheGroundWithoutSinkingOrDrifting(Engine engine) throws IOException {
        BaseState s = new BaseState();
        try (JointPhysics sim = drop(engine, box(0.2, 2.0), 0.3, G, ContactSettings.defaults())) {
            run(sim, 2);
            sim.baseState(s);
            double[] rest = s.position.clone();
            double penetration = 0.1 - rest[2];
            assertTrue(penetration <= 1e-3 && penetration > -1e-4, "a 0.2 m box rests with its centre at 0.1 m; sank " + penetration + " m");
            double[] f = new double[3];
            sim.contactForce(sim.linkIndex("body"), f);
            assertEquals(2.0 * 9.81, f[2], 1e-3 * 2.0 * 9.81, "the ground carries the box's weight");
            double worstDrift = 0;
            for (int t = 0; t < 10; t++) {
                run(sim, 1);
                sim.baseState(s);
                double drift = Math.sqrt(Math.pow(s.position[0] - rest[0], 2) + Math.pow(s.position[1] - rest[1], 2) + Math.pow(s.position[2] - rest[2], 2));
                assertTrue(drift <= 1e-3, "drifted " + drift + " m after " + (t + 1) + " s at rest");
                worstDrift = Math.max(worstDrift, drift);
                assertTrue(0.1 - s.position[2] <= 1e-3, "sank " + (0.1 - s.position[2]) + " m");
            }
            System.out.printf("box at rest: penetration %.2e m, drift over 10 s %.2e m, ground force %.4f N (weight %.4f N)%n", penetration, worstDrift, f[2], 2.0 * 9.81);
        }
    }

    /**
     * A finely tessellated cube (a 12 × 12 grid on each face, 866 vertices) collides as the box it
     * describes, through its convex hull: in joint space only the hull's 8 corners are contact
     * points, so the four below touch the ground, not the hundreds of vertices on its faces; ode4j's
     * convex is built from the hull's own vertices (its faces once indexed the mesh's points).
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFineMeshCollidesThroughItsHull(Engine engine) throws IOException {
        int n = 12;
        double h = 0.1;
        StringBuilder obj = new StringBuilder();
        int base = 0;
        for (int axis = 0; axis < 3; axis++) {
            for (int side = -1; side <= 1; side += 2) {
                for (int i = 0; i <= n; i++) {
                    for (int j = 0; j <= n; j++) {
                        double[] p = new double[3];
                        p[axis] = side * h;
                        p[(axis + 1) % 3] = -h + 2 * h * i / n;
                        p[(axis + 2) % 3] = -h + 2 * h * j / n;
                        obj.append("v ").append(p[0]).append(' ').append(p[1]).append(' ').append(p[2]).append('\n');
                    }
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int a = base + i * (n + 1) + j + 1, b = a + 1, c = a + n + 2, d = a + n + 1;
                        obj.append("f ").append(a).append(' ').append(b).append(' ').append(c).append(' ').append(d).append('\n');
                    }
                }
                base += (n + 1) * (n + 1);
            }
        }
        Path mesh = dir.resolve("fine_cube.obj");
        Files.writeString(mesh, obj);
        double i = 2.0 * 0.04 / 6;
        UrdfModel m = body("<mesh filename='" + mesh + "'/>", 2.0, new double[] {i, i, i});
        try (JointPhysics sim = drop(engine, m, 0.3, G, ContactSettings.defaults())) {
            run(sim, 2);
            BaseState s = new BaseState();
            sim.baseState(s);
            assertEquals(0.1, s.position[2], 1e-3, "rests on its face");
            if (sim instanceof ArticulatedSimulator joints) assertEquals(4, joints.contactCount(), "touching at the four corners of its lower face");
            double[] f = new double[3];
            sim.contactForce(0, f);
            assertEquals(2.0 * 9.81, f[2], 0.01 * 2.0 * 9.81, "the ground carries it");
        }
    }

    /** A new state touches nothing yet: no contact force survives a reset or a restore into the air, before or after a step there. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void noContactForceSurvivesAResetIntoTheAir(Engine engine) throws IOException {
        double[] f = new double[3];
        try (JointPhysics sim = drop(engine, box(0.2, 2.0), 0.3, G, ContactSettings.defaults())) {
            byte[] inTheAir = sim.snapshot();
            run(sim, 1);
            sim.contactForce(sim.linkIndex("body"), f);
            assertTrue(f[2] > 10, "resting on the ground: " + f[2] + " N");
            sim.setState(new double[0], new double[0], Pose.translation(0, 0, 1.0), new double[3], new double[3]);
            sim.contactForce(sim.linkIndex("body"), f);
            assertArrayEquals(new double[3], f, "right after the reset");
            sim.step(new double[0]);
            sim.contactForce(sim.linkIndex("body"), f);
            assertArrayEquals(new double[3], f, "after a step in the air");
            run(sim, 2);
            sim.restore(inTheAir);
            sim.contactForce(sim.linkIndex("body"), f);
            assertArrayEquals(new double[3], f, "after a restore into the air");
        }
    }

    /**
     * A block on a slope of angle θ: the slope is made by turning gravity by θ about y, which is the
     * same mechanics as turning the plane. It stays for tan θ < μ and slides down with acceleration
     * g (sin θ − μ cos θ) for tan θ > μ, on both sides of the threshold at two friction coefficients.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aBlockOnASlopeStaysBelowTheFrictionAngleAndSlidesAboveIt(Engine engine) throws IOException {
        double g = 9.81;
        double[][] cases = {{0.5, 0.4}, {0.5, 0.6}, {1.0, 0.8}, {1.0, 1.25}}; // {μ, tan θ}
        for (double[] c : cases) {
            double mu = c[0], theta = Math.atan(c[1]);
            double[] gravity = {g * Math.sin(theta), 0, -g * Math.cos(theta)};
            BaseState s = new BaseState();
            try (JointPhysics sim = drop(engine, block(0.1, 0.06, 1.0), 0.03, gravity, surface(mu, 0))) {
                run(sim, 1.0); // settle onto the plane
                sim.baseState(s);
                double x0 = s.position[0], v0 = s.linearVelocity[0];
                double seconds = 1.0;
                run(sim, seconds);
                sim.baseState(s);
                double moved = s.position[0] - x0;
                String what = "μ = " + mu + ", tan θ = " + c[1] + ": moved " + moved + " m in " + seconds + " s";
                System.out.println("slope: " + what);
                if (c[1] < mu) {
                    assertTrue(Math.abs(moved) < 1e-3, what + ", expected to stay");
                } else {
                    double a = g * (Math.sin(theta) - mu * Math.cos(theta));
                    double expected = v0 * seconds + a * seconds * seconds / 2;
                    assertEquals(expected, moved, 0.05 * expected, what + ", expected to slide " + expected + " m");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aSphereDroppedWithRestitutionReboundsToESquaredTimesTheHeight(Engine engine) throws IOException {
        double r = 0.05, m = 0.5, i = 0.4 * m * r * r, h = 1.0;
        for (double e : new double[] {0.5, 0.8}) {
            try (JointPhysics sim = drop(engine, body("<sphere radius='" + r + "'/>", m, new double[] {i, i, i}), h + r, G, surface(1.0, e))) {
                BaseState s = new BaseState();
                boolean bounced = false;
                double apex = 0;
                for (int k = 0; k < 3000; k++) {
                    sim.step(new double[0]);
                    sim.baseState(s);
                    if (s.linearVelocity[2] > 0) bounced = true;
                    if (bounced) apex = Math.max(apex, s.position[2] - r);
                    if (bounced && s.linearVelocity[2] < 0) break;
                }
                assertTrue(bounced, "the sphere bounced");
                System.out.printf("restitution %.1f: dropped from %.2f m, rebound apex %.4f m, e²h = %.4f m%n", e, h, apex, e * e * h);
                assertEquals(e * e * h, apex, 0.05 * e * e * h, "e = " + e + ": rebound apex");
            }
        }
    }

    /** A cube given as a mesh rests where the same box does, as its convex hull and as a triangle mesh. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aMeshCubeRestsLikeTheBoxItDescribes(Engine engine) throws IOException {
        Path mesh = dir.resolve("cube.stl");
        UrdfCollisionTest.binaryStl(mesh, UrdfCollisionTest.cube(0.2));
        double i = 2.0 * 0.04 / 6;
        UrdfModel m = body("<mesh filename='" + mesh + "'/>", 2.0, new double[] {i, i, i});
        for (ContactSettings.MeshShape shape : ContactSettings.MeshShape.values()) {
            ContactSettings d = ContactSettings.defaults();
            ContactSettings c = new ContactSettings(true, d.surface(), Map.of(), d.erp(), d.cfm(), false, shape);
            try (JointPhysics sim = drop(engine, m, 0.3, G, c)) {
                run(sim, 2);
                BaseState s = new BaseState();
                sim.baseState(s);
                assertEquals(0.1, s.position[2], 1e-3, shape + ": rests on its face");
                double[] f = new double[3];
                sim.contactForce(0, f);
                assertEquals(2.0 * 9.81, f[2], 0.01 * 2.0 * 9.81, shape + ": the ground carries it");
            }
        }
    }
}
