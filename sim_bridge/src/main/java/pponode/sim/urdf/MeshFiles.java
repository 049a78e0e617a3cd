package pponode.sim.urdf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the triangle meshes URDF collision elements name: STL (binary or ASCII) and Wavefront OBJ
 * (vertices and faces; polygons are fanned into triangles; normals, texture coordinates and
 * materials are ignored). Vertices shared by several triangles are merged, so a convex hull or a
 * triangle mesh sees each point once.
 */
public final class MeshFiles {
    private MeshFiles() {}

    /** The triangles of {@code file}, each coordinate multiplied by {@code scale} (x, y, z). */
    public static Geometry.Mesh read(Path file, double[] scale) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] bytes = Files.readAllBytes(file);
        Builder b = new Builder(scale);
        if (name.endsWith(".stl")) stl(bytes, file, b);
        else if (name.endsWith(".obj")) obj(new String(bytes, StandardCharsets.UTF_8), file, b);
        else throw new IOException(file + ": mesh format not supported (supported: .stl, .obj)");
        if (b.triangleCount == 0) throw new IOException(file + ": mesh has no triangles");
        return new Geometry.Mesh(file.toString(), Arrays.copyOf(b.vertices, 3 * b.vertexCount), Arrays.copyOf(b.triangles, 3 * b.triangleCount));
    }

    /** A binary STL is an 80-byte header, a triangle count and 50 bytes per triangle; anything else starting with "solid" is ASCII. */
    private static void stl(byte[] bytes, Path file, Builder b) throws IOException {
        if (bytes.length >= 84) {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long n = Integer.toUnsignedLong(buf.getInt(80));
            if (84 + 50 * n == bytes.length) {
                for (int t = 0; t < n; t++) {
                    int at = 84 + 50 * t + 12; // after the facet normal
                    int[] corner = new int[3];
                    for (int c = 0; c < 3; c++) corner[c] = b.vertex(buf.getFloat(at + 12 * c), buf.getFloat(at + 12 * c + 4), buf.getFloat(at + 12 * c + 8));
                    b.triangle(corner[0], corner[1], corner[2]);
                }
                return;
            }
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.stripLeading().startsWith("solid")) throw new IOException(file + ": neither a binary STL (size does not match its triangle count) nor an ASCII one");
        int[] corner = new int[3];
        int k = 0, line = 0;
        for (String raw : text.split("\n")) {
            line++;
            String[] w = raw.trim().split("\\s+");
            if (w[0].equals("vertex")) {
                if (w.length != 4 || k == 3) throw new IOException(file + ":" + line + ": malformed vertex line");
                corner[k++] = b.vertex(number(w[1], file, line), number(w[2], file, line), number(w[3], file, line));
            } else if (w[0].equals("endloop")) {
                if (k != 3) throw new IOException(file + ":" + line + ": a facet needs 3 vertices, got " + k);
                b.triangle(corner[0], corner[1], corner[2]);
                k = 0;
            }
        }
    }

    private static void obj(String text, Path file, Builder b) throws IOException {
        Map<Integer, Integer> fileToMerged = new HashMap<>();
        int count = 0, line = 0;
        for (String raw : text.split("\n")) {
            line++;
            String[] w = raw.trim().split("\\s+");
            if (w[0].equals("v")) {
                if (w.length < 4) throw new IOException(file + ":" + line + ": a vertex needs x y z");
                fileToMerged.put(++count, b.vertex(number(w[1], file, line), number(w[2], file, line), number(w[3], file, line)));
            } else if (w[0].equals("f")) {
                if (w.length < 4) throw new IOException(file + ":" + line + ": a face needs at least 3 vertices");
                int[] v = new int[w.length - 1];
                for (int i = 0; i < v.length; i++) {
                    String ref = w[i + 1].split("/")[0]; // v, v/vt, v//vn, v/vt/vn
                    int idx;
                    try {
                        idx = Integer.parseInt(ref);
                    } catch (NumberFormatException e) {
                        throw new IOException(file + ":" + line + ": face vertex '" + w[i + 1] + "' is not an index");
                    }
                    if (idx < 0) idx = count + 1 + idx; // relative to the vertices read so far
                    Integer merged = fileToMerged.get(idx);
                    if (merged == null) throw new IOException(file + ":" + line + ": face refers to vertex " + w[i + 1] + ", which is not defined before it");
                    v[i] = merged;
                }
                for (int i = 1; i + 1 < v.length; i++) b.triangle(v[0], v[i], v[i + 1]);
            }
        }
    }

    private static double number(String s, Path file, int line) throws IOException {
        try {
            double d = Double.parseDouble(s);
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(file + ":" + line + ": '" + s + "' is not a finite number");
    }

    private static final class Builder {
        final double[] scale;
        double[] vertices = new double[3 * 64];
        int[] triangles = new int[3 * 64];
        int vertexCount, triangleCount;
        final Map<String, Integer> seen = new HashMap<>();

        Builder(double[] scale) {
            this.scale = scale;
        }

        int vertex(double x, double y, double z) {
            double sx = x * scale[0], sy = y * scale[1], sz = z * scale[2];
            return seen.computeIfAbsent(sx + " " + sy + " " + sz, k -> {
                if (3 * vertexCount == vertices.length) vertices = Arrays.copyOf(vertices, 2 * vertices.length);
                vertices[3 * vertexCount] = sx;
                vertices[3 * vertexCount + 1] = sy;
                vertices[3 * vertexCount + 2] = sz;
                return vertexCount++;
            });
        }

        void triangle(int a, int b, int c) {
            if (a == b || b == c || a == c) return; // degenerate: collapsed by the merge
            if (3 * triangleCount == triangles.length) triangles = Arrays.copyOf(triangles, 2 * triangles.length);
            triangles[3 * triangleCount] = a;
            triangles[3 * triangleCount + 1] = b;
            triangles[3 * triangleCount + 2] = c;
            triangleCount++;
        }
    }
}
