package pponode.sim;

import java.util.Arrays;

/**
 * Where a robot's base (its URDF root link) is and how it moves, in the world frame: position (m),
 * orientation as a unit quaternion (w, x, y, z), linear (m/s) and angular (rad/s) velocity. A
 * backend fills it; the body-frame quantities locomotion terms need (projected gravity, base
 * velocities in the body frame) are derived here once.
 */
public final class BaseState {
    public final double[] position = new double[3];
    /** Unit quaternion w, x, y, z: rotates body-frame vectors into the world frame. */
    public final double[] orientation = {1, 0, 0, 0};
    public final double[] linearVelocity = new double[3];
    public final double[] angularVelocity = new double[3];

    /** A base welded to the world at the origin (every robot of a fixed-base URDF): at rest, upright. */
    public void setFixed() {
        Arrays.fill(position, 0);
        orientation[0] = 1;
        orientation[1] = orientation[2] = orientation[3] = 0;
        Arrays.fill(linearVelocity, 0);
        Arrays.fill(angularVelocity, 0);
    }

    public void copyFrom(BaseState o) {
        System.arraycopy(o.position, 0, position, 0, 3);
        System.arraycopy(o.orientation, 0, orientation, 0, 4);
        System.arraycopy(o.linearVelocity, 0, linearVelocity, 0, 3);
        System.arraycopy(o.angularVelocity, 0, angularVelocity, 0, 3);
    }

    /** {@code world} (a world-frame vector) in the body frame: the inverse rotation, q* v q. */
    public void toBody(double[] world, double[] out) {
        double w = orientation[0], x = -orientation[1], y = -orientation[2], z = -orientation[3];
        rotate(w, x, y, z, world[0], world[1], world[2], out);
    }

    /** {@code body} (a body-frame vector) in the world frame: q v q*. */
    public void toWorld(double[] body, double[] out) {
        rotate(orientation[0], orientation[1], orientation[2], orientation[3], body[0], body[1], body[2], out);
    }

    /** The unit gravity direction (world −z) seen from the body: (0, 0, −1) when upright. */
    public void projectedGravity(double[] out) {
        double w = orientation[0], x = -orientation[1], y = -orientation[2], z = -orientation[3];
        rotate(w, x, y, z, 0, 0, -1, out);
    }

    /** Rotates (vx, vy, vz) by the unit quaternion (w, x, y, z): v + 2w(u×v) + 2u×(u×v), u = (x, y, z). */
    private static void rotate(double w, double x, double y, double z, double vx, double vy, double vz, double[] out) {
        double tx = 2 * (y * vz - z * vy), ty = 2 * (z * vx - x * vz), tz = 2 * (x * vy - y * vx);
        out[0] = vx + w * tx + (y * tz - z * ty);
        out[1] = vy + w * ty + (z * tx - x * tz);
        out[2] = vz + w * tz + (x * ty - y * tx);
    }
}
