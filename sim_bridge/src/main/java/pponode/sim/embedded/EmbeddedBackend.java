package pponode.sim.embedded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import pponode.sim.BackendSpec;
import pponode.sim.BaseState;
import pponode.sim.Perturbation;
import pponode.sim.RobotBackend;
import pponode.sim.actuator.Actuator;
import pponode.sim.actuator.ActuatorModel;
import pponode.sim.urdf.Pose;

/**
 * The embedded simulator as a robot: a control period is {@code decimation} physics steps, each
 * with the efforts of the command interface (the command itself for effort, PD towards a position
 * or velocity command), clamped to the effort limits by the simulator. A fixed-base robot that
 * touches nothing runs on {@link ArticulatedSimulator} (joint space, the same model); a floating
 * base or contacts need ode4j ({@link EmbeddedSimulator}).
 */
public final class EmbeddedBackend implements RobotBackend {
    private final JointPhysics sim;
    private final String commandInterface;
    private final int[] actuated;
    private final double[] kp, kd, tau;
    /** The episode's physics (domain randomization, a sim2sim perturbation): gains, strength, delay, friction, mass. */
    private Perturbation perturbation = Perturbation.NONE;
    private final double[] kpNow, kdNow;
    /** Commands in flight, one per physics step, oldest applied: actionDelaySteps + 1 slots. */
    private double[][] inFlight;
    private int inFlightHead;
    private final int decimation;
    private final boolean contacts;
    /** The state before the current control period (robots with contacts), to undo one that diverged. */
    private final byte[] before;
    private final Map<String, Integer> linkIndex = new HashMap<>();
    /** The readings of observationDelaySteps physics steps ago; null without an observation delay. */
    private DelayedReadings readings;
    /** Each actuated joint's motor (position commands with an actuator model); null: PD, as the command interface says. */
    private final Actuator[] motors;

    public EmbeddedBackend(BackendSpec spec) {
        contacts = spec.contact() != null;
        sim = simulator(spec);
        before = contacts ? new byte[sim.snapshotSize()] : null;
        commandInterface = spec.commandInterface();
        actuated = spec.actuatedJoints().stream().mapToInt(sim::jointIndex).toArray();
        kp = spec.kp();
        kd = spec.kd();
        kpNow = kp == null ? null : kp.clone(); // effort commands have no gains
        kdNow = kd == null ? null : kd.clone();
        decimation = spec.decimation();
        tau = new double[sim.dof()];
        inFlight = new double[1][actuated.length];
        if (spec.actuators() != null) {
            if (!commandInterface.equals("position")) throw new IllegalArgumentException("actuator models take position commands; this robot's are " + commandInterface);
            if (spec.actuators().size() != actuated.length) throw new IllegalArgumentException(spec.actuators().size() + " actuator models for " + actuated.length + " joints");
            motors = spec.actuators().stream().map(ActuatorModel::create).toArray(Actuator[]::new);
        } else {
            motors = null;
        }
    }

    /**
     * The joint-space simulator, or ode4j's where the robot's links collide with each other
     * (self-collision), which only ode4j's collision detection covers.
     */
    static JointPhysics simulator(BackendSpec spec) {
        if (ArticulatedSimulator.covers(spec.contact())) {
            return new ArticulatedSimulator(spec.robot(), spec.physicsDt(), spec.gravity(), spec.floatingBase(), spec.contact());
        }
        return new EmbeddedSimulator(spec.robot(), spec.physicsDt(), spec.gravity(), spec.floatingBase(), spec.contact());
    }

    /** The physics engine under this robot. */
    public JointPhysics simulator() {
        return sim;
    }

    @Override
    public List<String> joints() {
        return sim.jointNames();
    }

    @Override
    public void reset(double[] q0, double[] qd0) {
        sim.setState(calibrated(q0), qd0);
        Arrays.fill(tau, 0);
        holdInFlight(q0);
    }

    @Override
    public void reset(double[] q0, double[] qd0, BaseState base0) {
        sim.setState(calibrated(q0), qd0, new Pose(ArticulatedSimulator.rotationOf(base0.orientation), base0.position.clone()), base0.linearVelocity,
                base0.angularVelocity);
        Arrays.fill(tau, 0);
        holdInFlight(q0);
    }

    /** Where the joints stand when they read {@code q}: {@code q} plus each actuated joint's calibration error. */
    private double[] calibrated(double[] q) {
        if (!perturbation.offsetsJoints()) return q;
        double[] out = q.clone();
        for (int i = 0; i < actuated.length; i++) out[actuated[i]] += perturbation.jointOffset(i);
        return out;
    }

    /** A new episode: the delayed commands still in flight are the rest command (hold the start pose, or zero); the motors start at rest there. */
    private void holdInFlight(double[] q0) {
        for (double[] c : inFlight) {
            for (int i = 0; i < actuated.length; i++) c[i] = commandInterface.equals("position") ? q0[actuated[i]] : 0;
        }
        for (int i = 0; motors != null && i < motors.length; i++) motors[i].reset(q0[actuated[i]] + perturbation.jointOffset(i));
        if (readings != null) readings.fill(sim);
    }

    @Override
    public boolean perturbable() {
        return true;
    }

    @Override
    public void perturb(Perturbation p) {
        if (p.offsetsJoints() && p.jointOffsets().length != actuated.length) {
            throw new IllegalArgumentException(p.jointOffsets().length + " joint offsets for " + actuated.length + " actuated joints");
        }
        sim.scaleMass(p.massScale());
        sim.scaleLinkMasses(p.linkMassScale(), p.massScale());
        sim.changeBase(p.baseAddedMass(), p.baseComOffset());
        sim.scaleFriction(p.frictionScale());
        sim.restitution(p.restitution());
        sim.addJointDamping(p.jointDamping(), p.jointFriction());
        readings = p.observationDelaySteps() == 0 ? null
                : readings != null && readings.slots() == p.observationDelaySteps() + 1 ? readings : new DelayedReadings(p.observationDelaySteps() + 1, sim);
        for (int i = 0; kp != null && i < kp.length; i++) kpNow[i] = p.kpScale() * kp[i];
        for (int i = 0; kd != null && i < kd.length; i++) kdNow[i] = p.kdScale() * kd[i];
        if (inFlight.length != p.actionDelaySteps() + 1) {
            double[] rest = inFlight[(inFlightHead + inFlight.length - 1) % inFlight.length].clone(); // the latest command, held in every slot
            inFlight = new double[p.actionDelaySteps() + 1][];
            for (int k = 0; k < inFlight.length; k++) inFlight[k] = rest.clone();
            inFlightHead = 0;
        }
        perturbation = p;
    }

    public Perturbation perturbation() {
        return perturbation;
    }

    @Override
    public void push(double[] dv) {
        sim.pushBase(dv);
    }

    @Override
    public void baseState(BaseState out) {
        if (readings != null) readings.baseState(out);
        else sim.baseState(out);
    }

    /** The joint and base state of the last {@code slots} physics steps; the oldest is what the robot reads. */
    private static final class DelayedReadings {
        private final double[][] q, qd;
        private final BaseState[] base;
        private int newest;

        DelayedReadings(int slots, JointPhysics sim) {
            q = new double[slots][sim.dof()];
            qd = new double[slots][sim.dof()];
            base = new BaseState[slots];
            for (int k = 0; k < slots; k++) base[k] = new BaseState();
            fill(sim);
        }

        int slots() {
            return q.length;
        }

        /** Every slot the state now (a new episode has no past). */
        void fill(JointPhysics sim) {
            for (int k = 0; k < q.length; k++) record(sim);
        }

        void record(JointPhysics sim) {
            newest = (newest + 1) % q.length;
            sim.positions(q[newest]);
            sim.velocities(qd[newest]);
            sim.baseState(base[newest]);
        }

        private int oldest() {
            return (newest + 1) % q.length;
        }

        void positions(double[] out) {
            System.arraycopy(q[oldest()], 0, out, 0, out.length);
        }

        void velocities(double[] out) {
            System.arraycopy(qd[oldest()], 0, out, 0, out.length);
        }

        void baseState(BaseState out) {
            out.copyFrom(base[oldest()]);
        }

        void save(ByteBuffer b) {
            b.putInt(newest);
            for (int k = 0; k < q.length; k++) {
                for (double v : q[k]) b.putDouble(v);
                for (double v : qd[k]) b.putDouble(v);
                for (double[] a : new double[][] {base[k].position, base[k].orientation, base[k].linearVelocity, base[k].angularVelocity}) for (double v : a) b.putDouble(v);
            }
        }

        void load(ByteBuffer b) {
            newest = b.getInt();
            for (int k = 0; k < q.length; k++) {
                for (int i = 0; i < q[k].length; i++) q[k][i] = b.getDouble();
                for (int i = 0; i < qd[k].length; i++) qd[k][i] = b.getDouble();
                for (double[] a : new double[][] {base[k].position, base[k].orientation, base[k].linearVelocity, base[k].angularVelocity}) {
                    for (int i = 0; i < a.length; i++) a[i] = b.getDouble();
                }
            }
        }

        int bytes() {
            return 4 + q.length * 8 * (2 * q[0].length + 13);
        }
    }

    @Override
    public boolean reportsContacts() {
        return contacts;
    }

    @Override
    public void contactForce(String link, double[] out) {
        if (!contacts) throw new UnsupportedOperationException("this robot has no contacts");
        sim.contactForce(linkIndex.computeIfAbsent(link, sim::linkIndex), out);
    }

    /**
     * One control period. With contacts, a period whose physics diverged ({@link JointPhysics#diverged})
     * is undone and reported lost, so the episode ends at the last physical state (counted in
     * {@link #divergences}).
     */
    @Override
    public boolean step(double[] commands) {
        if (contacts) sim.snapshotInto(before);
        double strength = perturbation.motorStrength();
        for (int k = 0; k < decimation; k++) {
            // the command enters the line of those in flight; the motors act on the oldest (actionDelaySteps ago)
            System.arraycopy(commands, 0, inFlight[inFlightHead], 0, actuated.length);
            inFlightHead = (inFlightHead + 1) % inFlight.length;
            double[] acting = inFlight[inFlightHead];
            Arrays.fill(tau, 0);
            for (int i = 0; i < actuated.length; i++) {
                int j = actuated[i];
                double limit = strength * sim.effortLimit(j);
                double target = acting[i] + perturbation.jointOffset(i); // a miscalibrated joint stands off its command
                if (motors != null) {
                    tau[j] = motors[i].effort(target, sim.position(j), sim.velocity(j), kpNow[i], kdNow[i], limit);
                    continue;
                }
                double e = switch (commandInterface) {
                    case "position" -> kpNow[i] * (target - sim.position(j)) - kdNow[i] * sim.velocity(j);
                    case "velocity" -> kdNow[i] * (acting[i] - sim.velocity(j));
                    default -> acting[i];
                };
                tau[j] = Math.max(-limit, Math.min(limit, e));
            }
            sim.step(tau);
            if (readings != null) readings.record(sim);
        }
        if (contacts && sim.diverged()) {
            sim.restore(before);
            Arrays.fill(tau, 0);
            DIVERGENCES.increment();
            return false;
        }
        return true;
    }

    private static final LongAdder DIVERGENCES = new LongAdder();

    /** Control periods undone in this process because the physics diverged. */
    public static long divergences() {
        return DIVERGENCES.sum();
    }

    /** The joint positions as the robot reads them: observationDelaySteps old, less each joint's calibration error. */
    @Override
    public void positions(double[] out) {
        if (readings != null) readings.positions(out);
        else sim.positions(out);
        for (int i = 0; perturbation.offsetsJoints() && i < actuated.length; i++) out[actuated[i]] -= perturbation.jointOffset(i);
    }

    @Override
    public void velocities(double[] out) {
        if (readings != null) readings.velocities(out);
        else sim.velocities(out);
    }

    @Override
    public boolean reportsEfforts() {
        return true;
    }

    /** The efforts of the last physics step, as clamped to the URDF effort limits (what the joints applied). */
    @Override
    public void efforts(double[] out) {
        System.arraycopy(tau, 0, out, 0, out.length);
    }

    @Override
    public void linkPosition(String link, double[] out) {
        sim.linkPosition(link, out);
    }

    @Override
    public boolean supportsSnapshot() {
        return true;
    }

    /**
     * The simulator's state, then, for a perturbed episode, the perturbation and the commands in
     * flight, then the motors' state where they have any (so a resume continues exactly).
     */
    @Override
    public byte[] snapshot() {
        byte[] robot = robotSnapshot();
        int motorBytes = 0;
        for (int i = 0; motors != null && i < motors.length; i++) motorBytes += motors[i].stateBytes();
        if (motors == null) return robot;
        ByteBuffer b = ByteBuffer.allocate(robot.length + motorBytes + 8);
        b.put(robot);
        for (Actuator m : motors) m.save(b);
        b.putInt(motorBytes).putInt(MOTORS);
        return b.array();
    }

    /** Ends a snapshot with the motors' state ("ACTR"). */
    private static final int MOTORS = 0x41435452;

    private byte[] robotSnapshot() {
        byte[] physics = sim.snapshot();
        if (perturbation.equals(Perturbation.NONE)) return physics;
        Perturbation p = perturbation;
        byte[] links = linkScales(p.linkMassScale());
        int bytes = 12 * 8 + 3 * 4 + links.length + 8 * p.jointOffsets().length + 4 + 8 * inFlight.length * actuated.length + (readings == null ? 0 : readings.bytes()) + 8;
        ByteBuffer b = ByteBuffer.allocate(physics.length + bytes);
        b.put(physics);
        b.putDouble(p.kpScale()).putDouble(p.kdScale()).putDouble(p.motorStrength()).putInt(p.actionDelaySteps()).putDouble(p.frictionScale()).putDouble(p.massScale());
        b.put(links);
        b.putDouble(p.baseAddedMass());
        for (double v : p.baseComOffset()) b.putDouble(v);
        b.putDouble(p.restitution()).putDouble(p.jointDamping()).putDouble(p.jointFriction());
        b.putInt(p.jointOffsets().length);
        for (double v : p.jointOffsets()) b.putDouble(v);
        b.putInt(p.observationDelaySteps());
        b.putInt(inFlightHead);
        for (double[] c : inFlight) for (double v : c) b.putDouble(v);
        if (readings != null) readings.save(b);
        b.putInt(bytes).putInt(PERTURBED);
        return b.array();
    }

    /** Single links' mass scales as a snapshot holds them: a count, then each name (length, UTF-8) and scale. */
    private static byte[] linkScales(Map<String, Double> scales) {
        int n = 4;
        for (String k : scales.keySet()) n += 4 + k.getBytes(StandardCharsets.UTF_8).length + 8;
        ByteBuffer b = ByteBuffer.allocate(n);
        b.putInt(scales.size());
        scales.forEach((k, v) -> {
            byte[] name = k.getBytes(StandardCharsets.UTF_8);
            b.putInt(name.length).put(name).putDouble(v);
        });
        return b.array();
    }

    /**
     * Ends a perturbed snapshot ("PRT2", after the length of what follows the physics): told apart
     * from a simulator's own. Snapshots of older runs end in "PRTB" (gains, strength, delay,
     * friction and mass only).
     */
    private static final int PERTURBED = 0x50525432, PERTURBED_V1 = 0x50525442;

    @Override
    public void restore(byte[] state) {
        if (motors != null) {
            ByteBuffer end = ByteBuffer.wrap(state);
            if (state.length < 8 || end.getInt(state.length - 4) != MOTORS) throw new IllegalArgumentException("the snapshot has no actuator state; this robot's motors keep some");
            int motorBytes = end.getInt(state.length - 8);
            restoreRobot(Arrays.copyOf(state, state.length - 8 - motorBytes));
            ByteBuffer b = ByteBuffer.wrap(state, state.length - 8 - motorBytes, motorBytes);
            for (Actuator m : motors) m.load(b);
            return;
        }
        restoreRobot(state);
    }

    private void restoreRobot(byte[] state) {
        int physics = sim.snapshotSize();
        int magic = state.length > physics + 4 ? ByteBuffer.wrap(state).getInt(state.length - 4) : 0;
        if (magic != PERTURBED && magic != PERTURBED_V1) { // unperturbed (or an ode4j snapshot of an old run)
            sim.restore(state);
            perturb(Perturbation.NONE);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(state, physics, state.length - physics);
        Perturbation p;
        if (magic == PERTURBED_V1) {
            p = new Perturbation(b.getDouble(), b.getDouble(), b.getDouble(), b.getInt(), b.getDouble(), b.getDouble());
            if (state.length != physics + 5 * 8 + 4 + 4 + 8 * (p.actionDelaySteps() + 1) * actuated.length + 4) throw new IllegalArgumentException("simulator snapshot has the wrong size");
        } else {
            if (state.length != physics + ByteBuffer.wrap(state).getInt(state.length - 8)) throw new IllegalArgumentException("simulator snapshot has the wrong size");
            double kp = b.getDouble(), kd = b.getDouble(), strength = b.getDouble();
            int delay = b.getInt();
            double friction = b.getDouble(), mass = b.getDouble();
            Map<String, Double> linkScales = new LinkedHashMap<>();
            for (int k = b.getInt(); k > 0; k--) {
                byte[] name = new byte[b.getInt()];
                b.get(name);
                linkScales.put(new String(name, StandardCharsets.UTF_8), b.getDouble());
            }
            double added = b.getDouble();
            double[] com = {b.getDouble(), b.getDouble(), b.getDouble()};
            double restitution = b.getDouble(), damping = b.getDouble(), jointFriction = b.getDouble();
            double[] offsets = new double[b.getInt()];
            for (int i = 0; i < offsets.length; i++) offsets[i] = b.getDouble();
            p = new Perturbation(kp, kd, strength, delay, friction, mass, linkScales, added, com, restitution, damping, jointFriction, offsets, b.getInt());
        }
        sim.restore(Arrays.copyOf(state, physics));
        perturb(p);
        inFlightHead = b.getInt();
        for (double[] c : inFlight) for (int i = 0; i < c.length; i++) c[i] = b.getDouble();
        if (readings != null) readings.load(b);
    }

    @Override
    public void close() {
        sim.close();
    }
}
