package pponode.sim.embedded;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
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
        sim.setState(q0, qd0);
        Arrays.fill(tau, 0);
        holdInFlight(q0);
    }

    @Override
    public void reset(double[] q0, double[] qd0, BaseState base0) {
        sim.setState(q0, qd0, new Pose(ArticulatedSimulator.rotationOf(base0.orientation), base0.position.clone()), base0.linearVelocity, base0.angularVelocity);
        Arrays.fill(tau, 0);
        holdInFlight(q0);
    }

    /** A new episode: the delayed commands still in flight are the rest command (hold the start pose, or zero); the motors start at rest there. */
    private void holdInFlight(double[] q0) {
        for (double[] c : inFlight) {
            for (int i = 0; i < actuated.length; i++) c[i] = commandInterface.equals("position") ? q0[actuated[i]] : 0;
        }
        for (int i = 0; motors != null && i < motors.length; i++) motors[i].reset(q0[actuated[i]]);
    }

    @Override
    public boolean perturbable() {
        return true;
    }

    @Override
    public void perturb(Perturbation p) {
        sim.scaleMass(p.massScale());
        sim.scaleFriction(p.frictionScale());
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
        sim.baseState(out);
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
                if (motors != null) {
                    tau[j] = motors[i].effort(acting[i], sim.position(j), sim.velocity(j), kpNow[i], kdNow[i], limit);
                    continue;
                }
                double e = switch (commandInterface) {
                    case "position" -> kpNow[i] * (acting[i] - sim.position(j)) - kdNow[i] * sim.velocity(j);
                    case "velocity" -> kdNow[i] * (acting[i] - sim.velocity(j));
                    default -> acting[i];
                };
                tau[j] = Math.max(-limit, Math.min(limit, e));
            }
            sim.step(tau);
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

    @Override
    public void positions(double[] out) {
        sim.positions(out);
    }

    @Override
    public void velocities(double[] out) {
        sim.velocities(out);
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
        ByteBuffer b = ByteBuffer.allocate(physics.length + perturbedBytes(inFlight.length));
        b.put(physics);
        Perturbation p = perturbation;
        b.putDouble(p.kpScale()).putDouble(p.kdScale()).putDouble(p.motorStrength()).putInt(p.actionDelaySteps()).putDouble(p.frictionScale()).putDouble(p.massScale());
        b.putInt(inFlightHead);
        for (double[] c : inFlight) for (double v : c) b.putDouble(v);
        b.putInt(PERTURBED);
        return b.array();
    }

    /** Ends a perturbed snapshot ("PRTB"): told apart from a simulator's own (an ode4j one of an old run is longer than a joint-space one). */
    private static final int PERTURBED = 0x50525442;

    private int perturbedBytes(int slots) {
        return 5 * 8 + 4 + 4 + 8 * slots * actuated.length + 4;
    }

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
        if (state.length <= physics + 4 || ByteBuffer.wrap(state).getInt(state.length - 4) != PERTURBED) { // unperturbed (or an ode4j snapshot of an old run)
            sim.restore(state);
            perturb(Perturbation.NONE);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(state, physics, state.length - physics);
        Perturbation p = new Perturbation(b.getDouble(), b.getDouble(), b.getDouble(), b.getInt(), b.getDouble(), b.getDouble());
        if (state.length != physics + perturbedBytes(p.actionDelaySteps() + 1)) throw new IllegalArgumentException("simulator snapshot has the wrong size");
        sim.restore(Arrays.copyOf(state, physics));
        perturb(p);
        inFlightHead = b.getInt();
        for (double[] c : inFlight) for (int i = 0; i < c.length; i++) c[i] = b.getDouble();
    }

    @Override
    public void close() {
        sim.close();
    }
}
