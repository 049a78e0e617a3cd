package pponode.sim.urdf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed URDF robot: links, joints, the kinematic tree, and forward kinematics. */
public final class UrdfModel {

    public enum JointType {
        REVOLUTE, CONTINUOUS, PRISMATIC, FIXED;

        public boolean movable() {
            return this != FIXED;
        }
    }

    /**
     * {@code inertia} = {ixx, ixy, ixz, iyy, iyz, izz} about the centre of mass, in the inertial
     * frame; {@code collisions} are the link's {@code <collision>} shapes (none: it touches nothing).
     */
    public record Link(String name, double mass, Pose inertialOrigin, double[] inertia, List<Collision> collisions) {
        public boolean hasMass() {
            return mass > 0;
        }
    }

    /** Limits: position (lower, upper; ±∞ for continuous), effort and velocity (∞ when absent). */
    public record Joint(String name, JointType type, String parent, String child, Pose origin, double[] axis,
                        double lower, double upper, double effort, double velocity, double damping, double friction) {}

    private final String name;
    private final Path source;
    private final Map<String, Link> links;
    private final Map<String, Joint> joints;
    private final String root;
    private final Map<String, Joint> jointByChild = new LinkedHashMap<>();
    private String sha256 = "";
    private List<String> warnings = List.of();

    UrdfModel(String name, Path source, Map<String, Link> links, Map<String, Joint> joints, String root) {
        this.name = name;
        this.source = source;
        this.links = links;
        this.joints = joints;
        this.root = root;
        for (Joint j : joints.values()) jointByChild.put(j.child(), j);
    }

    public String name() {
        return name;
    }

    public Path source() {
        return source;
    }

    /** SHA-256 of the URDF file's bytes, recorded in exported policies. */
    public String sha256() {
        return sha256;
    }

    void sha256(String s) {
        sha256 = s;
    }

    /** What the loader noticed that a user should know but that does not stop the robot loading (e.g. a very large collision mesh). */
    public List<String> warnings() {
        return warnings;
    }

    void warnings(List<String> w) {
        warnings = List.copyOf(w);
    }

    public String root() {
        return root;
    }

    public Link link(String n) {
        Link l = links.get(n);
        if (l == null) throw new IllegalArgumentException(source + ": robot '" + name + "' has no link '" + n + "'; links: " + links.keySet());
        return l;
    }

    public Joint joint(String n) {
        Joint j = joints.get(n);
        if (j == null) throw new IllegalArgumentException(source + ": robot '" + name + "' has no joint '" + n + "'; joints: " + joints.keySet());
        return j;
    }

    public List<Link> links() {
        return List.copyOf(links.values());
    }

    public List<Joint> joints() {
        return List.copyOf(joints.values());
    }

    /** Movable joints (revolute, continuous, prismatic) in file order: the simulator's joint order. */
    public List<Joint> movableJoints() {
        List<Joint> out = new ArrayList<>();
        for (Joint j : joints.values()) if (j.type().movable()) out.add(j);
        return out;
    }

    /** The joint whose child is {@code link}, or null for the root. */
    public Joint parentJoint(String link) {
        return jointByChild.get(link);
    }

    /** Total mass of the links. */
    public double totalMass() {
        return links.values().stream().mapToDouble(Link::mass).sum();
    }

    /**
     * World pose of every link for joint positions {@code q} given by movable-joint name (missing
     * names are 0), with the root at the identity.
     */
    public Map<String, Pose> forwardKinematics(Map<String, Double> q) {
        Map<String, Pose> out = new LinkedHashMap<>();
        out.put(root, Pose.IDENTITY);
        for (Joint j : joints.values()) pose(j.child(), q, out);
        return out;
    }

    private Pose pose(String link, Map<String, Double> q, Map<String, Pose> memo) {
        Pose p = memo.get(link);
        if (p != null) return p;
        Joint j = jointByChild.get(link);
        Pose parent = pose(j.parent(), q, memo);
        p = parent.then(jointTransform(j, q.getOrDefault(j.name(), 0.0)));
        memo.put(link, p);
        return p;
    }

    /**
     * The joints from the root to {@code link}, reading joint positions from arrays in
     * {@code jointOrder} (a robot's movable joints, say): the link's origin without allocating.
     */
    public Chain chain(String link, List<String> jointOrder) {
        link(link); // names an unknown link
        List<Joint> path = new ArrayList<>();
        for (String l = link; !l.equals(root); ) {
            Joint j = jointByChild.get(l);
            path.add(j);
            l = j.parent();
        }
        int[] qIndex = new int[path.size()];
        for (int k = 0; k < qIndex.length; k++) {
            Joint j = path.get(k);
            qIndex[k] = jointOrder.indexOf(j.name());
            if (qIndex[k] < 0 && j.type().movable()) {
                throw new IllegalArgumentException(source + ": joint '" + j.name() + "' moves link '" + link + "' but is not among the joints given " + jointOrder);
            }
        }
        return new Chain(path.toArray(Joint[]::new), qIndex);
    }

    /**
     * A kinematic chain, tip first. {@link #origin} is what a control loop needs every period (a
     * fingertip position), computed in place: {@link #forwardKinematics} builds a map of poses, and
     * at hundreds of Hz that garbage brings collector pauses into the control path.
     */
    public static final class Chain {
        private final Joint[] tipFirst;
        private final int[] qIndex; // where each joint's position is in the caller's array; -1: fixed

        private Chain(Joint[] tipFirst, int[] qIndex) {
            this.tipFirst = tipFirst;
            this.qIndex = qIndex;
        }

        /** The chain's joints, tip first. */
        public List<Joint> joints() {
            return List.of(tipFirst);
        }

        /** The link's origin in root coordinates, written into {@code out} (length 3); {@code q} in the chain's joint order. */
        public void origin(double[] q, double[] out) {
            double x = 0, y = 0, z = 0;
            for (int k = 0; k < tipFirst.length; k++) { // v ← jointTransform(j, q) · v, from the tip down
                Joint j = tipFirst[k];
                double qk = qIndex[k] < 0 ? 0 : q[qIndex[k]]; // fixed joints only: chain() refuses a missing movable one
                double[] a = j.axis();
                if (j.type() == JointType.REVOLUTE || j.type() == JointType.CONTINUOUS) { // Rodrigues
                    double c = Math.cos(qk), s = Math.sin(qk), d = (a[0] * x + a[1] * y + a[2] * z) * (1 - c);
                    double rx = x * c + (a[1] * z - a[2] * y) * s + a[0] * d;
                    double ry = y * c + (a[2] * x - a[0] * z) * s + a[1] * d;
                    double rz = z * c + (a[0] * y - a[1] * x) * s + a[2] * d;
                    x = rx;
                    y = ry;
                    z = rz;
                } else if (j.type() == JointType.PRISMATIC) {
                    x += a[0] * qk;
                    y += a[1] * qk;
                    z += a[2] * qk;
                }
                double[] r = j.origin().r(), p = j.origin().p();
                double ox = r[0] * x + r[1] * y + r[2] * z + p[0];
                double oy = r[3] * x + r[4] * y + r[5] * z + p[1];
                double oz = r[6] * x + r[7] * y + r[8] * z + p[2];
                x = ox;
                y = oy;
                z = oz;
            }
            out[0] = x;
            out[1] = y;
            out[2] = z;
        }
    }

    /** Parent-link → child-link transform of joint {@code j} at position {@code q}. */
    public static Pose jointTransform(Joint j, double q) {
        return switch (j.type()) {
            case FIXED -> j.origin();
            case REVOLUTE, CONTINUOUS -> j.origin().then(Pose.rotation(j.axis(), q));
            case PRISMATIC -> j.origin().then(Pose.translation(j.axis()[0] * q, j.axis()[1] * q, j.axis()[2] * q));
        };
    }
}
