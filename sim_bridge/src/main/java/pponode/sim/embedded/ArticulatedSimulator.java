package pponode.sim.embedded;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;

/**
 * A fixed-base URDF robot that touches nothing, simulated in joint space: the state is the joint
 * positions and velocities, the mass matrix comes from the composite-rigid-body algorithm and the
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
    private final double[][] com, inertia;
    private final double[] lower, upper;
    private final JointDrives drives;
    /** Whether joint i has stops (ODE's hinge stops must lie inside (−π, π); wider revolute ranges are left to the controller). */
    private final boolean[] stopped;
    /** Per link: the body that carries it (−1: the world) and its frame in that body's frame. */
    private final Map<String, Integer> linkBody = new HashMap<>();
    private final Map<String, Pose> linkOffset = new HashMap<>();

    private final double[] q, qd;
    private long steps;

    // Work arrays, reused every step: body poses (world), motion subspaces S, velocities V,
    // accelerations A, forces F (6-vectors: angular then linear, at the world origin), rigid-body
    // inertias at the world origin (m, h = m·c, Ī as 6 symmetric entries), their composites, the
    // mass matrix and its Cholesky factor (body order), and the step's vectors.
    private final double[][] rot, pos, sub, vel, acc, force, bodyInertia, composite;
    private final double[] massMatrix, factor, bias, tau, qdd, impulse, work6 = new double[6], work6b = new double[6];
    private final double[] jointRot = new double[9], jointPos = new double[3], motion = new double[9], worldAxis = new double[3], worldCom = new double[3],
            worldInertia = new double[6];
    private final int[] active;
    private final double[][] response;
    private boolean posed;

    public ArticulatedSimulator(UrdfModel model, double dt, double[] gravity) {
        if (!(dt > 0)) throw new IllegalArgumentException("physics dt must be > 0, got " + dt);
        this.model = model;
        this.dt = dt;
        this.gravity = gravity.clone();
        joints = model.movableJoints();
        n = joints.size();
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
        for (UrdfModel.Link l : model.links()) {
            int b = bodyOfLink.get(l.name());
            if (b < 0 || !l.hasMass()) continue;
            EmbeddedSimulator.requirePhysicalInertia(model, l);
            Pose inertial = offsetOfLink.get(l.name()).then(l.inertialOrigin());
            double m = l.mass();
            double[] c = inertial.p(), in = l.inertia(), r = inertial.r();
            double[] rotated = new double[6];
            rotateInertia(r, in, rotated);
            mass[b] += m;
            for (int a = 0; a < 3; a++) mc[3 * b + a] += m * c[a];
            addPointMass(rotated, m, c, 1);
            for (int e = 0; e < 6; e++) about[b][e] += rotated[e];
        }
        for (int b = 0; b < n; b++) {
            if (mass[b] > 0) {
                for (int a = 0; a < 3; a++) com[b][a] = mc[3 * b + a] / mass[b];
                System.arraycopy(about[b], 0, inertia[b], 0, 6);
                addPointMass(inertia[b], mass[b], com[b], -1); // back to the centre of mass
            }
        }

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
        massMatrix = new double[n * n];
        factor = new double[n * n];
        bias = new double[n];
        tau = new double[n];
        qdd = new double[n];
        impulse = new double[n];
        active = new int[n];
        response = new double[n][n];
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

    @Override
    public void setState(double[] q0, double[] qd0) {
        if (q0.length != n || qd0.length != n) throw new IllegalArgumentException("state needs " + n + " positions and velocities");
        System.arraycopy(q0, 0, q, 0, n);
        System.arraycopy(qd0, 0, qd, 0, n);
        posed = false;
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
        // unconstrained: q̈ = M⁻¹(τ − c), v* = q̇ + dt q̈ (body order inside M)
        for (int b = 0; b < n; b++) qdd[b] = tau[joint[b]] - bias[b];
        solve(qdd);
        for (int b = 0; b < n; b++) qd[joint[b]] += dt * qdd[b];
        stops();
        for (int i = 0; i < n; i++) q[i] += dt * qd[i];
        steps++;
        posed = false;
    }

    /** Body poses, motion subspaces and rigid-body inertias (world frame, at the world origin) at the current positions. */
    private void pose() {
        if (posed) return;
        double[] jr = jointRot, jp = jointPos, s = worldAxis;
        for (int b = 0; b < n; b++) {
            int p = parent[b];
            double[] pr = p < 0 ? Pose.IDENTITY.r() : rot[p], pp = p < 0 ? ZERO : pos[p];
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
            // the body's inertia at the world origin: m, h = m c, Ī = R Ic Rᵀ + m(|c|²1 − c cᵀ)
            double[] in = bodyInertia[b], c = worldCom, ic = worldInertia;
            mulVec(rot[b], com[b], c);
            for (int a = 0; a < 3; a++) c[a] += pos[b][a];
            rotateInertia(rot[b], inertia[b], ic);
            addPointMass(ic, mass[b], c, 1);
            in[0] = mass[b];
            in[1] = mass[b] * c[0];
            in[2] = mass[b] * c[1];
            in[3] = mass[b] * c[2];
            System.arraycopy(ic, 0, in, 4, 6);
        }
        posed = true;
    }

    private static final double[] ZERO = new double[3];

    /** Recursive Newton-Euler with q̈ = 0: the joint efforts that hold the present motion against gravity (c in M q̈ + c = τ). */
    private void biasForces() {
        for (int b = 0; b < n; b++) {
            int p = parent[b];
            double rate = qd[joint[b]];
            double[] v = vel[b], a = acc[b], s = sub[b];
            for (int k = 0; k < 6; k++) {
                v[k] = (p < 0 ? 0 : vel[p][k]) + s[k] * rate;
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
            bias[b] = dot6(sub[b], force[b]);
            int p = parent[b];
            if (p >= 0) for (int k = 0; k < 6; k++) force[p][k] += force[b][k];
        }
    }

    /** Composite rigid bodies: M[b][d] = S_dᵀ Ic_b S_b for d = b and each ancestor d. */
    private void massMatrix() {
        for (int b = 0; b < n; b++) System.arraycopy(bodyInertia[b], 0, composite[b], 0, 10);
        for (int b = n - 1; b >= 0; b--) {
            int p = parent[b];
            if (p >= 0) for (int k = 0; k < 10; k++) composite[p][k] += composite[b][k];
        }
        Arrays.fill(massMatrix, 0); // bodies on different branches do not couple
        for (int b = 0; b < n; b++) {
            applyInertia(composite[b], sub[b], work6);
            massMatrix[b * n + b] = dot6(sub[b], work6);
            for (int d = parent[b]; d >= 0; d = parent[d]) {
                double m = dot6(sub[d], work6);
                massMatrix[b * n + d] = m;
                massMatrix[d * n + b] = m;
            }
        }
    }

    /** M = L Lᵀ (lower triangle of {@link #factor}). */
    private void cholesky() {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = massMatrix[i * n + j];
                for (int k = 0; k < j; k++) s -= factor[i * n + k] * factor[j * n + k];
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalStateException(model.source() + ": the joint-space mass matrix is singular at joint '" + jointNames.get(joint[i])
                                + "': the links it moves carry no mass");
                    }
                    factor[i * n + i] = Math.sqrt(s);
                } else {
                    factor[i * n + j] = s / factor[j * n + j];
                }
            }
        }
    }

    /** x ← M⁻¹ x (body order), with the factor of the last {@link #cholesky}. */
    private void solve(double[] x) {
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
            x[active[k]] = 1;
            solve(x); // column of M⁻¹: how every joint's velocity answers a unit impulse at this one
        }
        Arrays.fill(impulse, 0, count, 0);
        for (int sweep = 0; sweep < 100; sweep++) {
            double change = 0;
            for (int k = 0; k < count; k++) {
                int b = active[k], i = joint[b];
                double v = qd[i];
                for (int m = 0; m < count; m++) v += response[m][b] * impulse[m];
                boolean atLower = q[i] <= lower[i];
                double target = STOP_ERP * ((atLower ? lower[i] : upper[i]) - q[i]) / dt;
                double lambda = impulse[k] + (target - v) / response[k][b];
                lambda = atLower ? Math.max(0, lambda) : Math.min(0, lambda);
                change = Math.max(change, Math.abs(lambda - impulse[k]));
                impulse[k] = lambda;
            }
            if (change < 1e-14) break;
        }
        for (int k = 0; k < count; k++) {
            for (int b = 0; b < n; b++) qd[joint[b]] += response[k][b] * impulse[k];
        }
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
        if (b < 0) {
            System.arraycopy(o, 0, out, 0, 3);
            return;
        }
        pose();
        mulVec(rot[b], o, out);
        for (int a = 0; a < 3; a++) out[a] += pos[b][a];
    }

    /** Kinetic energy ½ q̇ᵀ M q̇ plus the potential −Σ m g·c (J). */
    @Override
    public double energy() {
        pose();
        massMatrix();
        double e = 0;
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < n; d++) e += 0.5 * qd[joint[b]] * massMatrix[b * n + d] * qd[joint[d]];
            double[] in = bodyInertia[b];
            e -= gravity[0] * in[1] + gravity[1] * in[2] + gravity[2] * in[3];
        }
        return e;
    }

    @Override
    public int snapshotSize() {
        return 8 + 16 * n;
    }

    @Override
    public void snapshotInto(byte[] out) {
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putLong(steps);
        for (int i = 0; i < n; i++) b.putDouble(q[i]).putDouble(qd[i]);
    }

    /**
     * Restores a {@link #snapshot}, or one that ode4j's simulator wrote for this robot (checkpoints
     * of runs from before fixed-base robots moved to joint space): its joint positions and rates
     * are read through ode4j, so an old run resumes from where it stopped.
     */
    @Override
    public void restore(byte[] state) {
        if (state.length != snapshotSize()) {
            try (EmbeddedSimulator ode = new EmbeddedSimulator(model, dt, gravity)) {
                if (state.length != ode.snapshotSize()) throw new IllegalArgumentException("simulator snapshot has the wrong size");
                ode.restore(state);
                ode.positions(q);
                ode.velocities(qd);
                steps = ode.steps();
            }
            posed = false;
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(state);
        steps = b.getLong();
        for (int i = 0; i < n; i++) {
            q[i] = b.getDouble();
            qd[i] = b.getDouble();
        }
        posed = false;
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
