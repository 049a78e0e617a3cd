package pponode.sim.embedded;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.ode4j.math.DMatrix3;
import org.ode4j.math.DMatrix3C;
import org.ode4j.math.DQuaternion;
import org.ode4j.math.DQuaternionC;
import org.ode4j.math.DVector3C;
import org.ode4j.ode.DBody;
import org.ode4j.ode.DContact;
import org.ode4j.ode.DContactBuffer;
import org.ode4j.ode.DContactJoint;
import org.ode4j.ode.DFixedJoint;
import org.ode4j.ode.DGeom;
import org.ode4j.ode.DHingeJoint;
import org.ode4j.ode.DJoint;
import org.ode4j.ode.DJointGroup;
import org.ode4j.ode.DMass;
import org.ode4j.ode.DPlane;
import org.ode4j.ode.DSimpleSpace;
import org.ode4j.ode.DSliderJoint;
import org.ode4j.ode.DWorld;
import org.ode4j.ode.OdeConstants;
import org.ode4j.ode.OdeHelper;
import org.ode4j.ode.internal.ErrorHandler;
import org.ode4j.ode.internal.ErrorHdl;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Collision;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;

/**
 * A URDF robot simulated with ode4j (Open Dynamics Engine), headless and deterministic. Each link
 * with mass is an ODE body whose frame is the link's inertial frame; massless links hang from
 * their parent through fixed joints (sensor frames, feet). The root link is welded to the world,
 * or, for a floating base, is a free body (six degrees of freedom; it must have a mass). ODE's
 * exact {@code world.step} (a direct LCP solve) is used, not the iterative {@code quickStep}.
 *
 * <p>Joints take efforts (N·m or N), clamped to the URDF effort limit and shaped by a continuous
 * velocity limit ({@link JointDrives}); URDF damping and Coulomb friction are applied as
 * opposing efforts; position limits are ODE joint stops.
 *
 * <p>With {@link ContactSettings}, the links' URDF {@code <collision>} shapes collide with a ground
 * plane at z = 0 and, as an option, with each other (links that no joint connects). Contacts are
 * found before every step and solved with the joints; the force each contact applied is summed per
 * link ({@link #contactForce}). Without them nothing collides: links pass through each other and
 * the ground, as the arm tasks expect.
 */
public final class EmbeddedSimulator implements JointPhysics {
    /**
     * ODE's direct LCP solver reports when a pivot fails ("LCP internal error, s <= 0") and goes on
     * with the best solution it has; with many contacts this happens in a fraction of a percent of
     * steps. The reports are counted ({@link #solverWarnings}) instead of printed at thousands of
     * lines a minute; any other message is still logged.
     */
    private static final LongAdder SOLVER_WARNINGS = new LongAdder();

    static {
        OdeHelper.initODE2(0);
        ErrorHandler.dMessageFunction logged = ErrorHdl.dGetMessageHandler();
        ErrorHdl.dSetMessageHandler((num, msg, args) -> {
            if (msg != null && msg.startsWith("LCP internal error")) SOLVER_WARNINGS.increment();
            else if (logged != null) logged.call(num, msg, args);
        });
    }

    /** How many times, in this process, the LCP solver went on after a failed pivot. */
    public static long solverWarnings() {
        return SOLVER_WARNINGS.sum();
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
    private final double[] lower, upper;
    private final JointDrives drives;
    private final double[] unwrapped, lastRaw;
    private final double[] gravity;
    private final Map<String, Integer> index = new HashMap<>();
    private long steps;
    /** The free root body of a floating base; null when the root is welded to the world. */
    private final DBody rootBody;
    private final Pose rootInertial;
    private final ContactSettings contact;
    private final List<String> linkNames = new ArrayList<>();
    /** Per link (model order): the summed force (world frame, N) its contacts applied in the last step. */
    private final double[] linkForce;
    private Contacts contacts;

    /** A robot welded to the world that touches nothing (the arm tasks). */
    public EmbeddedSimulator(UrdfModel model, double dt, double[] gravity) {
        this(model, dt, gravity, false, null);
    }

    /**
     * @param floatingBase the root link is a free body (it needs a mass) instead of welded to the world
     * @param contact how the links' collision shapes touch the ground and each other; null: nothing collides
     */
    public EmbeddedSimulator(UrdfModel model, double dt, double[] gravity, boolean floatingBase, ContactSettings contact) {
        if (!(dt > 0)) throw new IllegalArgumentException("physics dt must be > 0, got " + dt);
        this.model = model;
        this.dt = dt;
        this.gravity = gravity.clone();
        this.contact = contact;
        world = OdeHelper.createWorld();
        world.setGravity(gravity[0], gravity[1], gravity[2]);
        // Rigid joints: ODE's default CFM (1e-5) makes constraints slightly soft, which shows up as
        // errors in the accelerations; the exact world.step solver needs no regularisation here.
        world.setCFM(0);
        Map<String, Pose> zero = model.forwardKinematics(Map.of());
        UrdfModel.Link root = model.link(model.root());
        if (floatingBase && !root.hasMass()) {
            throw new IllegalArgumentException(model.source() + ": a floating base needs a root link with mass, but '" + root.name() + "' has no <inertial>");
        }
        rootInertial = root.inertialOrigin();
        for (UrdfModel.Link l : model.links()) {
            if ((l.name().equals(model.root()) && !floatingBase) || !l.hasMass()) continue;
            Pose com = zero.get(l.name()).then(l.inertialOrigin());
            DBody b = OdeHelper.createBody(world);
            DMass m = OdeHelper.createMass();
            double[] in = l.inertia();
            requirePhysicalInertia(model, l);
            m.setParameters(l.mass(), 0, 0, 0, in[0], in[3], in[5], in[1], in[2], in[4]);
            b.setMass(m);
            place(b, com);
            bodies.put(l.name(), b);
            bodyList.add(b);
            bodyLinks.add(l);
        }
        rootBody = floatingBase ? bodies.get(model.root()) : null;
        for (UrdfModel.Link l : model.links()) linkNames.add(l.name());
        linkForce = new double[3 * linkNames.size()];
        joints = model.movableJoints();
        int n = joints.size();
        odeJoints = new DJoint[n];
        hinge = new boolean[n];
        lower = new double[n];
        upper = new double[n];
        drives = new JointDrives(joints);
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
        if (contact != null) {
            contacts = new Contacts(zero);
            // Contacts deeper than this layer are pushed out; within it they are kept. Without it, a
            // resting body's contacts flicker on and off as its depth crosses zero, and each step
            // without contact lets it slip (a block creeps down a slope it should hold to).
            world.setContactSurfaceLayer(SURFACE_LAYER);
        }
    }

    /** How deep (m) a resting contact may sink before the error reduction pushes back: 0.1 mm. */
    static final double SURFACE_LAYER = 1e-4;

    /**
     * The collision side: every link's shapes as geoms on the body that carries the link (fixed
     * to the world where no body does), the ground plane, and the contact joints made for each step.
     */
    private final class Contacts {
        /** Contacts per geom pair: a box on a plane needs its four corners; more only cost solver time. */
        private static final int MAX_PER_PAIR = 8;
        private final DSimpleSpace space = OdeHelper.createSimpleSpace();
        private final DPlane ground;
        private final DJointGroup group = OdeHelper.createJointGroup();
        private final DContactBuffer buffer = new DContactBuffer(MAX_PER_PAIR);
        private final List<DJoint.DJointFeedback> feedback = new ArrayList<>();
        private final List<DContactJoint> joints = new ArrayList<>();
        /** Per contact of this step: the links of its two geoms (-1: the ground). */
        private int[] linkA = new int[64], linkB = new int[64];
        private final ContactSettings.Surface[] surfaces;
        private final DGeom.DNearCallback near = (data, g1, g2) -> touch(g1, g2);

        Contacts(Map<String, Pose> zero) {
            surfaces = new ContactSettings.Surface[linkNames.size()];
            for (int li = 0; li < linkNames.size(); li++) {
                UrdfModel.Link l = model.links().get(li);
                surfaces[li] = contact.surfaceOf(l.name());
                DBody body = bodyOf(l.name());
                for (Collision c : l.collisions()) {
                    Pose shape = zero.get(l.name()).then(c.origin());
                    DGeom g = CollisionShapes.create(space, c.geometry(), contact.meshShape());
                    g.setData(li);
                    if (body == null) {
                        g.setPosition(shape.p()[0], shape.p()[1], shape.p()[2]);
                        g.setRotation(matrix(shape.r()));
                    } else {
                        g.setBody(body);
                        Pose offset = bodyPoseAtZero(body, zero).inverse().then(shape);
                        g.setOffsetPosition(offset.p()[0], offset.p()[1], offset.p()[2]);
                        g.setOffsetRotation(matrix(offset.r()));
                    }
                }
            }
            ground = contact.ground() ? OdeHelper.createPlane(null, 0, 0, 1, 0) : null;
        }

        private Pose bodyPoseAtZero(DBody body, Map<String, Pose> zero) {
            UrdfModel.Link l = bodyLinks.get(bodyList.indexOf(body));
            return zero.get(l.name()).then(l.inertialOrigin());
        }

        /** Finds this step's contacts and makes a contact joint for each. */
        void collide() {
            group.empty();
            joints.clear();
            if (ground != null) OdeHelper.spaceCollide2(ground, space, null, near);
            if (contact.selfCollision()) OdeHelper.spaceCollide(space, null, near);
        }

        private void touch(DGeom g1, DGeom g2) {
            if (g1.getBody() == null) { // the robot's side first, so feedback f1 is the force on it
                DGeom t = g1;
                g1 = g2;
                g2 = t;
            }
            DBody b1 = g1.getBody(), b2 = g2.getBody();
            if (b1 == null || b1 == b2) return;
            if (b2 != null && OdeHelper.areConnectedExcluding(b1, b2, DContactJoint.class)) return; // neighbours overlap at their joint
            int n = OdeHelper.collide(g1, g2, MAX_PER_PAIR, buffer.getGeomBuffer());
            if (n == 0) return;
            int l1 = (Integer) g1.getData(), l2 = g2.getData() == null ? -1 : (Integer) g2.getData();
            ContactSettings.Surface s1 = surfaces[l1], s2 = l2 < 0 ? contact.surface() : surfaces[l2];
            double mu = Math.min(s1.friction(), s2.friction()), e = Math.max(s1.restitution(), s2.restitution());
            for (int i = 0; i < n; i++) {
                DContact c = buffer.get(i);
                c.surface.mode = OdeConstants.dContactApprox1 | OdeConstants.dContactSoftERP | OdeConstants.dContactSoftCFM | (e > 0 ? OdeConstants.dContactBounce : 0);
                c.surface.mu = mu;
                c.surface.bounce = e;
                c.surface.bounce_vel = 1e-3;
                c.surface.soft_erp = contact.erp();
                c.surface.soft_cfm = contact.cfm();
                DContactJoint j = OdeHelper.createContactJoint(world, group, c);
                j.attach(b1, b2);
                int k = joints.size();
                if (k == feedback.size()) feedback.add(new DJoint.DJointFeedback());
                j.setFeedback(feedback.get(k));
                if (k == linkA.length) {
                    linkA = Arrays.copyOf(linkA, 2 * k);
                    linkB = Arrays.copyOf(linkB, 2 * k);
                }
                linkA[k] = l1;
                linkB[k] = l2;
                joints.add(j);
            }
        }

        /** No contact force on any link: a new state (reset, restore) has not touched anything yet. */
        void clearForces() {
            Arrays.fill(linkForce, 0);
        }

        /** Sums each contact's force onto its links. */
        void readForces() {
            Arrays.fill(linkForce, 0);
            for (int k = 0; k < joints.size(); k++) {
                DJoint.DJointFeedback f = feedback.get(k);
                add(linkA[k], f.f1);
                if (linkB[k] >= 0) add(linkB[k], f.f2);
            }
        }

        private void add(int link, DVector3C f) {
            linkForce[3 * link] += f.get0();
            linkForce[3 * link + 1] += f.get1();
            linkForce[3 * link + 2] += f.get2();
        }

        void destroy() {
            group.destroy();
            if (ground != null) ground.destroy();
            space.destroy();
        }
    }

    private static DMatrix3 matrix(double[] r) {
        return new DMatrix3(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]);
    }

    private void register(UrdfModel.Joint j, DJoint oj, boolean isHinge) {
        int i = joints.indexOf(j);
        odeJoints[i] = oj;
        hinge[i] = isHinge;
        lower[i] = j.lower();
        upper[i] = j.upper();
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

    /**
     * A moving body needs a positive-definite inertia tensor (Sylvester's criterion); ODE would
     * stop on an assertion that names no link. Checked here so the error names the URDF and link.
     */
    static void requirePhysicalInertia(UrdfModel model, UrdfModel.Link l) {
        double[] in = l.inertia(); // ixx, ixy, ixz, iyy, iyz, izz
        double ixx = in[0], ixy = in[1], ixz = in[2], iyy = in[3], iyz = in[4], izz = in[5];
        double minor2 = ixx * iyy - ixy * ixy;
        double det = ixx * (iyy * izz - iyz * iyz) - ixy * (ixy * izz - iyz * ixz) + ixz * (ixy * iyz - iyy * ixz);
        if (!(ixx > 0 && minor2 > 0 && det > 0)) {
            throw new IllegalArgumentException(model.source() + ": link '" + l.name() + "' has mass " + l.mass() + " but its <inertia> (ixx=" + ixx + " iyy=" + iyy
                    + " izz=" + izz + " ixy=" + ixy + " ixz=" + ixz + " iyz=" + iyz + ") is not positive definite; a moving link needs a physical inertia");
        }
    }

    /** The ODE body that carries {@code link}: itself, or the nearest ancestor through fixed joints; null = world. */
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
        b.setPosition(pose.p()[0], pose.p()[1], pose.p()[2]);
        b.setRotation(matrix(pose.r()));
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
    @Override
    public List<String> jointNames() {
        List<String> out = new ArrayList<>();
        for (UrdfModel.Joint j : joints) out.add(j.name());
        return out;
    }

    @Override
    public int jointIndex(String name) {
        Integer i = index.get(name);
        if (i == null) throw new IllegalArgumentException(model.source() + ": no movable joint '" + name + "'; movable joints: " + jointNames());
        return i;
    }

    @Override
    public int dof() {
        return joints.size();
    }

    @Override
    public double effortLimit(int i) {
        return drives.effortLimit(i);
    }

    @Override
    public void addJointDamping(double damping, double friction) {
        drives.add(damping, friction);
    }

    /** Puts the robot exactly at joint positions {@code q} and velocities {@code qd}, a floating base at the origin and at rest. */
    @Override
    public void setState(double[] q, double[] qd) {
        setState(q, qd, Pose.IDENTITY, new double[3], new double[3]);
    }

    @Override
    public boolean floatingBase() {
        return rootBody != null;
    }

    /**
     * Puts the robot exactly at joint positions {@code q} and velocities {@code qd}, with a floating
     * base's root link frame at {@code base} moving at {@code baseLinear} (its origin's velocity)
     * and {@code baseAngular}, world frame. A welded base ignores the base arguments.
     */
    @Override
    public void setState(double[] q, double[] qd, Pose base, double[] baseLinear, double[] baseAngular) {
        if (q.length != dof() || qd.length != dof()) throw new IllegalArgumentException("state needs " + dof() + " positions and velocities");
        Map<String, Double> qm = new HashMap<>();
        Map<String, Double> qdm = new HashMap<>();
        for (int i = 0; i < dof(); i++) {
            qm.put(joints.get(i).name(), q[i]);
            qdm.put(joints.get(i).name(), qd[i]);
        }
        Map<String, Pose> poses = model.forwardKinematics(qm);
        Map<String, double[][]> vel = new HashMap<>(); // link → {linear velocity of its origin, angular velocity}
        if (rootBody != null) {
            poses.replaceAll((link, pose) -> base.then(pose));
            vel.put(model.root(), new double[][] {baseLinear.clone(), baseAngular.clone()});
        } else {
            vel.put(model.root(), new double[][] {new double[3], new double[3]});
        }
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
        if (contacts != null) contacts.clearForces();
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
    @Override
    public void step(double[] effort) {
        if (contacts != null) contacts.collide();
        for (int i = 0; i < odeJoints.length; i++) {
            double e = drives.applied(i, effort[i], rate(i));
            if (hinge[i]) ((DHingeJoint) odeJoints[i]).addTorque(e);
            else ((DSliderJoint) odeJoints[i]).addForce(e);
        }
        world.step(dt);
        steps++;
        if (contacts != null) contacts.readForces();
        for (int i = 0; i < odeJoints.length; i++) {
            double raw = raw(i);
            unwrapped[i] += hinge[i] ? wrap(raw - lastRaw[i]) : raw - lastRaw[i];
            lastRaw[i] = raw;
        }
    }

    private double raw(int i) {
        return hinge[i] ? ((DHingeJoint) odeJoints[i]).getAngle() : ((DSliderJoint) odeJoints[i]).getPosition();
    }

    private double rate(int i) {
        return hinge[i] ? ((DHingeJoint) odeJoints[i]).getAngleRate() : ((DSliderJoint) odeJoints[i]).getPositionRate();
    }

    /** Joint position (continuous joints unwrapped, not limited to ±π). */
    @Override
    public double position(int i) {
        return unwrapped[i];
    }

    @Override
    public double velocity(int i) {
        return rate(i);
    }

    @Override
    public void positions(double[] out) {
        System.arraycopy(unwrapped, 0, out, 0, out.length);
    }

    @Override
    public void velocities(double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = rate(i);
    }

    /** World poses of all links at the current joint positions (and base pose). */
    public Map<String, Pose> linkPoses() {
        Map<String, Double> q = new HashMap<>();
        for (int i = 0; i < dof(); i++) q.put(joints.get(i).name(), unwrapped[i]);
        Map<String, Pose> poses = model.forwardKinematics(q);
        if (rootBody != null) {
            Pose base = rootPose();
            poses.replaceAll((link, pose) -> base.then(pose));
        }
        return poses;
    }

    @Override
    public void linkPosition(String link, double[] out) {
        Pose pose = linkPoses().get(link);
        if (pose == null) throw new IllegalArgumentException(model.source() + ": no link '" + link + "'");
        System.arraycopy(pose.p(), 0, out, 0, 3);
    }

    /** The root link frame's pose: the free body's pose less the root's inertial offset; the identity for a welded base. */
    public Pose rootPose() {
        if (rootBody == null) return Pose.IDENTITY;
        DMatrix3C r = rootBody.getRotation();
        DVector3C p = rootBody.getPosition();
        Pose com = new Pose(new double[] {r.get00(), r.get01(), r.get02(), r.get10(), r.get11(), r.get12(), r.get20(), r.get21(), r.get22()},
                new double[] {p.get0(), p.get1(), p.get2()});
        return com.then(rootInertial.inverse());
    }

    /**
     * The base's pose and velocity (world frame): the root link frame, the velocity of its origin
     * and the angular velocity. A welded base is at rest at the origin.
     */
    @Override
    public void baseState(BaseState out) {
        if (rootBody == null) {
            out.setFixed();
            return;
        }
        Pose frame = rootPose();
        System.arraycopy(frame.p(), 0, out.position, 0, 3);
        quaternion(frame.r(), out.orientation);
        DVector3C v = rootBody.getLinearVel(), w = rootBody.getAngularVel(), c = rootBody.getPosition();
        double rx = frame.p()[0] - c.get0(), ry = frame.p()[1] - c.get1(), rz = frame.p()[2] - c.get2(); // centre of mass → frame origin
        out.linearVelocity[0] = v.get0() + w.get1() * rz - w.get2() * ry;
        out.linearVelocity[1] = v.get1() + w.get2() * rx - w.get0() * rz;
        out.linearVelocity[2] = v.get2() + w.get0() * ry - w.get1() * rx;
        out.angularVelocity[0] = w.get0();
        out.angularVelocity[1] = w.get1();
        out.angularVelocity[2] = w.get2();
    }

    /** A rotation matrix (row-major) as a unit quaternion w, x, y, z with w ≥ 0 (Shepperd's method: the largest diagonal term first, for accuracy). */
    static void quaternion(double[] m, double[] q) {
        double tr = m[0] + m[4] + m[8];
        if (tr > 0) {
            double s = Math.sqrt(tr + 1) * 2;
            q[0] = s / 4;
            q[1] = (m[7] - m[5]) / s;
            q[2] = (m[2] - m[6]) / s;
            q[3] = (m[3] - m[1]) / s;
        } else if (m[0] > m[4] && m[0] > m[8]) {
            double s = Math.sqrt(1 + m[0] - m[4] - m[8]) * 2;
            q[0] = (m[7] - m[5]) / s;
            q[1] = s / 4;
            q[2] = (m[1] + m[3]) / s;
            q[3] = (m[2] + m[6]) / s;
        } else if (m[4] > m[8]) {
            double s = Math.sqrt(1 + m[4] - m[0] - m[8]) * 2;
            q[0] = (m[2] - m[6]) / s;
            q[1] = (m[1] + m[3]) / s;
            q[2] = s / 4;
            q[3] = (m[5] + m[7]) / s;
        } else {
            double s = Math.sqrt(1 + m[8] - m[0] - m[4]) * 2;
            q[0] = (m[3] - m[1]) / s;
            q[1] = (m[2] + m[6]) / s;
            q[2] = (m[5] + m[7]) / s;
            q[3] = s / 4;
        }
        if (q[0] < 0) for (int i = 0; i < 4; i++) q[i] = -q[i];
    }

    /**
     * Whether the last step left the physical range: a body faster than 100 m/s or 1000 rad/s, or
     * a joint at 20 times its velocity limit, or a non-finite state. ODE's direct solver can return
     * a wrong solution when a pivot fails (a fallen legged robot with many contacts), and the next
     * steps then explode; a caller undoes such a step ({@link #snapshot}) instead of learning from it.
     */
    @Override
    public boolean diverged() {
        for (DBody b : bodyList) {
            DVector3C v = b.getLinearVel(), w = b.getAngularVel(), p = b.getPosition();
            double v2 = v.get0() * v.get0() + v.get1() * v.get1() + v.get2() * v.get2(), w2 = w.get0() * w.get0() + w.get1() * w.get1() + w.get2() * w.get2();
            if (!(v2 < 1e4 && w2 < 1e6) || !Double.isFinite(p.get0() + p.get1() + p.get2())) return true;
        }
        for (int i = 0; i < odeJoints.length; i++) {
            if (Math.abs(rate(i)) > 20 * drives.velocityLimit(i)) return true;
        }
        return false;
    }

    @Override
    public int linkIndex(String link) {
        int i = linkNames.indexOf(link);
        if (i < 0) throw new IllegalArgumentException(model.source() + ": no link '" + link + "'; links: " + linkNames);
        return i;
    }

    /** The summed force (N, world frame) that contacts applied to link {@code link} (an index of {@link #linkNames}) in the last step. */
    @Override
    public void contactForce(int link, double[] out) {
        out[0] = linkForce[3 * link];
        out[1] = linkForce[3 * link + 1];
        out[2] = linkForce[3 * link + 2];
    }

    /** How many contact points the last step solved. */
    public int contactCount() {
        return contacts == null ? 0 : contacts.joints.size();
    }

    /** Kinetic + potential energy of all bodies (J). */
    @Override
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

    /** The complete dynamic state (every body's pose and velocity, joint unwrapping) into {@code out}. */
    @Override
    public void snapshotInto(byte[] out) {
        ByteBuffer b = ByteBuffer.wrap(out);
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
    }

    @Override
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
        if (contacts != null) contacts.clearForces();
    }

    @Override
    public int snapshotSize() {
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
        if (contacts != null) contacts.destroy();
        world.destroy();
    }
}
