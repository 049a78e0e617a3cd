package pponode.sim.embedded;

import java.util.List;
import pponode.sim.urdf.UrdfModel;

/**
 * What each movable joint's motor does with a commanded effort, the same in every embedded
 * simulator: clamped to the URDF effort limit, shaped by its velocity limit, less URDF damping and
 * (smoothed) Coulomb friction. Joints in simulator order.
 */
final class JointDrives {
    private final List<UrdfModel.Joint> joints;
    private final double[] effortLimit, velocityLimit, damping, friction;
    /** Added to every joint's damping and friction (a randomized episode's). */
    private double addedDamping, addedFriction;

    JointDrives(List<UrdfModel.Joint> joints) {
        this.joints = List.copyOf(joints);
        int n = joints.size();
        effortLimit = new double[n];
        velocityLimit = new double[n];
        damping = new double[n];
        friction = new double[n];
        for (int i = 0; i < n; i++) {
            UrdfModel.Joint j = joints.get(i);
            effortLimit[i] = j.effort();
            velocityLimit[i] = j.velocity();
            damping[i] = j.damping();
            friction[i] = j.friction();
        }
    }

    double effortLimit(int i) {
        return effortLimit[i];
    }

    double velocityLimit(int i) {
        return velocityLimit[i];
    }

    void add(double damping, double friction) {
        addedDamping = damping;
        addedFriction = friction;
    }

    /** The effort joint {@code i} applies when commanded {@code effort} while moving at {@code velocity}. */
    double applied(int i, double effort, double velocity) {
        if (!Double.isFinite(effort)) throw new IllegalArgumentException("effort for joint '" + joints.get(i).name() + "' is " + effort);
        double e = Math.max(-effortLimit[i], Math.min(effortLimit[i], effort));
        e = limitBySpeed(e, velocity, velocityLimit[i], effortLimit[i]);
        e -= (damping[i] + addedDamping) * velocity;
        double f = friction[i] + addedFriction;
        if (f > 0) e -= f * Math.tanh(velocity / 1e-3); // smoothed Coulomb friction
        return e;
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
}
