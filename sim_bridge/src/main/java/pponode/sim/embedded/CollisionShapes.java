package pponode.sim.embedded;

import com.github.quickhull3d.Point3d;
import com.github.quickhull3d.QuickHull3D;
import org.ode4j.ode.DGeom;
import org.ode4j.ode.DSpace;
import org.ode4j.ode.DTriMeshData;
import org.ode4j.ode.OdeHelper;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Geometry;

/** ODE geoms for URDF collision shapes: primitives as themselves, meshes as convex hulls or triangle meshes. */
final class CollisionShapes {
    private CollisionShapes() {}

    static DGeom create(DSpace space, Geometry g, ContactSettings.MeshShape meshShape) {
        if (g instanceof Geometry.Box b) return OdeHelper.createBox(space, b.x(), b.y(), b.z());
        if (g instanceof Geometry.Sphere s) return OdeHelper.createSphere(space, s.radius());
        if (g instanceof Geometry.Cylinder c) return OdeHelper.createCylinder(space, c.radius(), c.length());
        Geometry.Mesh m = (Geometry.Mesh) g;
        return meshShape == ContactSettings.MeshShape.TRIANGLES ? triangles(space, m) : convexHull(space, m);
    }

    private static DGeom triangles(DSpace space, Geometry.Mesh m) {
        float[] v = new float[m.vertices().length];
        for (int i = 0; i < v.length; i++) v[i] = (float) m.vertices()[i];
        DTriMeshData data = OdeHelper.createTriMeshData();
        data.build(v, m.triangles().clone());
        return OdeHelper.createTriMesh(space, data, null, null, null);
    }

    /**
     * The mesh's convex hull (QuickHull3D) as ODE's convex: its faces as planes (outward normal,
     * offset) and as polygons over the hull's vertices.
     */
    static DGeom convexHull(DSpace space, Geometry.Mesh m) {
        Hull h = hull(m);
        return OdeHelper.createConvex(space, h.planes, h.faces(), h.points, h.points.length / 3, h.polygons);
    }

    /** A convex hull in ODE's layout: planes (nx, ny, nz, d per face), points (x, y, z), polygons (count, indices… per face). */
    record Hull(double[] planes, double[] points, int[] polygons) {
        int faces() {
            return planes.length / 4;
        }
    }

    static Hull hull(Geometry.Mesh m) {
        if (m.vertexCount() < 4) throw new IllegalArgumentException(m.file() + ": a convex hull needs at least 4 points, the mesh has " + m.vertexCount());
        QuickHull3D q = new QuickHull3D();
        try {
            q.build(m.vertices());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(m.file() + ": the mesh has no volume (its points are coplanar or collinear), so it has no convex hull to collide with");
        }
        q.triangulate(); // triangles keep every face exactly planar, whatever merging the hull did
        Point3d[] pts = q.getVertices();
        int[][] faces = q.getFaces(); // indices into the hull's vertices, counter-clockwise seen from outside (POINT_RELATIVE would index the input points)
        double[] points = new double[3 * pts.length];
        for (int i = 0; i < pts.length; i++) {
            points[3 * i] = pts[i].x;
            points[3 * i + 1] = pts[i].y;
            points[3 * i + 2] = pts[i].z;
        }
        double[] planes = new double[4 * faces.length];
        int size = 0;
        for (int[] f : faces) size += 1 + f.length;
        int[] polygons = new int[size];
        int k = 0;
        for (int i = 0; i < faces.length; i++) {
            int[] f = faces[i];
            double[] a = pts(points, f[0]), b = pts(points, f[1]), c = pts(points, f[2]);
            double ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2], vx = c[0] - a[0], vy = c[1] - a[1], vz = c[2] - a[2];
            double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx, n = Math.sqrt(nx * nx + ny * ny + nz * nz);
            planes[4 * i] = nx / n;
            planes[4 * i + 1] = ny / n;
            planes[4 * i + 2] = nz / n;
            planes[4 * i + 3] = (nx * a[0] + ny * a[1] + nz * a[2]) / n;
            polygons[k++] = f.length;
            for (int idx : f) polygons[k++] = idx;
        }
        return new Hull(planes, points, polygons);
    }

    private static double[] pts(double[] p, int i) {
        return new double[] {p[3 * i], p[3 * i + 1], p[3 * i + 2]};
    }
}
