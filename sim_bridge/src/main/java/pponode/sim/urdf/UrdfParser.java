package pponode.sim.urdf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads a URDF file (links with inertials; revolute, continuous, prismatic and fixed joints with
 * origin, axis, limit and dynamics). Every error names the file and the offending element.
 */
public final class UrdfParser {
    private UrdfParser() {}

    public static UrdfModel parse(Path file) throws IOException {
        return parse(file, MeshLocator.fromEnvironment());
    }

    /** {@code file}, its meshes found by {@code meshes}. */
    public static UrdfModel parse(Path file, MeshLocator meshes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file, meshes);
        } catch (NoSuchFileException e) {
            throw new IOException("URDF file not found: " + file, e);
        }
    }

    /** A URDF read from a stream; relative mesh paths resolve against {@code source}'s directory where that is a directory. */
    public static UrdfModel parse(InputStream in, Path source) throws IOException {
        return parse(in, source, MeshLocator.fromEnvironment());
    }

    private static UrdfModel parse(InputStream in, Path source, MeshLocator meshes) throws IOException {
        byte[] bytes = in.readAllBytes();
        UrdfModel m = parse(bytes, source, meshes);
        try {
            m.sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    private static UrdfModel parse(byte[] bytes, Path source, MeshLocator meshes) throws IOException {
        InputStream in = new ByteArrayInputStream(bytes);
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(in);
        } catch (SAXParseException e) {
            throw new UrdfException(source + ":" + e.getLineNumber() + ": malformed XML: " + e.getMessage());
        } catch (SAXException | ParserConfigurationException e) {
            throw new UrdfException(source + ": malformed XML: " + e.getMessage());
        }
        Element robot = doc.getDocumentElement();
        if (!robot.getTagName().equals("robot")) throw new UrdfException(source + ": root element is <" + robot.getTagName() + ">, expected <robot>");
        String name = robot.getAttribute("name");
        Map<String, UrdfModel.Link> links = new LinkedHashMap<>();
        Map<String, UrdfModel.Joint> joints = new LinkedHashMap<>();
        Path parent = source.toAbsolutePath().getParent();
        Path urdfDir = parent != null && Files.isDirectory(parent) ? parent : null;
        List<String> warnings = new ArrayList<>();
        for (Element e : children(robot, "link")) {
            UrdfModel.Link l = link(e, source, new MeshContext(meshes, urdfDir, warnings));
            if (links.put(l.name(), l) != null) throw new UrdfException(source + ": duplicate link '" + l.name() + "'");
        }
        for (Element e : children(robot, "joint")) {
            UrdfModel.Joint j = joint(e, source);
            if (joints.put(j.name(), j) != null) throw new UrdfException(source + ": duplicate joint '" + j.name() + "'");
        }
        if (links.isEmpty()) throw new UrdfException(source + ": robot '" + name + "' has no <link>");
        Set<String> children = new LinkedHashSet<>();
        for (UrdfModel.Joint j : joints.values()) {
            if (!links.containsKey(j.parent())) throw new UrdfException(source + ": joint '" + j.name() + "' names parent link '" + j.parent() + "', which does not exist");
            if (!links.containsKey(j.child())) throw new UrdfException(source + ": joint '" + j.name() + "' names child link '" + j.child() + "', which does not exist");
            if (!children.add(j.child())) throw new UrdfException(source + ": link '" + j.child() + "' is the child of more than one joint");
        }
        Set<String> roots = new LinkedHashSet<>(links.keySet());
        roots.removeAll(children);
        if (roots.size() != 1) throw new UrdfException(source + ": expected exactly one root link (a link that is no joint's child), found " + roots);
        String root = roots.iterator().next();
        // every link must hang from the root: a cycle would leave links unreachable
        Set<String> reached = new LinkedHashSet<>(Set.of(root));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (UrdfModel.Joint j : joints.values()) if (reached.contains(j.parent()) && reached.add(j.child())) grew = true;
        }
        if (reached.size() != links.size()) {
            Set<String> lost = new LinkedHashSet<>(links.keySet());
            lost.removeAll(reached);
            throw new UrdfException(source + ": links " + lost + " are not connected to the root '" + root + "' (cycle?)");
        }
        UrdfModel model = new UrdfModel(name, source, links, joints, root);
        model.warnings(warnings);
        return model;
    }

    /** Where meshes are found, and where what a user should know about them is noted. */
    private record MeshContext(MeshLocator locator, Path urdfDir, List<String> warnings) {}

    /** A collision mesh above this many triangles is worth a warning: collision meshes are usually simplified to hundreds or thousands. */
    static final int LARGE_MESH_TRIANGLES = 100_000;

    private static UrdfModel.Link link(Element e, Path src, MeshContext meshes) throws IOException {
        String name = required(e, "name", src, "<link>");
        List<Collision> collisions = new ArrayList<>();
        for (Element c : children(e, "collision")) collisions.add(collision(c, src, "link '" + name + "' <collision> " + collisions.size(), meshes));
        Element inertial = child(e, "inertial");
        if (inertial == null) return new UrdfModel.Link(name, 0, Pose.IDENTITY, new double[6], List.copyOf(collisions));
        String where = "link '" + name + "' <inertial>";
        Element mass = child(inertial, "mass");
        if (mass == null) throw new UrdfException(src + ": " + where + " has no <mass>");
        double m = number(mass, "value", src, where + " <mass>");
        if (!(m >= 0)) throw new UrdfException(src + ": " + where + " <mass value=\"" + m + "\"> must be >= 0");
        Element in = child(inertial, "inertia");
        double[] inertia = new double[6];
        if (in != null) {
            String[] k = {"ixx", "ixy", "ixz", "iyy", "iyz", "izz"};
            for (int i = 0; i < 6; i++) inertia[i] = number(in, k[i], src, where + " <inertia>");
            if (inertia[0] < 0 || inertia[3] < 0 || inertia[5] < 0) throw new UrdfException(src + ": " + where + " <inertia> has a negative diagonal");
            double[] principal = principalMoments(inertia);
            // a rigid body's principal moments obey the triangle inequality (I1 + I2 >= I3): mass lies at distances, not in negative space
            if (principal[1] + principal[2] < principal[0] * (1 - 1e-6) - 1e-12) {
                throw new UrdfException(src + ": " + where + " <inertia> has principal moments " + Arrays.toString(principal)
                        + ", which break the triangle inequality (the two smaller must sum to at least the largest): no rigid body has them");
            }
        } else if (m > 0) {
            throw new UrdfException(src + ": " + where + " has a mass but no <inertia>");
        }
        return new UrdfModel.Link(name, m, origin(inertial, src, where), inertia, List.copyOf(collisions));
    }

    /** The eigenvalues of the symmetric inertia tensor (ixx, ixy, ixz, iyy, iyz, izz), largest first (Smith's closed form). */
    static double[] principalMoments(double[] in) {
        double a = in[0], d = in[1], e = in[2], b = in[3], f = in[4], c = in[5];
        double p1 = d * d + e * e + f * f;
        double[] out;
        if (p1 == 0) {
            out = new double[] {a, b, c};
        } else {
            double q = (a + b + c) / 3;
            double p = Math.sqrt(((a - q) * (a - q) + (b - q) * (b - q) + (c - q) * (c - q) + 2 * p1) / 6);
            double ba = (a - q) / p, bb = (b - q) / p, bc = (c - q) / p, bd = d / p, be = e / p, bf = f / p;
            double r = (ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be)) / 2;
            double phi = Math.acos(Math.max(-1, Math.min(1, r))) / 3;
            double e1 = q + 2 * p * Math.cos(phi), e3 = q + 2 * p * Math.cos(phi + 2 * Math.PI / 3);
            out = new double[] {e1, 3 * q - e1 - e3, e3};
        }
        Arrays.sort(out);
        return new double[] {out[2], out[1], out[0]};
    }

    private static Collision collision(Element c, Path src, String where, MeshContext meshes) throws IOException {
        Element g = child(c, "geometry");
        if (g == null) throw new UrdfException(src + ": " + where + " has no <geometry>");
        Element shape = null;
        for (Node n = g.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element el) shape = el;
        if (shape == null) throw new UrdfException(src + ": " + where + " <geometry> is empty");
        String at = where + " <" + shape.getTagName() + ">";
        Geometry geometry = switch (shape.getTagName()) {
            case "box" -> {
                double[] size = vector(shape, "size", src, at, null);
                yield new Geometry.Box(positive(size[0], src, at + " size"), positive(size[1], src, at + " size"), positive(size[2], src, at + " size"));
            }
            case "sphere" -> new Geometry.Sphere(positive(number(shape, "radius", src, at), src, at + " radius"));
            case "cylinder" -> new Geometry.Cylinder(positive(number(shape, "radius", src, at), src, at + " radius"), positive(number(shape, "length", src, at), src, at + " length"));
            case "mesh" -> mesh(shape, src, at, meshes);
            default -> throw new UrdfException(src + ": " + where + " has geometry <" + shape.getTagName() + ">; supported: box, sphere, cylinder, mesh");
        };
        return new Collision(origin(c, src, where), geometry);
    }

    private static Geometry.Mesh mesh(Element shape, Path src, String at, MeshContext meshes) throws IOException {
        String uri = required(shape, "filename", src, at);
        double[] scale = vector(shape, "scale", src, at, new double[] {1, 1, 1});
        for (double s : scale) positive(s, src, at + " scale");
        MeshLocator.Located found = meshes.locator().locate(uri, meshes.urdfDir());
        if (found.file() == null) {
            String hint = uri.startsWith("package://") ? "; add the package's parent directory to PPO_NODE_PACKAGE_PATH" : "";
            String looked = found.tried().isEmpty() ? "searched " + found.searched() : "looked at " + found.tried() + "; searched " + found.searched();
            throw new UrdfException(src + ": " + at + " mesh '" + uri + "' not found (" + looked + ")" + hint);
        }
        try {
            Geometry.Mesh m = MeshFiles.read(found.file(), scale);
            int triangles = m.triangles().length / 3;
            if (triangles > LARGE_MESH_TRIANGLES) {
                meshes.warnings().add(src + ": " + at + " mesh '" + uri + "' has " + triangles + " triangles (" + m.vertexCount()
                        + " vertices): it is read, hulled and held in memory whole. Contacts use its convex hull (mesh_shape: convex_hull, the "
                        + "default); mesh_shape: triangles would test every triangle. A simplified collision mesh (a few thousand triangles) "
                        + "loads in a fraction of the time and memory");
            }
            return m;
        } catch (IOException e) {
            throw new UrdfException(src + ": " + at + " mesh '" + uri + "': " + e.getMessage());
        }
    }

    private static double positive(double v, Path src, String where) {
        if (!(v > 0)) throw new UrdfException(src + ": " + where + " must be > 0, got " + v);
        return v;
    }

    private static UrdfModel.Joint joint(Element e, Path src) {
        String name = required(e, "name", src, "<joint>");
        String where = "joint '" + name + "'";
        String t = required(e, "type", src, where);
        UrdfModel.JointType type = switch (t) {
            case "revolute" -> UrdfModel.JointType.REVOLUTE;
            case "continuous" -> UrdfModel.JointType.CONTINUOUS;
            case "prismatic" -> UrdfModel.JointType.PRISMATIC;
            case "fixed" -> UrdfModel.JointType.FIXED;
            default -> throw new UrdfException(src + ": " + where + " has type '" + t + "'; supported: revolute, continuous, prismatic, fixed");
        };
        Element parent = child(e, "parent"), childEl = child(e, "child");
        if (parent == null) throw new UrdfException(src + ": " + where + " has no <parent>");
        if (childEl == null) throw new UrdfException(src + ": " + where + " has no <child>");
        double[] axis = {1, 0, 0};
        Element ax = child(e, "axis");
        if (ax != null) axis = vector(ax, "xyz", src, where + " <axis>", null);
        double n = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        if (type.movable() && n < 1e-9) throw new UrdfException(src + ": " + where + " <axis> is zero");
        if (n > 0) axis = new double[] {axis[0] / n, axis[1] / n, axis[2] / n};
        double lower = Double.NEGATIVE_INFINITY, upper = Double.POSITIVE_INFINITY, effort = Double.POSITIVE_INFINITY, velocity = Double.POSITIVE_INFINITY;
        Element lim = child(e, "limit");
        if (lim != null) {
            effort = optional(lim, "effort", Double.POSITIVE_INFINITY, src, where + " <limit>");
            velocity = optional(lim, "velocity", Double.POSITIVE_INFINITY, src, where + " <limit>");
            if (type == UrdfModel.JointType.REVOLUTE || type == UrdfModel.JointType.PRISMATIC) {
                lower = optional(lim, "lower", 0, src, where + " <limit>");
                upper = optional(lim, "upper", 0, src, where + " <limit>");
                if (!(lower < upper)) throw new UrdfException(src + ": " + where + " <limit lower=\"" + lower + "\" upper=\"" + upper + "\">: lower must be below upper");
            }
            if (!(effort > 0) || !(velocity > 0)) throw new UrdfException(src + ": " + where + " <limit>: effort and velocity must be > 0");
        } else if (type == UrdfModel.JointType.REVOLUTE || type == UrdfModel.JointType.PRISMATIC) {
            throw new UrdfException(src + ": " + where + " is " + t + " but has no <limit> (required by URDF)");
        }
        double damping = 0, friction = 0;
        Element dyn = child(e, "dynamics");
        if (dyn != null) {
            damping = optional(dyn, "damping", 0, src, where + " <dynamics>");
            friction = optional(dyn, "friction", 0, src, where + " <dynamics>");
            if (damping < 0 || friction < 0) throw new UrdfException(src + ": " + where + " <dynamics>: damping and friction must be >= 0");
        }
        return new UrdfModel.Joint(name, type, required(parent, "link", src, where + " <parent>"), required(childEl, "link", src, where + " <child>"),
                origin(e, src, where), axis, lower, upper, effort, velocity, damping, friction);
    }

    private static Pose origin(Element e, Path src, String where) {
        Element o = child(e, "origin");
        if (o == null) return Pose.IDENTITY;
        return Pose.fromXyzRpy(vector(o, "xyz", src, where + " <origin>", new double[3]), vector(o, "rpy", src, where + " <origin>", new double[3]));
    }

    private static double[] vector(Element e, String attr, Path src, String where, double[] dflt) {
        if (!e.hasAttribute(attr)) {
            if (dflt != null) return dflt;
            throw new UrdfException(src + ": " + where + " needs attribute '" + attr + "'");
        }
        String[] parts = e.getAttribute(attr).trim().split("\\s+");
        if (parts.length != 3) throw new UrdfException(src + ": " + where + " " + attr + "=\"" + e.getAttribute(attr) + "\" needs 3 numbers");
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) v[i] = parse(parts[i], src, where + " " + attr);
        return v;
    }

    private static double number(Element e, String attr, Path src, String where) {
        if (!e.hasAttribute(attr)) throw new UrdfException(src + ": " + where + " needs attribute '" + attr + "'");
        return parse(e.getAttribute(attr), src, where + " " + attr);
    }

    private static double optional(Element e, String attr, double dflt, Path src, String where) {
        return e.hasAttribute(attr) ? parse(e.getAttribute(attr), src, where + " " + attr) : dflt;
    }

    private static double parse(String s, Path src, String where) {
        try {
            double d = Double.parseDouble(s.trim());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException ex) {
            throw new UrdfException(src + ": " + where + " is not a finite number: '" + s + "'");
        }
    }

    private static String required(Element e, String attr, Path src, String where) {
        String v = e.getAttribute(attr);
        if (v.isEmpty()) throw new UrdfException(src + ": " + where + " needs attribute '" + attr + "'");
        return v;
    }

    private static Element child(Element e, String tag) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) return c;
        }
        return null;
    }

    private static List<Element> children(Element e, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = e.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            if (nl.item(i) instanceof Element c && c.getTagName().equals(tag)) out.add(c);
        }
        return out;
    }

    /** A URDF problem; the message names the file and element. */
    public static final class UrdfException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UrdfException(String msg) {
            super(msg);
        }
    }
}
