package pponode.sim.embedded;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import pponode.sim.ContactSettings;
import pponode.sim.urdf.Collision;
import pponode.sim.urdf.Geometry;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;

/**
 * The ground contacts of {@link ArticulatedSimulator}: each link's collision shapes as the points
 * that can touch the plane z = 0 (a sphere's lowest point, a box's corners, points around a
 * cylinder's two rims, a mesh's vertices, whose lowest are its convex hull's), found before every
 * step, and the rows of the step's velocity problem for them, solved as ODE solves its contact
 * joints with {@code dContactApprox1}: a normal impulse that only pushes, with the error reduction
 * (ERP) of the depth past the surface layer, restitution above a threshold speed, and
 * constraint-force mixing; two tangent impulses each within μ times the normal one.
 */
final class GroundContacts {
    /** Contact points per shape, deepest first: a box resting on a face needs its four corners (ODE keeps at most eight per pair too). */
    private static final int MAX_PER_SHAPE = 8;
    /** Points around each rim of a cylinder. */
    private static final int RIM_POINTS = 8;
    /** ODE's surface layer (the ode4j simulator's {@code SURFACE_LAYER}) and bounce threshold. */
    private static final double SURFACE_LAYER = EmbeddedSimulator.SURFACE_LAYER, BOUNCE_VELOCITY = 1e-3;
    private static final double[] NORMAL = {0, 0, 1}, TANGENT_1 = {0, -1, 0}, TANGENT_2 = {1, 0, 0}; // ODE's dPlaneSpace of +z

    private final ContactSettings settings;
    private final List<String> linkNames = new ArrayList<>();
    /** Per shape: the body that carries it, its link (model order), the points to test in the body's frame, its surface. */
    private final int[] shapeBody, shapeLink;
    private final double[][] shapePoints;
    private final ContactSettings.Surface[] shapeSurface;
    private final double[] linkForce;
    private final Rows rows;
    private int points;
    /** The friction coefficients' scale (a randomized episode's); 1 as the task says. */
    double frictionScale = 1;
    /** Every contact's restitution for the episode; NaN: the surfaces' own. */
    double restitution = Double.NaN;
    private final double[] world = new double[3], depth, candidate;

    GroundContacts(UrdfModel model, ContactSettings settings, Map<String, Integer> linkBody, Map<String, Pose> linkOffset, int nv) {
        this.settings = settings;
        List<int[]> owners = new ArrayList<>();
        List<double[]> pts = new ArrayList<>();
        List<ContactSettings.Surface> surfaces = new ArrayList<>();
        for (UrdfModel.Link l : model.links()) {
            linkNames.add(l.name());
            for (Collision c : l.collisions()) {
                Pose shape = linkOffset.get(l.name()).then(c.origin());
                owners.add(new int[] {linkBody.get(l.name()), linkNames.size() - 1});
                pts.add(points(c.geometry(), shape));
                surfaces.add(settings.surfaceOf(l.name()));
            }
        }
        shapeBody = owners.stream().mapToInt(o -> o[0]).toArray();
        shapeLink = owners.stream().mapToInt(o -> o[1]).toArray();
        shapePoints = pts.toArray(new double[0][]);
        shapeSurface = surfaces.toArray(new ContactSettings.Surface[0]);
        linkForce = new double[3 * linkNames.size()];
        rows = new Rows(nv);
        int most = 1;
        for (double[] pt : shapePoints) most = Math.max(most, pt.length / 4);
        depth = new double[most];
        candidate = new double[3 * most];
    }

    /** The mesh's convex-hull vertices; all its vertices when it is flat (a hull needs a volume). */
    private static double[] hullPoints(Geometry.Mesh m) {
        try {
            return CollisionShapes.hull(m).points();
        } catch (IllegalArgumentException flat) {
            return m.vertices();
        }
    }

    /** The points of {@code g} that can be lowest against a plane, in the carrying body's frame. */
    private static double[] points(Geometry g, Pose shape) {
        List<double[]> local = new ArrayList<>();
        if (g instanceof Geometry.Sphere s) {
            local.add(new double[] {0, 0, 0, s.radius()}); // the centre; the radius is subtracted per step
        } else if (g instanceof Geometry.Box b) {
            for (int k = 0; k < 8; k++) {
                local.add(new double[] {((k & 1) == 0 ? -0.5 : 0.5) * b.x(), ((k & 2) == 0 ? -0.5 : 0.5) * b.y(), ((k & 4) == 0 ? -0.5 : 0.5) * b.z(), 0});
            }
        } else if (g instanceof Geometry.Cylinder c) {
            for (int cap = -1; cap <= 1; cap += 2) {
                for (int k = 0; k < RIM_POINTS; k++) {
                    double a = 2 * Math.PI * k / RIM_POINTS;
                    local.add(new double[] {c.radius() * Math.cos(a), c.radius() * Math.sin(a), cap * c.length() / 2, 0});
                }
            }
        } else if (g instanceof Geometry.Mesh m) {
            // only a vertex of the convex hull can be lowest against a plane: a fine mesh's other
            // vertices would multiply the work of every step (ODE collides with the same hull)
            double[] v = hullPoints(m);
            for (int k = 0; k < v.length / 3; k++) local.add(new double[] {v[3 * k], v[3 * k + 1], v[3 * k + 2], 0});
        }
        double[] out = new double[4 * local.size()];
        for (int k = 0; k < local.size(); k++) {
            double[] p = shape.apply(Arrays.copyOf(local.get(k), 3));
            System.arraycopy(p, 0, out, 4 * k, 3);
            out[4 * k + 3] = local.get(k)[3];
        }
        return out;
    }

    int linkIndex(String link) {
        int i = linkNames.indexOf(link);
        if (i < 0) throw new IllegalArgumentException("no link '" + link + "'; links: " + linkNames);
        return i;
    }

    void force(int link, double[] out) {
        out[0] = linkForce[3 * link];
        out[1] = linkForce[3 * link + 1];
        out[2] = linkForce[3 * link + 2];
    }

    int count() {
        return points;
    }

    Rows rows() {
        return rows;
    }

    /** Adds the rows of every point below the ground (at the poses of the step's start) to {@code rows}. */
    void collide(ArticulatedSimulator sim, Rows rows, double[] velocity, double dt) {
        points = 0;
        if (!settings.ground()) return;
        for (int s = 0; s < shapePoints.length; s++) {
            int b = shapeBody[s];
            if (!sim.moves(b)) continue;
            double[] r = sim.bodyRotation(b), p = sim.bodyPosition(b), local = shapePoints[s];
            int found = 0;
            for (int k = 0; k < local.length; k += 4) {
                double x = local[k], y = local[k + 1], z = local[k + 2], radius = local[k + 3];
                double wz = r[6] * x + r[7] * y + r[8] * z + p[2] - radius;
                if (!(wz < 0)) continue;
                depth[found] = -wz;
                candidate[3 * found] = r[0] * x + r[1] * y + r[2] * z + p[0];
                candidate[3 * found + 1] = r[3] * x + r[4] * y + r[5] * z + p[1];
                candidate[3 * found + 2] = wz;
                found++;
            }
            // the deepest MAX_PER_SHAPE first (selection: a handful of points)
            for (int c = 0; c < Math.min(found, MAX_PER_SHAPE); c++) {
                int deepest = c;
                for (int o = c + 1; o < found; o++) if (depth[o] > depth[deepest]) deepest = o;
                if (deepest != c) {
                    double t = depth[c];
                    depth[c] = depth[deepest];
                    depth[deepest] = t;
                    for (int a = 0; a < 3; a++) {
                        t = candidate[3 * c + a];
                        candidate[3 * c + a] = candidate[3 * deepest + a];
                        candidate[3 * deepest + a] = t;
                    }
                }
            }
            ContactSettings.Surface own = shapeSurface[s], ground = settings.surface();
            double mu = frictionScale * Math.min(own.friction(), ground.friction()), e = Double.isNaN(restitution) ? Math.max(own.restitution(), ground.restitution()) : restitution;
            for (int c = 0; c < Math.min(found, MAX_PER_SHAPE); c++) {
                world[0] = candidate[3 * c];
                world[1] = candidate[3 * c + 1];
                world[2] = candidate[3 * c + 2];
                int normal = rows.count();
                sim.pointJacobian(b, world, NORMAL, rows.add());
                double target = settings.erp() * Math.max(depth[c] - SURFACE_LAYER, 0) / dt;
                if (e > 0) {
                    double approach = dotRow(rows.jacobian(normal), velocity);
                    if (-approach > BOUNCE_VELOCITY) target = Math.max(target, -e * approach);
                }
                rows.setNormal(target, settings.cfm() / dt, shapeLink[s], NORMAL);
                sim.pointJacobian(b, world, TANGENT_1, rows.add());
                rows.setFriction(normal, mu, shapeLink[s], TANGENT_1);
                sim.pointJacobian(b, world, TANGENT_2, rows.add());
                rows.setFriction(normal, mu, shapeLink[s], TANGENT_2);
                points++;
            }
        }
    }

    private static double dotRow(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < b.length; k++) s += a[k] * b[k];
        return s;
    }

    /** No contact force on any link: a new state (reset, restore) has not touched anything yet. */
    void clearForces() {
        Arrays.fill(linkForce, 0);
    }

    /** Sums each contact row's impulse, as a force over the step, onto its link. */
    void readForces(Rows rows, double dt) {
        Arrays.fill(linkForce, 0);
        for (int r = 0; r < rows.count; r++) {
            int link = rows.link[r];
            if (link < 0) continue;
            double f = rows.impulse[r] / dt;
            double[] d = rows.direction[r];
            for (int a = 0; a < 3; a++) linkForce[3 * link + a] += f * d[a];
        }
    }

    /**
     * One step's constraint rows: Jacobian row, its response M⁻¹ Jᵀ, the Delassus diagonal, and
     * what bounds the impulse (a stop pushes one way, a normal only pushes, a tangent stays within
     * μ times its normal's impulse).
     */
    static final class Rows {
        private static final int STOP_LOWER = 0, STOP_UPPER = 1, NORMAL = 2, FRICTION = 3;
        /** Sweeps of projected Gauss-Seidel, and the velocity change (m/s or rad/s) under which a sweep counts as converged. */
        private static final int MAX_SWEEPS = 200;
        private static final double TOLERANCE = 1e-10;
        private final int nv;
        private int count;
        private double[][] jacobian = new double[0][], response = new double[0][], direction = new double[0][];
        private double[] diagonal = new double[0], target = new double[0], softness = new double[0], mu = new double[0], impulse = new double[0];
        private int[] kind = new int[0], normalOf = new int[0], link = new int[0];

        Rows(int nv) {
            this.nv = nv;
        }

        void clear() {
            count = 0;
        }

        int count() {
            return count;
        }

        /** A new row, zeroed: the caller fills its Jacobian, then sets what kind of row it is. */
        double[] add() {
            if (count == kind.length) grow(Math.max(16, 2 * count));
            Arrays.fill(jacobian[count], 0);
            link[count] = -1;
            impulse[count] = 0;
            softness[count] = 0;
            return jacobian[count++];
        }

        private void grow(int capacity) {
            int old = kind.length;
            jacobian = Arrays.copyOf(jacobian, capacity);
            response = Arrays.copyOf(response, capacity);
            direction = Arrays.copyOf(direction, capacity);
            for (int r = old; r < capacity; r++) {
                jacobian[r] = new double[nv];
                response[r] = new double[nv];
            }
            diagonal = Arrays.copyOf(diagonal, capacity);
            target = Arrays.copyOf(target, capacity);
            softness = Arrays.copyOf(softness, capacity);
            mu = Arrays.copyOf(mu, capacity);
            impulse = Arrays.copyOf(impulse, capacity);
            kind = Arrays.copyOf(kind, capacity);
            normalOf = Arrays.copyOf(normalOf, capacity);
            link = Arrays.copyOf(link, capacity);
        }

        void setStop(boolean atLower, double targetVelocity) {
            kind[count - 1] = atLower ? STOP_LOWER : STOP_UPPER;
            target[count - 1] = targetVelocity;
        }

        void setNormal(double targetVelocity, double cfm, int onLink, double[] dir) {
            kind[count - 1] = NORMAL;
            target[count - 1] = targetVelocity;
            softness[count - 1] = cfm;
            link[count - 1] = onLink;
            direction[count - 1] = dir;
        }

        void setFriction(int normal, double coefficient, int onLink, double[] dir) {
            kind[count - 1] = FRICTION;
            target[count - 1] = 0;
            normalOf[count - 1] = normal;
            mu[count - 1] = coefficient;
            link[count - 1] = onLink;
            direction[count - 1] = dir;
        }

        double[] jacobian(int r) {
            return jacobian[r];
        }

        double[] response(int r) {
            return response[r];
        }

        void setDiagonal(int r, double d) {
            diagonal[r] = d + softness[r];
        }

        /** Projected Gauss-Seidel from zero impulses; {@code velocity} (generalized) ends as the constrained one. */
        void solve(double[] velocity) {
            for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
                double change = 0;
                for (int r = 0; r < count; r++) {
                    double[] j = jacobian[r];
                    double v = 0;
                    for (int k = 0; k < nv; k++) v += j[k] * velocity[k];
                    double lambda = impulse[r] + (target[r] - v - softness[r] * impulse[r]) / diagonal[r];
                    lambda = switch (kind[r]) {
                        case STOP_LOWER, NORMAL -> Math.max(0, lambda);
                        case STOP_UPPER -> Math.min(0, lambda);
                        default -> {
                            double bound = mu[r] * impulse[normalOf[r]];
                            yield Math.max(-bound, Math.min(bound, lambda));
                        }
                    };
                    double delta = lambda - impulse[r];
                    if (delta == 0) continue;
                    impulse[r] = lambda;
                    double[] w = response[r];
                    for (int k = 0; k < nv; k++) velocity[k] += w[k] * delta;
                    change = Math.max(change, Math.abs(delta) * diagonal[r]);
                }
                if (change < TOLERANCE) break;
            }
        }
    }
}
