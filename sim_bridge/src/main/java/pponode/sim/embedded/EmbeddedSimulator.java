package pponode.sim.embedded;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ode4j.math.DMatrix3;
import org.ode4j.math.DMatrix3C;
import org.ode4j.math.DQuaternion;
import org.ode4j.math.DQuaternionC;
import org.ode4j.math.DVector3C;
import org.ode4j.ode.DBody;
import org.ode4j.ode.DFixedJoint;
import org.ode4j.ode.DHingeJoint;
import org.ode4j.ode.DJoint;
import org.ode4j.ode.DMass;
import org.ode4j.ode.DSliderJoint;
import org.ode4j.ode.DWorld;
import org.ode4j.ode.OdeHelper;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;

/**
 * A fixed-base URDF robot simulated with ode4j (Open Dynamics Engine), headless and
 * deterministic. Each link with mass is an ODE body whose frame is the link's inertial frame;
 * massless links hang from their parent through fixed joints (sensor frames, fingertips). The
 * root link is welded to the world. ODE's exact {@code world.step} is used, not
 * {@code quickStep}, which is iterative and not reproducible.
 *
 * <p>Joints take efforts (N·m or N), clamped to the URDF effort limit and shaped by a continuous
 * velocity limit ({@link #limitBySpeed}); URDF damping and Coulomb friction are applied as
 * opposing efforts; position limits are ODE joint stops. There is no
 * collision detection: links pass through each other and the ground (none of the shipped tasks
 * needs contact).
 */
public final class EmbeddedSimulator implements AutoCloseable {
    static {
        OdeHelper.initODE2(0);
    }

    private final UrdfModel model;
    private final double dt;
    private final DWorld world;
    private final List<UrdfModel.Joint> joints;
    private final DJoint[] odeJoints;
    private final boolean[] hinge;
    private final Map<String, DBody> bodies = new LinkedHashMap<>();
    private final List<DBody> bodyList = new ArrayList<>();
    private final List<UrdfModel.Link> bodyLinks = new ArrayList<>();
    private final double[] lower, upper, effortLimit, velocityLimit, damping, friction;
    private final double[] unwrapped, lastRaw;
    private final double[] gravity;
    private final Map<String, Integer> index = new HashMap<>();
    private long steps;

    public EmbeddedSimulator(UrdfModel model, double dt, double[] gravity) {
        if (!(dt > 0)) throw new IllegalArgumentException("physics dt must be > 0, got " + dt);
        this.model = model;
        this.dt = dt;
        this.gravity = gravity.clone();
        world = OdeHelper.createWorld();
        world.setGravity(gravity[0], gravity[1], gravity[2]);
        // Rigid joints: ODE's default CFM (1e-5) makes constraints slightly soft, which shows up as
        // errors in the accelerations; the exact world.step solver needs no regularisation here.
        world.setCFM(0);
        Map<String, Pose> zero = model.forwardKinematics(Map.of());
        for (UrdfModel.Link l : model.links()) {
            if (l.name().equals(model.root()) || !l.hasMass()) continue;
            Pose com = zero.get(l.name()).then(l.inertialOrigin());
            DBody b = OdeHelper.createBody(world);
            DMass m = OdeHelper.createMass();
            double[] in = l.inertia();
            requirePhysicalInertia(l);
            m.setParameters(l.mass(), 0, 0, 0, in[0], in[3], in[5], in[1], in[2], in[4]);
            b.setMass(m);
            place(b, com);
            bodies.put(l.name(), b);
            bodyList.add(b);
            bodyLinks.add(l);
        }
        joints = model.movableJoints();
        int n = joints.size();
        odeJoints = new DJoint[n];
        hinge = new boolean[n];
        lower = new double[n];
        upper = new double[n];
        effortLimit = new double[n];
        velocityLimit = new double[n];
        damping = new double[n];
        friction = new double[n];
        unwrapped = new double[n];
        lastRaw = new double[n];
        for (UrdfModel.Joint j : model.joints()) {
            DBody child = bodies.get(j.child());
            DBody parent = bodyOf(j.parent());
            if (child == null) {
                if (j.type().movable()) {
                    throw new IllegalArgumentException(model.source() + ": link '" + j.child() + "' has no mass, but joint '" + j.name()
                            + "' moves it; give it an <inertial> or attach it with a fixed joint");
                }
                continue; // a massless frame: kinematics only
            }
            Pose frame = zero.get(j.child());
            double[] axis = frame.rotate(j.axis());
            switch (j.type()) {
                case FIXED -> {
                    DFixedJoint f = OdeHelper.createFixedJoint(world);
                    f.attach(child, parent);
                    f.setFixed();
                }
                case REVOLUTE, CONTINUOUS -> {
                    DHingeJoint h = OdeHelper.createHingeJoint(world);
                    h.attach(child, parent);
                    h.setAnchor(frame.p()[0], frame.p()[1], frame.p()[2]);
                    h.setAxis(axis[0], axis[1], axis[2]);
                    register(j, h, true);
                }
                case PRISMATIC -> {
                    DSliderJoint s = OdeHelper.createSliderJoint(world);
                    s.attach(child, parent);
                    s.setAxis(axis[0], axis[1], axis[2]);
                    register(j, s, false);
                }
            }
        }
    }

    private void register(UrdfModel.Joint j, DJoint oj, boolean isHinge) {
        int i = joints.indexOf(j);
        odeJoints[i] = oj;
        hinge[i] = isHinge;
        lower[i] = j.lower();
        upper[i] = j.upper();
        effortLimit[i] = j.effort();
        velocityLimit[i] = j.velocity();
        damping[i] = j.damping();
        friction[i] = j.friction();
        index.put(j.name(), i);
        boolean limited = Double.isFinite(j.lower());
        // ODE hinge stops must lie inside (-π, π); wider revolute ranges are left to the controller.
        if (limited && (!isHinge || (j.lower() > -Math.PI && j.upper() < Math.PI))) {
            oj.setParam(DJoint.PARAM_N.dParamLoStop1, j.lower());
            oj.setParam(DJoint.PARAM_N.dParamHiStop1, j.upper());
            oj.setParam(DJoint.PARAM_N.dParamBounce1, 0);
            oj.setParam(DJoint.PARAM_N.dParamStopERP1, 0.8);
            oj.setParam(DJoint.PARAM_N.dParamStopCFM1, 0);
        }
    }

    /** The ODE body that carries {@code link}: itself, or the nearest ancestor through fixed joints; null = world. */
    /**
     * A moving body needs a positive-definite inertia tensor (Sylvester's criterion); ODE would
     * stop on an assertion that names no link. Checked here so the error names the URDF and link.
     */
    private void requirePhysicalInertia(UrdfModel.Link l) {
        double[] in = l.inertia(); // ixx, ixy, ixz, iyy, iyz, izz
        double ixx = in[0], ixy = in[1], ixz = in[2], iyy = in[3], iyz = in[4], izz = in[5];
        double minor2 = ixx * iyy - ixy * ixy;
        double det = ixx * (iyy * izz - iyz * iyz) - ixy * (ixy * izz - iyz * ixz) + ixz * (ixy * iyz - iyy * ixz);
        if (!(ixx > 0 && minor2 > 0 && det > 0)) {
            throw new IllegalArgumentException(model.source() + ": link '" + l.name() + "' has mass " + l.mass() + " but its <inertia> (ixx=" + ixx + " iyy=" + iyy
                    + " izz=" + izz + " ixy=" + ixy + " ixz=" + ixz + " iyz=" + iyz + ") is not positive definite; a moving link needs a physical inertia");
        }
    }

    private DBody bodyOf(String link) {
        String l = link;
        while (true) {
            DBody b = bodies.get(l);
            if (b != null || l.equals(model.root())) return b;
            UrdfModel.Joint pj = model.parentJoint(l);
            if (pj.type().movable()) {
                throw new IllegalArgumentException(model.source() + ": link '" + l + "' has no mass but is moved by joint '" + pj.name() + "'");
            }
            l = pj.parent();
        }
    }

    private static void place(DBody b, Pose pose) {
        double[] r = pose.r();
        b.setPosition(pose.p()[0], pose.p()[1], pose.p()[2]);
        b.setRotation(new DMatrix3(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]));
    }

    public UrdfModel model() {
        return model;
    }

    public double dt() {
        return dt;
    }

    public long steps() {
        return steps;
    }

    /** Movable joint names, in the simulator's (URDF file) order. */
    public List<String> jointNames() {
        List<String> out = new ArrayList<>();
        for (UrdfModel.Joint j : joints) out.add(j.name());
        return out;
    }

    public int jointIndex(String name) {
        Integer i = index.get(name);
        if (i == null) throw new IllegalArgumentException(model.source() + ": no movable joint '" + name + "'; movable joints: " + jointNames());
        return i;
    }

    public int dof() {
        return joints.size();
    }

    public double effortLimit(int i) {
        return effortLimit[i];
    }

    /** Puts the robot exactly at joint positions {@code q} and velocities {@code qd}. */
    public void setState(double[] q, double[] qd) {
        if (q.length != dof() || qd.length != dof()) throw new IllegalArgumentException("state needs " + dof() + " positions and velocities");
        Map<String, Double> qm = new HashMap<>();
        Map<String, Double> qdm = new HashMap<>();
        for (int i = 0; i < dof(); i++) {
            qm.put(joints.get(i).name(), q[i]);
            qdm.put(joints.get(i).name(), qd[i]);
        }
        Map<String, Pose> poses = model.forwardKinematics(qm);
        Map<String, double[][]> vel = new HashMap<>(); // link → {linear velocity of its origin, angular velocity}
        vel.put(model.root(), new double[][] {new double[3], new double[3]});
        for (UrdfModel.Link l : model.links()) velocity(l.name(), poses, qdm, vel);
        for (int k = 0; k < bodyList.size(); k++) {
            UrdfModel.Link l = bodyLinks.get(k);
            Pose frame = poses.get(l.name());
            Pose com = frame.then(l.inertialOrigin());
            DBody b = bodyList.get(k);
            place(b, com);
            double[][] v = vel.get(l.name());
            double[] w = v[1];
            double[] rel = sub(com.p(), frame.p());
            double[] vc = add(v[0], cross(w, rel));
            b.setLinearVel(vc[0], vc[1], vc[2]);
            b.setAngularVel(w[0], w[1], w[2]);
        }
        for (int i = 0; i < dof(); i++) {
            unwrapped[i] = q[i];
            lastRaw[i] = hinge[i] ? wrap(q[i]) : q[i];
        }
    }

    private double[][] velocity(String link, Map<String, Pose> poses, Map<String, Double> qd, Map<String, double[][]> memo) {
        double[][] v = memo.get(link);
        if (v != null) return v;
        UrdfModel.Joint j = model.parentJoint(link);
        double[][] pv = velocity(j.parent(), poses, qd, memo);
        Pose child = poses.get(link);
        double[] r = sub(child.p(), poses.get(j.parent()).p());
        double[] lin = add(pv[0], cross(pv[1], r));
        double[] ang = pv[1].clone();
        double rate = qd.getOrDefault(j.name(), 0.0);
        double[] axis = child.rotate(j.axis());
        if (j.type() == UrdfModel.JointType.PRISMATIC) lin = add(lin, scale(axis, rate));
        if (j.type() == UrdfModel.JointType.REVOLUTE || j.type() == UrdfModel.JointType.CONTINUOUS) ang = add(ang, scale(axis, rate));
        v = new double[][] {lin, ang};
        memo.put(link, v);
        return v;
    }

    /**
     * One physics step with joint efforts {@code effort} (per movable joint, simulator order).
     * Efforts are clamped to the URDF limits; damping and friction oppose the joint velocity.
     */
    public void step(double[] effort) {
        for (int i = 0; i < odeJoints.length; i++) {
            double e = effort[i];
            if (!Double.isFinite(e)) throw new IllegalArgumentException("effort for joint '" + joints.get(i).name() + "' is " + e);
            e = Math.max(-effortLimit[i], Math.min(effortLimit[i], e));
            double v = rate(i);
            e = limitBySpeed(e, v, velocityLimit[i], effortLimit[i]);
            e -= damping[i] * v;
            if (friction[i] > 0) e -= friction[i] * Math.tanh(v / 1e-3); // smoothed Coulomb friction
            if (hinge[i]) ((DHingeJoint) odeJoints[i]).addTorque(e);
            else ((DSliderJoint) odeJoints[i]).addForce(e);
        }
        world.step(dt);
        steps++;
        for (int i = 0; i < odeJoints.length; i++) {
            double raw = raw(i);
            unwrapped[i] += hinge[i] ? wrap(raw - lastRaw[i]) : raw - lastRaw[i];
            lastRaw[i] = raw;
        }
    }

    /**
     * A motor's velocity limit, continuous so that tiny differences in commands stay tiny: effort
     * along the motion fades to zero over the last 10% below the limit, and overspeed is braked in
     * proportion to the excess (full effort at 10% over).
     */
    static double limitBySpeed(double e, double v, double vmax, double emax) {
        if (!Double.isFinite(vmax)) return e;
        double speed = Math.abs(v), band = 0.1 * vmax;
        if (e * v > 0) e *= Math.max(0, Math.min(1, (vmax - speed) / band));
        if (speed > vmax) {
            double brake = (speed - vmax) / band * (Double.isFinite(emax) ? emax : 1e3);
            e -= Math.copySign(Double.isFinite(emax) ? Math.min(emax, brake) : brake, v);
        }
        return e;
    }

    private double raw(int i) {
        return hinge[i] ? ((DHingeJoint) odeJoints[i]).getAngle() : ((DSliderJoint) odeJoints[i]).getPosition();
    }

    private double rate(int i) {
        return hinge[i] ? ((DHingeJoint) odeJoints[i]).getAngleRate() : ((DSliderJoint) odeJoints[i]).getPositionRate();
    }

    /** Joint position (continuous joints unwrapped, not limited to ±π). */
    public double position(int i) {
        return unwrapped[i];
    }

    public double velocity(int i) {
        return rate(i);
    }

    public void positions(double[] out) {
        System.arraycopy(unwrapped, 0, out, 0, out.length);
    }

    public void velocities(double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = rate(i);
    }

    /** World poses of all links at the current joint positions. */
    public Map<String, Pose> linkPoses() {
        Map<String, Double> q = new HashMap<>();
        for (int i = 0; i < dof(); i++) q.put(joints.get(i).name(), unwrapped[i]);
        return model.forwardKinematics(q);
    }

    /** Kinetic + potential energy of all bodies (J). */
    public double energy() {
        double e = 0;
        for (int k = 0; k < bodyList.size(); k++) {
            DBody b = bodyList.get(k);
            double m = bodyLinks.get(k).mass();
            DVector3C v = b.getLinearVel(), w = b.getAngularVel(), p = b.getPosition();
            e += 0.5 * m * (v.get0() * v.get0() + v.get1() * v.get1() + v.get2() * v.get2());
            DMatrix3C r = b.getRotation();
            double[] wb = { // ω in the body frame: Rᵀ ω
                r.get00() * w.get0() + r.get10() * w.get1() + r.get20() * w.get2(),
                r.get01() * w.get0() + r.get11() * w.get1() + r.get21() * w.get2(),
                r.get02() * w.get0() + r.get12() * w.get1() + r.get22() * w.get2()};
            double[] in = bodyLinks.get(k).inertia();
            double[][] i = {{in[0], in[1], in[2]}, {in[1], in[3], in[4]}, {in[2], in[4], in[5]}};
            for (int a = 0; a < 3; a++) for (int c = 0; c < 3; c++) e += 0.5 * wb[a] * i[a][c] * wb[c];
            e -= m * (gravity[0] * p.get0() + gravity[1] * p.get1() + gravity[2] * p.get2());
        }
        return e;
    }

    /** The complete dynamic state (every body's pose and velocity, joint unwrapping). */
    public byte[] snapshot() {
        ByteBuffer b = ByteBuffer.allocate(snapshotSize());
        b.putLong(steps);
        for (DBody body : bodyList) {
            DVector3C p = body.getPosition(), v = body.getLinearVel(), w = body.getAngularVel();
            DQuaternionC q = body.getQuaternion();
            b.putDouble(p.get0()).putDouble(p.get1()).putDouble(p.get2());
            b.putDouble(q.get0()).putDouble(q.get1()).putDouble(q.get2()).putDouble(q.get3());
            b.putDouble(v.get0()).putDouble(v.get1()).putDouble(v.get2());
            b.putDouble(w.get0()).putDouble(w.get1()).putDouble(w.get2());
            DMatrix3C r = body.getRotation();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) b.putDouble(r.get(i, j));
        }
        for (int i = 0; i < dof(); i++) b.putDouble(unwrapped[i]).putDouble(lastRaw[i]);
        return b.array();
    }

    public void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        if (state.length != snapshotSize()) throw new IllegalArgumentException("simulator snapshot has the wrong size");
        steps = b.getLong();
        for (DBody body : bodyList) {
            body.setPosition(b.getDouble(), b.getDouble(), b.getDouble());
            DQuaternion q = new DQuaternion(b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble());
            body.setQuaternion(q);
            body.setLinearVel(b.getDouble(), b.getDouble(), b.getDouble());
            body.setAngularVel(b.getDouble(), b.getDouble(), b.getDouble());
            // setQuaternion re-normalises, which can move the last bit; write the saved orientation
            // back exactly (ode4j's getters return the body's own quaternion and matrix) so a restored
            // run is bit-identical to an uninterrupted one.
            ((DQuaternion) body.getQuaternion()).set(q);
            DMatrix3 r = (DMatrix3) body.getRotation();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r.set(i, j, b.getDouble());
        }
        for (int i = 0; i < dof(); i++) {
            unwrapped[i] = b.getDouble();
            lastRaw[i] = b.getDouble();
        }
    }

    private int snapshotSize() {
        return 8 + bodyList.size() * 22 * 8 + dof() * 16;
    }

    static double wrap(double a) {
        double r = Math.IEEEremainder(a, 2 * Math.PI);
        return r == -Math.PI ? Math.PI : r;
    }

    private static double[] add(double[] a, double[] b) {
        return new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double[] scale(double[] a, double s) {
        return new double[] {a[0] * s, a[1] * s, a[2] * s};
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    @Override
    public void close() {
        world.destroy();
    }
}
