package pponode.sim.embedded;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import pponode.sim.BackendSpec;
import pponode.sim.BaseState;
import pponode.sim.RobotBackend;
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
    private final int decimation;
    private final boolean contacts;
    /** The state before the current control period (robots with contacts), to undo one that diverged. */
    private final byte[] before;
    private final Map<String, Integer> linkIndex = new HashMap<>();

    public EmbeddedBackend(BackendSpec spec) {
        contacts = spec.contact() != null;
        sim = simulator(spec);
        before = contacts ? new byte[sim.snapshotSize()] : null;
        commandInterface = spec.commandInterface();
        actuated = spec.actuatedJoints().stream().mapToInt(sim::jointIndex).toArray();
        kp = spec.kp();
        kd = spec.kd();
        decimation = spec.decimation();
        tau = new double[sim.dof()];
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
    }

    @Override
    public void reset(double[] q0, double[] qd0, BaseState base0) {
        sim.setState(q0, qd0, new Pose(ArticulatedSimulator.rotationOf(base0.orientation), base0.position.clone()), base0.linearVelocity, base0.angularVelocity);
        Arrays.fill(tau, 0);
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
        for (int k = 0; k < decimation; k++) {
            Arrays.fill(tau, 0);
            for (int i = 0; i < actuated.length; i++) {
                int j = actuated[i];
                double e = switch (commandInterface) {
                    case "position" -> kp[i] * (commands[i] - sim.position(j)) - kd[i] * sim.velocity(j);
                    case "velocity" -> kd[i] * (commands[i] - sim.velocity(j));
                    default -> commands[i];
                };
                tau[j] = Math.max(-sim.effortLimit(j), Math.min(sim.effortLimit(j), e));
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

    @Override
    public byte[] snapshot() {
        return sim.snapshot();
    }

    @Override
    public void restore(byte[] state) {
        sim.restore(state);
    }

    @Override
    public void close() {
        sim.close();
    }
}
