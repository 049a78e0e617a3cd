package pponode.sim.urdf;

/**
 * A rigid transform: rotation (row-major 3×3) and translation. Immutable; composition with
 * {@link #then(Pose)} maps child coordinates into this pose's parent coordinates.
 */
public record Pose(double[] r, double[] p) {
    public static final Pose IDENTITY = new Pose(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, new double[3]);

    /** URDF's origin: translation xyz, fixed-axis roll-pitch-yaw, R = Rz(yaw)·Ry(pitch)·Rx(roll). */
    public static Pose fromXyzRpy(double[] xyz, double[] rpy) {
        double cr = Math.cos(rpy[0]), sr = Math.sin(rpy[0]);
        double cp = Math.cos(rpy[1]), sp = Math.sin(rpy[1]);
        double cy = Math.cos(rpy[2]), sy = Math.sin(rpy[2]);
        double[] r = {
            cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr,
            sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr,
            -sp, cp * sr, cp * cr};
        return new Pose(r, xyz.clone());
    }

    /** Rotation by {@code angle} about the unit {@code axis} (Rodrigues). */
    public static Pose rotation(double[] axis, double angle) {
        double x = axis[0], y = axis[1], z = axis[2];
        double c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
        return new Pose(new double[] {
            t * x * x + c, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c}, new double[3]);
    }

    public static Pose translation(double x, double y, double z) {
        return new Pose(IDENTITY.r, new double[] {x, y, z});
    }

    /** this ∘ child: a point in child coordinates, expressed in this pose's parent coordinates. */
    public Pose then(Pose child) {
        double[] rr = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                rr[3 * i + j] = r[3 * i] * child.r[j] + r[3 * i + 1] * child.r[3 + j] + r[3 * i + 2] * child.r[6 + j];
            }
        }
        return new Pose(rr, apply(child.p));
    }

    /** Transforms a point. */
    public double[] apply(double[] v) {
        double[] o = rotate(v);
        o[0] += p[0];
        o[1] += p[1];
        o[2] += p[2];
        return o;
    }

    /** Rotates a vector. */
    public double[] rotate(double[] v) {
        return new double[] {
            r[0] * v[0] + r[1] * v[1] + r[2] * v[2],
            r[3] * v[0] + r[4] * v[1] + r[5] * v[2],
            r[6] * v[0] + r[7] * v[1] + r[8] * v[2]};
    }

    /** The inverse transform: maps this pose's parent coordinates back into its own. */
    public Pose inverse() {
        double[] t = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
        double[] ip = {
            -(t[0] * p[0] + t[1] * p[1] + t[2] * p[2]),
            -(t[3] * p[0] + t[4] * p[1] + t[5] * p[2]),
            -(t[6] * p[0] + t[7] * p[1] + t[8] * p[2])};
        return new Pose(t, ip);
    }
}
