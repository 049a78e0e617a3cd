package pponode.sim.embedded;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;

/**
 * A URDF robot simulated in generalized coordinates: the state is the joint positions and
 * velocities (and, for a floating base, the root's pose and spatial velocity, six more
 * coordinates), the mass matrix comes from the composite-rigid-body algorithm and the
 * Coriolis, centrifugal and gravity terms from recursive Newton-Euler, both in spatial vectors at
 * the world origin (Featherstone, Rigid Body Dynamics Algorithms, ch. 5-6), and M q̈ = τ − c is
 * solved by Cholesky. An arm has as many unknowns as joints, where ode4j's maximal coordinates
 * solve six per link plus five constraint rows per hinge, so a step costs a fraction of ODE's.
 *
 * <p>It models what {@link EmbeddedSimulator} models for such a robot, the same way: semi-implicit
 * Euler, efforts clamped and shaped by the URDF limits ({@link JointDrives}),
 * damping and smoothed Coulomb friction, massless links carried by their parent through fixed
 * joints, and position limits as ODE's joint stops (a velocity-level unilateral constraint past
 * the stop that pulls back 80 % of the overshoot per step). {@code ArticulatedSimulatorTest} holds
 * the two to each other on every shipped arm.
 *
 * <p>With {@link ContactSettings} the links' collision shapes touch the ground plane z = 0 as ODE's
 * contact joints do there ({@link GroundContacts}: points of spheres, boxes, cylinders and mesh
 * hulls below the plane), solved together with the stops as one velocity-level complementarity
 * problem by projected Gauss-Seidel on the Delassus matrix J M⁻¹ Jᵀ: a normal impulse that only
 * pushes, with ODE's error reduction, surface layer, restitution and constraint-force mixing, and
 * friction in ODE's pyramid (each tangent impulse within μ times the normal one).
 * {@code ContactPhysicsTest} and {@code QuadrupedPhysicsTest} hold it to the same closed-form
 * mechanics as ode4j. Contact between the robot's own links is ode4j's alone ({@link #covers}).
 */
public final class ArticulatedSimulator implements JointPhysics {
    private static final double STOP_ERP = 0.8;

    private final UrdfModel model;
    private final double dt;
    private final double[] gravity;
    private final List<UrdfModel.Joint> joints;
    private final List<String> jointNames = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final int n;
    /** Body k (topological order: a parent before its children) is moved by simulator joint {@code joint[k]}. */
    private final int[] joint, parent;
    /** Per body: its joint's frame in the parent body's frame (rotation row-major, translation), the unit axis in that frame. */
    private final double[][] treeR, treeP, axis;
    private final boolean[] revolute;
    /** Per body, in its own frame: mass, centre of mass, rotational inertia about the centre of mass (xx, xy, xz, yy, yz, zz). */
    private final double[] mass;
    /** The URDF's masses and inertias (per body, and the floating root's), which {@link #scaleMass} scales from. */
    private final double[] nominalMass;
    private final double[][] nominalInertia;
    private double nominalRootMass;
    private final double[] nominalRootInertia = new double[6], nominalRootCom = new double[3];
    /** The floating root's centre of mass as its links' masses put it this episode (before changeBase's offset). */
    private final double[] assembledRootCom = new double[3];
    private final double[][] com, inertia;
    private final double[] lower, upper;
    private final JointDrives drives;
    /** Whether joint i has stops (ODE's hinge stops must lie inside (−π, π); wider revolute ranges are left to the controller). */
    private final boolean[] stopped;
    /** Per link: the body that carries it (−1: the world) and its frame in that body's frame. */
    private final Map<String, Integer> linkBody = new HashMap<>();
    private final Map<String, Pose> linkOffset = new HashMap<>();
    /** Each link with mass: its body (−1: the floating root), mass, centre of mass and inertia about the body origin, in the body's frame. */
    private record LinkMass(String link, int body, double mass, double[] com, double[] aboutOrigin) {}
    private final List<LinkMass> linkMasses = new ArrayList<>();

    private final double[] q, qd;
    private long steps;

    /** A floating base: the root link is a free body; its generalized velocity comes first (six entries). */
    private final boolean floating;
    /** Generalized velocities: six for a floating base, then one per body (body order). */
    private final int nv, base;
    /** The root's pose (unit quaternion w, x, y, z; origin of the root link frame) and spatial velocity at the world origin (ω, v₀). */
    private final double[] baseQuat = {1, 0, 0, 0}, baseP = new double[3], baseV = new double[6], baseR = new double[9];
    /** The root body's mass, centre of mass and inertia about it in the root frame (floating base only). */
    private double rootMass;
    private final double[] rootCom = new double[3], rootInertia = new double[6];
    private final double[] rootBodyInertia = new double[10], rootComposite = new double[10], rootForce = new double[6];
    private final double[] comWork = new double[3], comOffsetWork = new double[3];
    private final GroundContacts contacts; // null: nothing touches
    private final ContactSettings contactSettings;

    // Work arrays, reused every step: body poses (world), motion subspaces S, velocities V,
    // accelerations A, forces F (6-vectors: angular then linear, at the world origin), rigid-body
    // inertias at the world origin (m, h = m·c, Ī as 6 symmetric entries), their composites, the
    // mass matrix and its Cholesky factor (generalized order: a floating base's six, then bodies), and the step's vectors.
    private final double[][] rot, pos, sub, vel, acc, force, bodyInertia, composite;
    private final double[] massMatrix, factor, bias, tau, qdd, impulse, work6 = new double[6], work6b = new double[6], velocity;
    private final double[] jointRot = new double[9], jointPos = new double[3], motion = new double[9], worldAxis = new double[3], worldCom = new double[3],
            worldInertia = new double[6];
    private final int[] active;
    private final double[][] response;
    private boolean posed;

    /** A robot welded to the world that touches nothing (the arm tasks). */
    public ArticulatedSimulator(UrdfModel model, double dt, double[] gravity) {
        this(model, dt, gravity, false, null);
    }

    /**
     * Whether this simulator covers a robot with these contact settings: contacts with the ground
     * only (ode4j's simulator collides the links with each other).
     */
    public static boolean covers(ContactSettings contact) {
        return contact == null || !contact.selfCollision();
    }

    /**
     * @param floatingBase the root link is a free body (it needs a mass) instead of welded to the world
     * @param contact how the links' collision shapes touch the ground; null: nothing collides
     */
    public ArticulatedSimulator(UrdfModel model, double dt, double[] gravity, boolean floatingBase, ContactSettings contact) {
        if (!(dt > 0)) throw new IllegalArgumentException("physics dt must be > 0, got " + dt);
        if (!covers(contact)) throw new IllegalArgumentException("the joint-space simulator collides links with the ground only, not with each other");
        this.model = model;
        this.dt = dt;
        this.gravity = gravity.clone();
        joints = model.movableJoints();
        n = joints.size();
        floating = floatingBase;
        base = floating ? 6 : 0;
        nv = n + base;
        UrdfModel.Link rootLink = model.link(model.root());
        if (floating && !rootLink.hasMass()) {
            throw new IllegalArgumentException(model.source() + ": a floating base needs a root link with mass, but '" + rootLink.name() + "' has no <inertial>");
        }
        for (int i = 0; i < n; i++) {
            jointNames.add(joints.get(i).name());
            index.put(joints.get(i).name(), i);
        }
        joint = new int[n];
        parent = new int[n];
        treeR = new double[n][];
        treeP = new double[n][];
        axis = new double[n][];
        revolute = new boolean[n];
        mass = new double[n];
        com = new double[n][3];
        inertia = new double[n][6];
        lower = new double[n];
        upper = new double[n];
        drives = new JointDrives(joints);
        stopped = new boolean[n];

        // Bodies in topological order: a depth-first walk from the root over joints in file order.
        Map<String, Integer> bodyOfLink = new HashMap<>();
        Map<String, Pose> offsetOfLink = new HashMap<>();
        bodyOfLink.put(model.root(), -1);
        offsetOfLink.put(model.root(), Pose.IDENTITY);
        int[] next = {0};
        walk(model.root(), bodyOfLink, offsetOfLink, next);
        linkBody.putAll(bodyOfLink);
        linkOffset.putAll(offsetOfLink);

        // Each link's mass joins the body that carries it (the inertia of a welded group, about its centre of mass).
        double[] mc = new double[n * 3];
        double[][] about = new double[n][6]; // Σ of R I Rᵀ + m(|c|²1 − c cᵀ), about the body origin
        double[] rootMc = new double[3], rootAbout = new double[6];
        for (UrdfModel.Link l : model.links()) {
            int b = bodyOfLink.get(l.name());
            if ((b < 0 && !floating) || !l.hasMass()) continue;
            EmbeddedSimulator.requirePhysicalInertia(model, l);
            Pose inertial = offsetOfLink.get(l.name()).then(l.inertialOrigin());
            double m = l.mass();
            double[] c = inertial.p(), in = l.inertia(), r = inertial.r();
            double[] rotated = new double[6];
            rotateInertia(r, in, rotated);
            addPointMass(rotated, m, c, 1);
            linkMasses.add(new LinkMass(l.name(), b, m, c.clone(), rotated.clone()));
            if (b < 0) {
                rootMass += m;
                for (int a = 0; a < 3; a++) rootMc[a] += m * c[a];
                for (int e = 0; e < 6; e++) rootAbout[e] += rotated[e];
                continue;
            }
            mass[b] += m;
            for (int a = 0; a < 3; a++) mc[3 * b + a] += m * c[a];
            for (int e = 0; e < 6; e++) about[b][e] += rotated[e];
        }
        if (floating) {
            for (int a = 0; a < 3; a++) rootCom[a] = rootMc[a] / rootMass;
            System.arraycopy(rootAbout, 0, rootInertia, 0, 6);
            addPointMass(rootInertia, rootMass, rootCom, -1);
        }
        for (int b = 0; b < n; b++) {
            if (mass[b] > 0) {
                for (int a = 0; a < 3; a++) com[b][a] = mc[3 * b + a] / mass[b];
                System.arraycopy(about[b], 0, inertia[b], 0, 6);
                addPointMass(inertia[b], mass[b], com[b], -1); // back to the centre of mass
            }
        }

        nominalMass = mass.clone();
        nominalInertia = new double[n][];
        for (int b = 0; b < n; b++) nominalInertia[b] = inertia[b].clone();
        nominalRootMass = rootMass;
        System.arraycopy(rootInertia, 0, nominalRootInertia, 0, 6);
        System.arraycopy(rootCom, 0, nominalRootCom, 0, 3);
        System.arraycopy(rootCom, 0, assembledRootCom, 0, 3);

        q = new double[n];
        qd = new double[n];
        rot = new double[n][9];
        pos = new double[n][3];
        sub = new double[n][6];
        vel = new double[n][6];
        acc = new double[n][6];
        force = new double[n][6];
        bodyInertia = new double[n][10];
        composite = new double[n][10];
        massMatrix = new double[nv * nv];
        factor = new double[nv * nv];
        bias = new double[nv];
        tau = new double[n];
        qdd = new double[nv];
        velocity = new double[nv];
        impulse = new double[n];
        active = new int[n];
        response = new double[n][nv];
        contactSettings = contact;
        contacts = contact == null ? null : new GroundContacts(model, contact, linkBody, linkOffset, nv);
        updateBaseRotation();
    }

    /** Numbers the bodies under {@code link} depth first, recording each link's carrying body and offset. */
    private void walk(String link, Map<String, Integer> bodyOfLink, Map<String, Pose> offsetOfLink, int[] next) {
        for (UrdfModel.Joint j : model.joints()) {
            if (!j.parent().equals(link)) continue;
            if (j.type() == UrdfModel.JointType.FIXED) {
                bodyOfLink.put(j.child(), bodyOfLink.get(link));
                offsetOfLink.put(j.child(), offsetOfLink.get(link).then(j.origin()));
            } else {
                int b = next[0]++, i = index.get(j.name());
                joint[b] = i;
                parent[b] = bodyOfLink.get(link);
                Pose tree = offsetOfLink.get(link).then(j.origin());
                treeR[b] = tree.r();
                treeP[b] = tree.p();
                double[] a = j.axis();
                double norm = Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
                axis[b] = new double[] {a[0] / norm, a[1] / norm, a[2] / norm};
                revolute[b] = j.type() != UrdfModel.JointType.PRISMATIC;
                lower[i] = j.lower();
                upper[i] = j.upper();
                stopped[i] = Double.isFinite(j.lower()) && (!revolute[b] || (j.lower() > -Math.PI && j.upper() < Math.PI));
                bodyOfLink.put(j.child(), b);
                offsetOfLink.put(j.child(), Pose.IDENTITY);
            }
            walk(j.child(), bodyOfLink, offsetOfLink, next);
        }
    }

    private static final int[] ROW = {0, 0, 0, 1, 1, 2}, COLUMN = {0, 1, 2, 1, 2, 2};

    /** R I Rᵀ for a symmetric inertia given as (xx, xy, xz, yy, yz, zz), into {@code out} (same layout). */
    private static void rotateInertia(double[] r, double[] in, double[] out) {
        for (int k = 0; k < 6; k++) {
            int i = ROW[k], j = COLUMN[k];
            double s = 0;
            for (int a = 0; a < 3; a++) {
                double ra = r[3 * i + a];
                if (ra == 0) continue;
                for (int c = 0; c < 3; c++) s += ra * in[symmetric(a, c)] * r[3 * j + c];
            }
            out[k] = s;
        }
    }

    private static int symmetric(int a, int c) {
        int i = Math.min(a, c), j = Math.max(a, c);
        return i == 0 ? j : i == 1 ? 2 + j : 5;
    }

    /** Adds {@code sign}·m(|c|²1 − c cᵀ) to a symmetric inertia (parallel axes). */
    private static void addPointMass(double[] in, double m, double[] c, int sign) {
        double c2 = c[0] * c[0] + c[1] * c[1] + c[2] * c[2], s = sign * m;
        in[0] += s * (c2 - c[0] * c[0]);
        in[1] -= s * c[0] * c[1];
        in[2] -= s * c[0] * c[2];
        in[3] += s * (c2 - c[1] * c[1]);
        in[4] -= s * c[1] * c[2];
        in[5] += s * (c2 - c[2] * c[2]);
    }

    public UrdfModel model() {
        return model;
    }

    @Override
    public List<String> jointNames() {
        return jointNames;
    }

    @Override
    public int jointIndex(String name) {
        Integer i = index.get(name);
        if (i == null) throw new IllegalArgumentException(model.source() + ": no movable joint '" + name + "'; movable joints: " + jointNames);
        return i;
    }

    @Override
    public int dof() {
        return n;
    }

    @Override
    public double effortLimit(int i) {
        return drives.effortLimit(i);
    }

    public long steps() {
        return steps;
    }

    /** Puts the robot exactly at joint positions {@code q0} and velocities {@code qd0}, a floating base at the origin and at rest. */
    @Override
    public void setState(double[] q0, double[] qd0) {
        setState(q0, qd0, Pose.IDENTITY, new double[3], new double[3]);
    }

    @Override
    public void setState(double[] q0, double[] qd0, Pose root, double[] rootLinear, double[] rootAngular) {
        if (q0.length != n || qd0.length != n) throw new IllegalArgumentException("state needs " + n + " positions and velocities");
        System.arraycopy(q0, 0, q, 0, n);
        System.arraycopy(qd0, 0, qd, 0, n);
        if (floating) {
            EmbeddedSimulator.quaternion(root.r(), baseQuat);
            System.arraycopy(root.p(), 0, baseP, 0, 3);
            updateBaseRotation();
            // spatial velocity at the world origin: ω, and v₀ = v(origin of the root frame) − ω × p
            double[] w = rootAngular, p = baseP;
            baseV[0] = w[0];
            baseV[1] = w[1];
            baseV[2] = w[2];
            baseV[3] = rootLinear[0] - (w[1] * p[2] - w[2] * p[1]);
            baseV[4] = rootLinear[1] - (w[2] * p[0] - w[0] * p[2]);
            baseV[5] = rootLinear[2] - (w[0] * p[1] - w[1] * p[0]);
        }
        posed = false;
        if (contacts != null) contacts.clearForces();
    }

    @Override
    public void baseState(BaseState out) {
        if (!floating) {
            out.setFixed();
            return;
        }
        System.arraycopy(baseP, 0, out.position, 0, 3);
        System.arraycopy(baseQuat, 0, out.orientation, 0, 4);
        double[] v = baseV, p = baseP;
        out.linearVelocity[0] = v[3] + v[1] * p[2] - v[2] * p[1];
        out.linearVelocity[1] = v[4] + v[2] * p[0] - v[0] * p[2];
        out.linearVelocity[2] = v[5] + v[0] * p[1] - v[1] * p[0];
        out.angularVelocity[0] = v[0];
        out.angularVelocity[1] = v[1];
        out.angularVelocity[2] = v[2];
    }

    @Override
    public boolean floatingBase() {
        return floating;
    }

    @Override
    public int linkIndex(String link) {
        if (contacts == null) throw new IllegalStateException("this robot has no contacts");
        return contacts.linkIndex(link);
    }

    @Override
    public void contactForce(int link, double[] out) {
        contacts.force(link, out);
    }

    @Override
    public void scaleMass(double scale) {
        for (int b = 0; b < n; b++) {
            mass[b] = scale * nominalMass[b];
            for (int e = 0; e < 6; e++) inertia[b][e] = scale * nominalInertia[b][e];
        }
        rootMass = scale * nominalRootMass;
        for (int e = 0; e < 6; e++) rootInertia[e] = scale * nominalRootInertia[e];
        System.arraycopy(nominalRootCom, 0, assembledRootCom, 0, 3);
    }

    /**
     * After {@link #scaleMass}, the links named in {@code scales} weigh that much more (their
     * inertia in proportion); the bodies that carry them are assembled anew from their links, the
     * others keep what scaleMass gave them.
     */
    @Override
    public void scaleLinkMasses(Map<String, Double> scales, double all) {
        if (scales.isEmpty()) return;
        for (String link : scales.keySet()) {
            if (linkMasses.stream().noneMatch(l -> l.link().equals(link))) throw new IllegalArgumentException("link '" + link + "' has no mass in this simulator's model");
        }
        for (int b = -1; b < n; b++) {
            int body = b;
            if (linkMasses.stream().noneMatch(l -> l.body() == body && scales.containsKey(l.link()))) continue;
            double m = 0;
            double[] mc = new double[3], about = new double[6];
            for (LinkMass l : linkMasses) {
                if (l.body() != b) continue;
                double k = all * scales.getOrDefault(l.link(), 1.0);
                m += k * l.mass();
                for (int a = 0; a < 3; a++) mc[a] += k * l.mass() * l.com()[a];
                for (int e = 0; e < 6; e++) about[e] += k * l.aboutOrigin()[e];
            }
            double[] c = b < 0 ? rootCom : com[b], in = b < 0 ? rootInertia : inertia[b];
            for (int a = 0; a < 3; a++) c[a] = mc[a] / m;
            System.arraycopy(about, 0, in, 0, 6);
            addPointMass(in, m, c, -1);
            if (b < 0) {
                rootMass = m;
                System.arraycopy(c, 0, assembledRootCom, 0, 3); // changeBase's offset applies on top
            } else {
                mass[b] = m;
            }
        }
    }

    @Override
    public void changeBase(double kg, double[] comOffset) {
        if (!floating) {
            JointPhysics.super.changeBase(kg, comOffset);
            return;
        }
        double heavier = (rootMass + kg) / rootMass;
        if (!(heavier > 0)) throw new IllegalArgumentException("adding " + kg + " kg leaves the base's " + rootMass + " kg without mass");
        rootMass += kg;
        for (int e = 0; e < 6; e++) rootInertia[e] *= heavier;
        for (int a = 0; a < 3; a++) rootCom[a] = assembledRootCom[a] + comOffset[a];
    }

    @Override
    public void scaleFriction(double scale) {
        if (contacts != null) contacts.frictionScale = scale;
    }

    @Override
    public void restitution(double e) {
        if (contacts != null) contacts.restitution = e;
        else JointPhysics.super.restitution(e);
    }

    @Override
    public void addJointDamping(double damping, double friction) {
        drives.add(damping, friction);
    }

    @Override
    public void pushBase(double[] dv) {
        if (!floating) throw new UnsupportedOperationException("a fixed-base robot cannot be pushed");
        // the root frame's origin moves at v0 + ω × p: a change of its velocity is a change of v0
        for (int a = 0; a < 3; a++) baseV[3 + a] += dv[a];
    }

    /** Contact points the last step solved. */
    public int contactCount() {
        return contacts == null ? 0 : contacts.count();
    }

    /**
     * Whether the last step left the physical range: a non-finite state, the base faster than
     * 100 m/s or 1000 rad/s (ode4j's simulator checks its bodies the same way), or a joint at 20
     * times its velocity limit.
     */
    @Override
    public boolean diverged() {
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(q[i]) || !(Math.abs(qd[i]) <= 20 * drives.velocityLimit(i))) return true;
        }
        if (!floating) return false;
        double[] v = baseV, p = baseP; // the root frame's origin moves at v₀ + ω × p
        double vx = v[3] + v[1] * p[2] - v[2] * p[1], vy = v[4] + v[2] * p[0] - v[0] * p[2], vz = v[5] + v[0] * p[1] - v[1] * p[0];
        double v2 = vx * vx + vy * vy + vz * vz, w2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
        return !(v2 < 1e4 && w2 < 1e6) || !Double.isFinite(p[0] + p[1] + p[2]);
    }

    /** The rotation matrix (row-major) of a unit quaternion w, x, y, z. */
    static double[] rotationOf(double[] quat) {
        double[] r = new double[9];
        rotationOf(quat, r);
        return r;
    }

    private static void rotationOf(double[] quat, double[] r) {
        double w = quat[0], x = quat[1], y = quat[2], z = quat[3];
        r[0] = 1 - 2 * (y * y + z * z);
        r[1] = 2 * (x * y - w * z);
        r[2] = 2 * (x * z + w * y);
        r[3] = 2 * (x * y + w * z);
        r[4] = 1 - 2 * (x * x + z * z);
        r[5] = 2 * (y * z - w * x);
        r[6] = 2 * (x * z - w * y);
        r[7] = 2 * (y * z + w * x);
        r[8] = 1 - 2 * (x * x + y * y);
    }

    private void updateBaseRotation() {
        rotationOf(baseQuat, baseR);
    }

    @Override
    public void step(double[] effort) {
        for (int i = 0; i < n; i++) {
            tau[i] = drives.applied(i, effort[i], qd[i]);
        }
        pose();
        biasForces();
        massMatrix();
        cholesky();
        // unconstrained: q̈ = M⁻¹(τ − c), v* = q̇ + dt q̈ (generalized order: the base, then bodies)
        for (int k = 0; k < base; k++) qdd[k] = -bias[k];
        for (int b = 0; b < n; b++) qdd[base + b] = tau[joint[b]] - bias[base + b];
        solve(qdd);
        for (int k = 0; k < base; k++) baseV[k] += dt * qdd[k];
        for (int b = 0; b < n; b++) qd[joint[b]] += dt * qdd[base + b];
        if (contacts == null) stops();
        else constraints();
        for (int i = 0; i < n; i++) q[i] += dt * qd[i];
        if (floating) integrateBase();
        steps++;
        posed = false;
    }

    /**
     * Moves the root by its new velocity: the centre of mass along its velocity and the
     * orientation by the exact rotation ω·dt about it (ODE's bodies move the same way).
     */
    private void integrateBase() {
        double[] c = comWork, rc = comOffsetWork;
        mulVec(baseR, rootCom, c);
        double wx = baseV[0], wy = baseV[1], wz = baseV[2];
        for (int a = 0; a < 3; a++) c[a] += baseP[a];
        double vcx = baseV[3] + wy * c[2] - wz * c[1], vcy = baseV[4] + wz * c[0] - wx * c[2], vcz = baseV[5] + wx * c[1] - wy * c[0];
        c[0] += dt * vcx;
        c[1] += dt * vcy;
        c[2] += dt * vcz;
        double speed = Math.sqrt(wx * wx + wy * wy + wz * wz), angle = speed * dt;
        if (angle > 0) {
            double h = Math.sin(angle / 2) / speed, dw = Math.cos(angle / 2), dx = wx * h, dy = wy * h, dz = wz * h;
            double w = baseQuat[0], x = baseQuat[1], y = baseQuat[2], z = baseQuat[3];
            double nw = dw * w - dx * x - dy * y - dz * z, nx = dw * x + dx * w + dy * z - dz * y, ny = dw * y - dx * z + dy * w + dz * x,
                    nz = dw * z + dx * y - dy * x + dz * w;
            double norm = Math.sqrt(nw * nw + nx * nx + ny * ny + nz * nz);
            baseQuat[0] = nw / norm;
            baseQuat[1] = nx / norm;
            baseQuat[2] = ny / norm;
            baseQuat[3] = nz / norm;
            updateBaseRotation();
        }
        mulVec(baseR, rootCom, rc);
        for (int a = 0; a < 3; a++) baseP[a] = c[a] - rc[a];
    }

    /** Body poses, motion subspaces and rigid-body inertias (world frame, at the world origin) at the current positions. */
    private void pose() {
        if (posed) return;
        double[] jr = jointRot, jp = jointPos, s = worldAxis;
        double[] rootR = floating ? baseR : Pose.IDENTITY.r(), rootP = floating ? baseP : ZERO;
        if (floating) bodyInertiaAtOrigin(baseR, baseP, rootMass, rootCom, rootInertia, rootBodyInertia);
        for (int b = 0; b < n; b++) {
            int p = parent[b];
            double[] pr = p < 0 ? rootR : rot[p], pp = p < 0 ? rootP : pos[p];
            mul(pr, treeR[b], jr);
            mulVec(pr, treeP[b], jp);
            for (int a = 0; a < 3; a++) jp[a] += pp[a];
            mulVec(jr, axis[b], s);
            double qb = q[joint[b]];
            if (revolute[b]) {
                rotation(axis[b], qb, motion);
                mul(jr, motion, rot[b]);
                System.arraycopy(jp, 0, pos[b], 0, 3);
                double[] o = pos[b];
                sub[b][0] = s[0];
                sub[b][1] = s[1];
                sub[b][2] = s[2];
                sub[b][3] = o[1] * s[2] - o[2] * s[1]; // p × s: the linear velocity at the world origin of a unit rotation about the axis
                sub[b][4] = o[2] * s[0] - o[0] * s[2];
                sub[b][5] = o[0] * s[1] - o[1] * s[0];
            } else {
                System.arraycopy(jr, 0, rot[b], 0, 9);
                for (int a = 0; a < 3; a++) pos[b][a] = jp[a] + s[a] * qb;
                sub[b][0] = sub[b][1] = sub[b][2] = 0;
                sub[b][3] = s[0];
                sub[b][4] = s[1];
                sub[b][5] = s[2];
            }
            bodyInertiaAtOrigin(rot[b], pos[b], mass[b], com[b], inertia[b], bodyInertia[b]);
        }
        posed = true;
    }

    /** A body's rigid-body inertia at the world origin: m, h = m c, Ī = R Ic Rᵀ + m(|c|²1 − c cᵀ). */
    private void bodyInertiaAtOrigin(double[] r, double[] p, double m, double[] localCom, double[] localInertia, double[] in) {
        double[] c = worldCom, ic = worldInertia;
        mulVec(r, localCom, c);
        for (int a = 0; a < 3; a++) c[a] += p[a];
        rotateInertia(r, localInertia, ic);
        addPointMass(ic, m, c, 1);
        in[0] = m;
        in[1] = m * c[0];
        in[2] = m * c[1];
        in[3] = m * c[2];
        System.arraycopy(ic, 0, in, 4, 6);
    }

    private static final double[] ZERO = new double[3];

    /** Recursive Newton-Euler with q̈ = 0: the joint efforts that hold the present motion against gravity (c in M q̈ + c = τ). */
    private void biasForces() {
        if (floating) {
            double[] a = work6;
            a[0] = a[1] = a[2] = 0;
            for (int k = 3; k < 6; k++) a[k] = -gravity[k - 3];
            applyInertia(rootBodyInertia, a, rootForce);
            applyInertia(rootBodyInertia, baseV, work6);
            crossForce(baseV, work6, work6b);
            for (int k = 0; k < 6; k++) rootForce[k] += work6b[k];
        }
        for (int b = 0; b < n; b++) {
            int p = parent[b];
            double rate = qd[joint[b]];
            double[] v = vel[b], a = acc[b], s = sub[b];
            for (int k = 0; k < 6; k++) {
                v[k] = (p < 0 ? (floating ? baseV[k] : 0) : vel[p][k]) + s[k] * rate;
                a[k] = p < 0 ? (k < 3 ? 0 : -gravity[k - 3]) : acc[p][k]; // gravity as an upward acceleration of the base
            }
            crossMotion(v, s, work6);
            for (int k = 0; k < 6; k++) a[k] += work6[k] * rate;
            applyInertia(bodyInertia[b], a, force[b]);
            applyInertia(bodyInertia[b], v, work6);
            crossForce(v, work6, work6b);
            for (int k = 0; k < 6; k++) force[b][k] += work6b[k];
        }
        for (int b = n - 1; b >= 0; b--) {
            bias[base + b] = dot6(sub[b], force[b]);
            int p = parent[b];
            double[] into = p >= 0 ? force[p] : floating ? rootForce : null;
            if (into != null) for (int k = 0; k < 6; k++) into[k] += force[b][k];
        }
        if (floating) System.arraycopy(rootForce, 0, bias, 0, 6);
    }

    /** Composite rigid bodies: M[b][d] = S_dᵀ Ic_b S_b for d = b and each ancestor d. */
    private void massMatrix() {
        for (int b = 0; b < n; b++) System.arraycopy(bodyInertia[b], 0, composite[b], 0, 10);
        if (floating) System.arraycopy(rootBodyInertia, 0, rootComposite, 0, 10);
        for (int b = n - 1; b >= 0; b--) {
            int p = parent[b];
            double[] into = p >= 0 ? composite[p] : floating ? rootComposite : null;
            if (into != null) for (int k = 0; k < 10; k++) into[k] += composite[b][k];
        }
        Arrays.fill(massMatrix, 0); // bodies on different branches do not couple
        for (int b = 0; b < n; b++) {
            applyInertia(composite[b], sub[b], work6);
            int gb = base + b;
            massMatrix[gb * nv + gb] = dot6(sub[b], work6);
            for (int d = parent[b]; d >= 0; d = parent[d]) {
                double m = dot6(sub[d], work6);
                massMatrix[gb * nv + base + d] = m;
                massMatrix[(base + d) * nv + gb] = m;
            }
            // the free root's motion subspace is the identity: its coupling is Ic_b S_b itself
            for (int k = 0; k < base; k++) {
                massMatrix[gb * nv + k] = work6[k];
                massMatrix[k * nv + gb] = work6[k];
            }
        }
        for (int k = 0; k < base; k++) {
            Arrays.fill(work6b, 0);
            work6b[k] = 1;
            applyInertia(rootComposite, work6b, work6);
            for (int j = 0; j < 6; j++) massMatrix[j * nv + k] = work6[j];
        }
    }

    /** M = L Lᵀ (lower triangle of {@link #factor}). */
    private void cholesky() {
        int n = nv;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = massMatrix[i * n + j];
                for (int k = 0; k < j; k++) s -= factor[i * n + k] * factor[j * n + k];
                if (i == j) {
                    if (!(s > 0)) {
                        String what = i < base ? "the floating base" : "joint '" + jointNames.get(joint[i - base]) + "'";
                        throw new IllegalStateException(model.source() + ": the joint-space mass matrix is singular at " + what + ": the links it moves carry no mass");
                    }
                    factor[i * n + i] = Math.sqrt(s);
                } else {
                    factor[i * n + j] = s / factor[j * n + j];
                }
            }
        }
    }

    /** x ← M⁻¹ x (generalized order), with the factor of the last {@link #cholesky}. */
    private void solve(double[] x) {
        int n = nv;
        for (int i = 0; i < n; i++) {
            double s = x[i];
            for (int k = 0; k < i; k++) s -= factor[i * n + k] * x[k];
            x[i] = s / factor[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = x[i];
            for (int k = i + 1; k < n; k++) s -= factor[k * n + i] * x[k];
            x[i] = s / factor[i * n + i];
        }
    }

    /**
     * Joint stops as ODE's: a joint at or past a stop gets a one-sided velocity constraint that
     * pulls back {@link #STOP_ERP} of the overshoot this step (q̇ ≥ erp(lower − q)/dt at the lower
     * stop); impulses through M⁻¹ move the other joints as the coupling says. The active set is a
     * few joints at most: projected Gauss-Seidel on its Delassus matrix converges in a few sweeps.
     */
    private void stops() {
        int count = 0;
        for (int b = 0; b < n; b++) {
            int i = joint[b];
            if (stopped[i] && (q[i] <= lower[i] || q[i] >= upper[i])) active[count++] = b;
        }
        if (count == 0) return;
        for (int k = 0; k < count; k++) {
            double[] x = response[k];
            Arrays.fill(x, 0);
            x[base + active[k]] = 1;
            solve(x); // column of M⁻¹: how every joint's velocity answers a unit impulse at this one
        }
        Arrays.fill(impulse, 0, count, 0);
        for (int sweep = 0; sweep < 100; sweep++) {
            double change = 0;
            for (int k = 0; k < count; k++) {
                int b = active[k], i = joint[b];
                double v = qd[i];
                for (int m = 0; m < count; m++) v += response[m][base + b] * impulse[m];
                boolean atLower = q[i] <= lower[i];
                double target = STOP_ERP * ((atLower ? lower[i] : upper[i]) - q[i]) / dt;
                double lambda = impulse[k] + (target - v) / response[k][base + b];
                lambda = atLower ? Math.max(0, lambda) : Math.min(0, lambda);
                change = Math.max(change, Math.abs(lambda - impulse[k]));
                impulse[k] = lambda;
            }
            if (change < 1e-14) break;
        }
        for (int k = 0; k < count; k++) {
            for (int g = 0; g < base; g++) baseV[g] += response[k][g] * impulse[k];
            for (int b = 0; b < n; b++) qd[joint[b]] += response[k][base + b] * impulse[k];
        }
    }

    /**
     * The stops and the ground contacts of this step as one problem: rows J (a stop's joint, or a
     * contact point's normal and two tangents), W = M⁻¹ Jᵀ, and projected Gauss-Seidel on the
     * impulses, each row's velocity read from the generalized velocity it updates.
     */
    private void constraints() {
        for (int k = 0; k < base; k++) velocity[k] = baseV[k];
        for (int b = 0; b < n; b++) velocity[base + b] = qd[joint[b]];
        GroundContacts.Rows rows = contacts.rows();
        rows.clear();
        for (int b = 0; b < n; b++) {
            int i = joint[b];
            if (!stopped[i] || !(q[i] <= lower[i] || q[i] >= upper[i])) continue;
            boolean atLower = q[i] <= lower[i];
            double[] j = rows.add();
            j[base + b] = 1;
            rows.setStop(atLower, STOP_ERP * ((atLower ? lower[i] : upper[i]) - q[i]) / dt);
        }
        contacts.collide(this, rows, velocity, dt);
        int count = rows.count();
        if (count == 0) {
            contacts.clearForces(); // a step that touches nothing has no contact force (not the last step's that did)
            return;
        }
        for (int r = 0; r < count; r++) {
            double[] w = rows.response(r);
            System.arraycopy(rows.jacobian(r), 0, w, 0, nv);
            solve(w);
            rows.setDiagonal(r, dot(rows.jacobian(r), w));
        }
        rows.solve(velocity);
        for (int k = 0; k < base; k++) baseV[k] = velocity[k];
        for (int b = 0; b < n; b++) qd[joint[b]] = velocity[base + b];
        contacts.readForces(rows, dt);
    }

    private double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < nv; k++) s += a[k] * b[k];
        return s;
    }

    /**
     * The generalized force of a unit force along {@code d} at world point {@code point} on body
     * {@code b} (−1: the root) — equally, the row that reads the point's velocity along {@code d}:
     * the spatial force [p × d; d] at the world origin seen through each motion subspace from the
     * body to the root.
     */
    void pointJacobian(int b, double[] point, double[] d, double[] row) {
        Arrays.fill(row, 0, nv, 0);
        double[] f = work6b;
        f[0] = point[1] * d[2] - point[2] * d[1];
        f[1] = point[2] * d[0] - point[0] * d[2];
        f[2] = point[0] * d[1] - point[1] * d[0];
        f[3] = d[0];
        f[4] = d[1];
        f[5] = d[2];
        for (int a = b; a >= 0; a = parent[a]) row[base + a] = dot6(sub[a], f);
        for (int k = 0; k < base; k++) row[k] = f[k];
    }

    /** The world pose of body {@code b} (−1: the root, the world for a fixed base), after {@link #pose}. */
    double[] bodyRotation(int b) {
        return b >= 0 ? rot[b] : floating ? baseR : Pose.IDENTITY.r();
    }

    double[] bodyPosition(int b) {
        return b >= 0 ? pos[b] : floating ? baseP : ZERO;
    }

    /** Whether body {@code b} moves (a fixed base's root does not). */
    boolean moves(int b) {
        return b >= 0 || floating;
    }

    @Override
    public double position(int i) {
        return q[i];
    }

    @Override
    public double velocity(int i) {
        return qd[i];
    }

    @Override
    public void positions(double[] out) {
        System.arraycopy(q, 0, out, 0, out.length);
    }

    @Override
    public void velocities(double[] out) {
        System.arraycopy(qd, 0, out, 0, out.length);
    }

    @Override
    public void linkPosition(String link, double[] out) {
        Integer b = linkBody.get(link);
        if (b == null) throw new IllegalArgumentException(model.source() + ": no link '" + link + "'");
        double[] o = linkOffset.get(link).p();
        if (b < 0 && !floating) {
            System.arraycopy(o, 0, out, 0, 3);
            return;
        }
        pose();
        double[] r = bodyRotation(b), p = bodyPosition(b);
        mulVec(r, o, out);
        for (int a = 0; a < 3; a++) out[a] += p[a];
    }

    /** Kinetic energy ½ q̇ᵀ M q̇ plus the potential −Σ m g·c (J). */
    @Override
    public double energy() {
        pose();
        massMatrix();
        for (int k = 0; k < base; k++) velocity[k] = baseV[k];
        for (int b = 0; b < n; b++) velocity[base + b] = qd[joint[b]];
        double e = 0;
        for (int i = 0; i < nv; i++) {
            for (int j = 0; j < nv; j++) e += 0.5 * velocity[i] * massMatrix[i * nv + j] * velocity[j];
        }
        for (int b = 0; b < n; b++) {
            double[] in = bodyInertia[b];
            e -= gravity[0] * in[1] + gravity[1] * in[2] + gravity[2] * in[3];
        }
        if (floating) e -= gravity[0] * rootBodyInertia[1] + gravity[1] * rootBodyInertia[2] + gravity[2] * rootBodyInertia[3];
        return e;
    }

    @Override
    public int snapshotSize() {
        return 8 + 16 * n + (floating ? 8 * 13 : 0);
    }

    @Override
    public void snapshotInto(byte[] out) {
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putLong(steps);
        for (int i = 0; i < n; i++) b.putDouble(q[i]).putDouble(qd[i]);
        if (!floating) return;
        for (double x : baseQuat) b.putDouble(x);
        for (double x : baseP) b.putDouble(x);
        for (double x : baseV) b.putDouble(x);
    }

    /**
     * Restores a {@link #snapshot}, or one that ode4j's simulator wrote for this robot (checkpoints
     * of runs from before fixed-base robots moved to joint space): its joint positions and rates
     * are read through ode4j, so an old run resumes from where it stopped.
     */
    @Override
    public void restore(byte[] state) {
        if (state.length != snapshotSize()) {
            try (EmbeddedSimulator ode = new EmbeddedSimulator(model, dt, gravity, floating, contactSettings)) {
                if (state.length != ode.snapshotSize()) throw new IllegalArgumentException("simulator snapshot has the wrong size");
                ode.restore(state);
                double[] q0 = new double[n], qd0 = new double[n];
                ode.positions(q0);
                ode.velocities(qd0);
                BaseState s = new BaseState();
                ode.baseState(s);
                setState(q0, qd0, new Pose(rotationOf(s.orientation), s.position.clone()), s.linearVelocity, s.angularVelocity);
                steps = ode.steps();
            }
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(state);
        steps = b.getLong();
        for (int i = 0; i < n; i++) {
            q[i] = b.getDouble();
            qd[i] = b.getDouble();
        }
        if (floating) {
            for (int k = 0; k < 4; k++) baseQuat[k] = b.getDouble();
            for (int k = 0; k < 3; k++) baseP[k] = b.getDouble();
            for (int k = 0; k < 6; k++) baseV[k] = b.getDouble();
            updateBaseRotation();
        }
        posed = false;
        if (contacts != null) contacts.clearForces();
    }

    @Override
    public void close() {}

    // --- spatial algebra (6-vectors: angular part, then linear part at the world origin) ---

    /** f = I v for a rigid-body inertia (m, h, Ī) at the origin: [Ī ω + h × v; m v − h × ω]. */
    private static void applyInertia(double[] in, double[] v, double[] f) {
        double m = in[0], hx = in[1], hy = in[2], hz = in[3];
        double wx = v[0], wy = v[1], wz = v[2], vx = v[3], vy = v[4], vz = v[5];
        f[0] = in[4] * wx + in[5] * wy + in[6] * wz + (hy * vz - hz * vy);
        f[1] = in[5] * wx + in[7] * wy + in[8] * wz + (hz * vx - hx * vz);
        f[2] = in[6] * wx + in[8] * wy + in[9] * wz + (hx * vy - hy * vx);
        f[3] = m * vx - (hy * wz - hz * wy);
        f[4] = m * vy - (hz * wx - hx * wz);
        f[5] = m * vz - (hx * wy - hy * wx);
    }

    /** v ×ₘ x = [ω × x_ω; ω × x_v + v × x_ω]. */
    private static void crossMotion(double[] v, double[] x, double[] out) {
        out[0] = v[1] * x[2] - v[2] * x[1];
        out[1] = v[2] * x[0] - v[0] * x[2];
        out[2] = v[0] * x[1] - v[1] * x[0];
        out[3] = v[1] * x[5] - v[2] * x[4] + v[4] * x[2] - v[5] * x[1];
        out[4] = v[2] * x[3] - v[0] * x[5] + v[5] * x[0] - v[3] * x[2];
        out[5] = v[0] * x[4] - v[1] * x[3] + v[3] * x[1] - v[4] * x[0];
    }

    /** v ×f f = [ω × n + v × f; ω × f]. */
    private static void crossForce(double[] v, double[] f, double[] out) {
        out[0] = v[1] * f[2] - v[2] * f[1] + v[4] * f[5] - v[5] * f[4];
        out[1] = v[2] * f[0] - v[0] * f[2] + v[5] * f[3] - v[3] * f[5];
        out[2] = v[0] * f[1] - v[1] * f[0] + v[3] * f[4] - v[4] * f[3];
        out[3] = v[1] * f[5] - v[2] * f[4];
        out[4] = v[2] * f[3] - v[0] * f[5];
        out[5] = v[0] * f[4] - v[1] * f[3];
    }

    private static double dot6(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3] + a[4] * b[4] + a[5] * b[5];
    }

    private static void mul(double[] a, double[] b, double[] out) {
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) out[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        }
    }

    private static void mulVec(double[] r, double[] v, double[] out) {
        double x = v[0], y = v[1], z = v[2];
        out[0] = r[0] * x + r[1] * y + r[2] * z;
        out[1] = r[3] * x + r[4] * y + r[5] * z;
        out[2] = r[6] * x + r[7] * y + r[8] * z;
    }

    /** Rotation by {@code angle} about the unit {@code axis} (Rodrigues), into {@code out}. */
    private static void rotation(double[] axis, double angle, double[] out) {
        double x = axis[0], y = axis[1], z = axis[2];
        double c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
        out[0] = t * x * x + c;
        out[1] = t * x * y - s * z;
        out[2] = t * x * z + s * y;
        out[3] = t * x * y + s * z;
        out[4] = t * y * y + c;
        out[5] = t * y * z - s * x;
        out[6] = t * x * z - s * y;
        out[7] = t * y * z + s * x;
        out[8] = t * z * z + c;
    }
}
