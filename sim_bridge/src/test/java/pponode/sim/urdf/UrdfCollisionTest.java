package pponode.sim.urdf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URDF collision elements: primitives, STL and OBJ meshes, and where mesh files are looked for. */
public class UrdfCollisionTest {
    @TempDir
    Path dir;

    /** The 12 triangles of an axis-aligned cube of edge {@code s} centred on the origin. */
    public static double[][][] cube(double s) {
        double h = s / 2;
        double[][] v = new double[8][];
        for (int i = 0; i < 8; i++) v[i] = new double[] {(i & 1) == 0 ? -h : h, (i & 2) == 0 ? -h : h, (i & 4) == 0 ? -h : h};
        int[][] quads = {{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4}, {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}};
        double[][][] t = new double[12][][];
        for (int q = 0; q < 6; q++) {
            int[] f = quads[q];
            t[2 * q] = new double[][] {v[f[0]], v[f[1]], v[f[2]]};
            t[2 * q + 1] = new double[][] {v[f[0]], v[f[2]], v[f[3]]};
        }
        return t;
    }

    public static void binaryStl(Path f, double[][][] tris) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(84 + 50 * tris.length).order(ByteOrder.LITTLE_ENDIAN);
        b.position(80);
        b.putInt(tris.length);
        for (double[][] t : tris) {
            b.putFloat(0).putFloat(0).putFloat(0);
            for (double[] p : t) b.putFloat((float) p[0]).putFloat((float) p[1]).putFloat((float) p[2]);
            b.putShort((short) 0);
        }
        Files.write(f, b.array());
    }

    static void asciiStl(Path f, double[][][] tris) throws IOException {
        StringBuilder s = new StringBuilder("solid cube\n");
        for (double[][] t : tris) {
            s.append(" facet normal 0 0 0\n  outer loop\n");
            for (double[] p : t) s.append("   vertex ").append(p[0]).append(' ').append(p[1]).append(' ').append(p[2]).append('\n');
            s.append("  endloop\n endfacet\n");
        }
        Files.writeString(f, s.append("endsolid cube\n"));
    }

    /** A cube as OBJ quads with texture and normal indices, and one face by negative (relative) indices. */
    static void obj(Path f, double s) throws IOException {
        double h = s / 2;
        StringBuilder o = new StringBuilder("# cube\nmtllib none.mtl\n");
        for (int i = 0; i < 8; i++) o.append("v ").append((i & 1) == 0 ? -h : h).append(' ').append((i & 2) == 0 ? -h : h).append(' ').append((i & 4) == 0 ? -h : h).append('\n');
        o.append("vn 0 0 1\nf 1//1 3//1 4//1 2//1\nf 5/1/1 6/1/1 8/1/1 7/1/1\nf 1 2 6 5\nf 3 7 8 4\nf 1 5 7 3\nf -7 -5 -1 -3\n");
        Files.writeString(f, o);
    }

    private Path urdf(String collisions) throws IOException {
        Path f = dir.resolve("robot_description/urdf/robot.urdf");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "<robot name='r'><link name='base'><inertial><mass value='1'/><inertia ixx='1e-3' ixy='0' ixz='0' iyy='1e-3' iyz='0' izz='1e-3'/></inertial>"
                + collisions + "</link></robot>");
        return f;
    }

    @Test
    void primitivesAndMeshesAreReadWithTheirOrigins() throws IOException {
        Path meshes = Files.createDirectories(dir.resolve("robot_description/meshes"));
        binaryStl(meshes.resolve("binary.stl"), cube(0.2));
        asciiStl(meshes.resolve("ascii.STL"), cube(0.2));
        obj(meshes.resolve("cube.obj"), 0.2);
        Path f = urdf("<collision><origin xyz='0 0 0.5' rpy='0 0 0'/><geometry><box size='0.1 0.2 0.3'/></geometry></collision>"
                + "<collision><geometry><sphere radius='0.05'/></geometry></collision>"
                + "<collision><geometry><cylinder radius='0.04' length='0.3'/></geometry></collision>"
                + "<collision><geometry><mesh filename='../meshes/binary.stl' scale='2 2 2'/></geometry></collision>"
                + "<collision><geometry><mesh filename='package://robot_description/meshes/ascii.STL'/></geometry></collision>"
                + "<collision><geometry><mesh filename='file://" + meshes.resolve("cube.obj") + "'/></geometry></collision>");
        UrdfModel m = UrdfParser.parse(f, new MeshLocator(Map.of()));
        List<Collision> c = m.link("base").collisions();
        assertEquals(6, c.size());
        assertEquals(new Geometry.Box(0.1, 0.2, 0.3), c.get(0).geometry());
        assertEquals(0.5, c.get(0).origin().p()[2]);
        assertEquals(new Geometry.Sphere(0.05), c.get(1).geometry());
        assertEquals(new Geometry.Cylinder(0.04, 0.3), c.get(2).geometry());
        for (int k = 3; k < 6; k++) {
            Geometry.Mesh mesh = (Geometry.Mesh) c.get(k).geometry();
            assertEquals(8, mesh.vertexCount(), mesh.file() + ": shared corners are merged");
            assertEquals(36, mesh.triangles().length, mesh.file() + ": 12 triangles");
            double max = 0;
            for (double v : mesh.vertices()) max = Math.max(max, Math.abs(v));
            assertEquals(k == 3 ? 0.2 : 0.1, max, 1e-7, mesh.file() + ": scaled");
        }
    }

    @Test
    void packageUrisAreFoundOnTheSearchPathInOrder() throws IOException {
        Path first = Files.createDirectories(dir.resolve("overlay/robot_description/meshes"));
        Path installed = Files.createDirectories(dir.resolve("install/share/robot_description/meshes"));
        binaryStl(first.resolve("part.stl"), cube(0.1));
        binaryStl(installed.resolve("part.stl"), cube(0.1));
        binaryStl(installed.resolve("only_installed.stl"), cube(0.1));
        Path f = urdf("");
        MeshLocator both = new MeshLocator(Map.of("PPO_NODE_PACKAGE_PATH", dir.resolve("overlay").toString(), "AMENT_PREFIX_PATH", dir.resolve("install").toString()));
        assertEquals(first.resolve("part.stl"), both.locate("package://robot_description/meshes/part.stl", f.getParent()).file());
        assertEquals(installed.resolve("only_installed.stl"), both.locate("package://robot_description/meshes/only_installed.stl", f.getParent()).file());
        MeshLocator none = new MeshLocator(Map.of());
        Files.createDirectories(dir.resolve("robot_description/meshes"));
        binaryStl(dir.resolve("robot_description/meshes/part.stl"), cube(0.1));
        assertEquals(dir.resolve("robot_description/meshes/part.stl"), none.locate("package://robot_description/meshes/part.stl", f.getParent()).file(),
                "a package directory above the URDF");
    }

    @Test
    void aMissingOrBrokenMeshIsAnErrorNamingTheLinkAndThePath() throws IOException {
        Path f = urdf("<collision><geometry><mesh filename='package://robot_description/meshes/gone.stl'/></geometry></collision>");
        Exception e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(f, new MeshLocator(Map.of())));
        assertTrue(e.getMessage().contains("link 'base'") && e.getMessage().contains("package://robot_description/meshes/gone.stl")
                && e.getMessage().contains("robot_description/meshes/gone.stl]") && e.getMessage().contains(f.toString()), e.getMessage());
        Path g = urdf("<collision><geometry><mesh filename='part.stl'/></geometry></collision>");
        e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(g, new MeshLocator(Map.of())));
        assertTrue(e.getMessage().contains("link 'base'") && e.getMessage().contains(g.getParent().resolve("part.stl").toString()), e.getMessage());
        Files.writeString(g.getParent().resolve("part.stl"), "not a mesh");
        e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(g, new MeshLocator(Map.of())));
        assertTrue(e.getMessage().contains("link 'base'") && e.getMessage().contains("part.stl") && e.getMessage().contains("STL"), e.getMessage());
        Path h = urdf("<collision><geometry><capsule radius='1' length='2'/></geometry></collision>");
        e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(h, new MeshLocator(Map.of())));
        assertTrue(e.getMessage().contains("<capsule>") && e.getMessage().contains("supported"), e.getMessage());
        Path k = urdf("<collision><geometry><box size='0.1 0 0.1'/></geometry></collision>");
        e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(k, new MeshLocator(Map.of())));
        assertTrue(e.getMessage().contains("link 'base'") && e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void aPackageNoDirectoryHoldsIsReportedWithWhereTheSearchWent() throws IOException {
        Path f = urdf("<collision><geometry><mesh filename='package://other_description/meshes/gone.stl'/></geometry></collision>");
        Exception e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(f, new MeshLocator(Map.of("ROS_PACKAGE_PATH", "/opt/ws/src"))));
        String m = e.getMessage();
        assertFalse(m.contains("[]"), m);
        assertTrue(m.contains("looked at [/opt/ws/src/other_description/meshes/gone.stl]") && m.contains("PPO_NODE_PACKAGE_PATH (unset)")
                && m.contains("ROS_PACKAGE_PATH=/opt/ws/src") && m.contains("AMENT_PREFIX_PATH (unset)")
                && m.contains("a directory named 'other_description' at " + f.getParent() + " or above it (none)"), m);
        Exception bare = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(f, new MeshLocator(Map.of())));
        assertTrue(bare.getMessage().contains("(searched PPO_NODE_PACKAGE_PATH (unset)"), bare.getMessage());
    }

    @Test
    void aVeryLargeCollisionMeshLoadsWithAWarningThatSaysWhatToDo() throws IOException {
        int n = 260; // 2 × 260² = 135,200 triangles of a height field
        double[][][] tris = new double[2 * n * n][][];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double x0 = i * 1e-3, x1 = x0 + 1e-3, y0 = j * 1e-3, y1 = y0 + 1e-3;
                tris[k++] = new double[][] {{x0, y0, 0.01 * Math.sin(x0 * 50)}, {x1, y0, 0.01 * Math.sin(x1 * 50)}, {x1, y1, 0.01 * Math.sin(x1 * 50)}};
                tris[k++] = new double[][] {{x0, y0, 0.01 * Math.sin(x0 * 50)}, {x1, y1, 0.01 * Math.sin(x1 * 50)}, {x0, y1, 0.01 * Math.sin(x0 * 50)}};
            }
        }
        Path f = urdf("<collision><geometry><mesh filename='../meshes/terrain.stl'/></geometry></collision>");
        Files.createDirectories(f.getParent().resolveSibling("meshes"));
        binaryStl(f.getParent().resolveSibling("meshes/terrain.stl"), tris);
        UrdfModel m = UrdfParser.parse(f, new MeshLocator(Map.of()));
        assertEquals(1, m.warnings().size(), m.warnings().toString());
        String w = m.warnings().get(0);
        assertTrue(w.contains("link 'base'") && w.contains("135200 triangles") && w.contains("mesh_shape: convex_hull"), w);
        Path small = urdf("<collision><geometry><mesh filename='part.stl'/></geometry></collision>");
        binaryStl(small.getParent().resolve("part.stl"), cube(0.1));
        assertEquals(List.of(), UrdfParser.parse(small, new MeshLocator(Map.of())).warnings());
    }

    @Test
    void anInertiaNoRigidBodyHasIsRefused() throws IOException {
        Path f = dir.resolve("bad.urdf");
        Files.writeString(f, "<robot name='r'><link name='rod'><inertial><mass value='1'/><inertia ixx='1' ixy='0' ixz='0' iyy='1' iyz='0' izz='3'/></inertial></link></robot>");
        Exception e = assertThrows(UrdfParser.UrdfException.class, () -> UrdfParser.parse(f, new MeshLocator(Map.of())));
        assertTrue(e.getMessage().contains("link 'rod'") && e.getMessage().contains("triangle inequality") && e.getMessage().contains(f.toString()), e.getMessage());
        // a physical tensor in a rotated frame (principal 1, 2, 2.5, turned 30° about z) is accepted, and its moments found
        double c = Math.cos(Math.PI / 6), sn = Math.sin(Math.PI / 6);
        double ixx = c * c * 1 + sn * sn * 2, iyy = sn * sn * 1 + c * c * 2, ixy = c * sn * (1 - 2);
        Files.writeString(f, "<robot name='r'><link name='rod'><inertial><mass value='1'/><inertia ixx='" + ixx + "' ixy='" + ixy + "' ixz='0' iyy='" + iyy
                + "' iyz='0' izz='2.5'/></inertial></link></robot>");
        UrdfParser.parse(f, new MeshLocator(Map.of()));
        assertArrayEquals(new double[] {2.5, 2, 1}, UrdfParser.principalMoments(new double[] {ixx, ixy, 0, iyy, 0, 2.5}), 1e-12);
    }
}
