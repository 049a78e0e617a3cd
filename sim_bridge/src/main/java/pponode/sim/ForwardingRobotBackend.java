package pponode.sim;

import java.util.List;

/**
 * A robot backend that hands every call to another: a wrapper (a timer, a recorder) overrides
 * only what it adds to, and cannot drop a capability of the robot it wraps (randomization,
 * pushes, snapshots, contacts, efforts) by forgetting to forward it.
 */
public abstract class ForwardingRobotBackend implements RobotBackend {
    protected final RobotBackend inner;

    protected ForwardingRobotBackend(RobotBackend inner) {
        this.inner = inner;
    }

    @Override
    public List<String> joints() {
        return inner.joints();
    }

    @Override
    public void reset(double[] q0, double[] qd0) {
        inner.reset(q0, qd0);
    }

    @Override
    public void reset(double[] q0, double[] qd0, BaseState base0) {
        inner.reset(q0, qd0, base0);
    }

    @Override
    public boolean step(double[] commands) {
        return inner.step(commands);
    }

    @Override
    public void positions(double[] out) {
        inner.positions(out);
    }

    @Override
    public void velocities(double[] out) {
        inner.velocities(out);
    }

    @Override
    public void linkPosition(String link, double[] out) {
        inner.linkPosition(link, out);
    }

    @Override
    public void baseState(BaseState out) {
        inner.baseState(out);
    }

    @Override
    public boolean reportsContacts() {
        return inner.reportsContacts();
    }

    @Override
    public void contactForce(String link, double[] out) {
        inner.contactForce(link, out);
    }

    @Override
    public boolean reportsEfforts() {
        return inner.reportsEfforts();
    }

    @Override
    public void efforts(double[] out) {
        inner.efforts(out);
    }

    @Override
    public double[] target() {
        return inner.target();
    }

    @Override
    public boolean perturbable() {
        return inner.perturbable();
    }

    @Override
    public void perturb(Perturbation p) {
        inner.perturb(p);
    }

    @Override
    public void push(double[] dv) {
        inner.push(dv);
    }

    @Override
    public boolean supportsSnapshot() {
        return inner.supportsSnapshot();
    }

    @Override
    public byte[] snapshot() {
        return inner.snapshot();
    }

    @Override
    public void restore(byte[] state) {
        inner.restore(state);
    }

    @Override
    public void close() {
        inner.close();
    }
}
