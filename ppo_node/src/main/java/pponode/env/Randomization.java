package pponode.env;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import pponode.sim.Perturbation;
import pponode.sim.urdf.UrdfModel;

/**
 * A task's domain randomization ({@code randomization:} in its file): ranges the robot's physics is
 * drawn from at every episode start, with the environment's own random stream (so a seed repeats
 * it), and pushes at intervals. A range [1, 1] (or [0, 0] for the delay) leaves that part as modelled.
 *
 * @param kpScale PD stiffness scale range
 * @param kdScale PD damping scale range
 * @param motorStrength effort-limit scale range
 * @param actionDelaySteps physics steps between a command and the motors acting on it, [min, max]
 * @param frictionScale ground friction scale range
 * @param massScale link mass and inertia scale range
 * @param pushSteps control periods between pushes (0: none)
 * @param pushVelocity the largest base velocity change of a push per world axis (m/s)
 * @param baseAddedMass kg added to a floating base, [min, max]; null: none
 * @param baseComOffset the largest move of a floating base's centre of mass per base axis (m); null: none
 * @param restitution every contact's restitution, [min, max]; null: the task's
 * @param jointDamping viscous damping added to every joint, [min, max]; null: none
 * @param jointFriction Coulomb friction added to every joint, [min, max]; null: none
 * @param stanceOffset the largest calibration error of each actuated joint (rad or m); 0: none
 * @param observationDelaySteps physics steps from the robot's state to its readings, [min, max]; null: none
 * @param linkMassScale single links' mass scale ranges on top of massScale, link name to [min, max] (file order); empty: none
 */
public record Randomization(double[] kpScale, double[] kdScale, double[] motorStrength, int[] actionDelaySteps, double[] frictionScale, double[] massScale,
        int pushSteps, double[] pushVelocity, double[] baseAddedMass, double[] baseComOffset, double[] restitution, double[] jointDamping,
        double[] jointFriction, double stanceOffset, int[] observationDelaySteps, Map<String, double[]> linkMassScale) {

    /** The facts about the robot that decide what its randomization may change. */
    record RobotFacts(UrdfModel robot, boolean floatingBase, boolean touches, String commandInterface, double controlRateHz) {}

    /** A task file's {@code randomization:} section ({@code r}, its keys checked), read for {@code f}'s robot; each mistake named by its path. */
    static Randomization read(TaskReader in, Map<String, Object> r, RobotFacts f) {
        double[] kp = in.scaleRange(r, "kp_scale"), kd = in.scaleRange(r, "kd_scale"), strength = in.scaleRange(r, "motor_strength"),
                friction = in.scaleRange(r, "friction_scale"), mass = in.scaleRange(r, "mass_scale");
        double[] delay = in.vec(r.get("action_delay_steps"), "randomization.action_delay_steps", 2, new double[2]);
        if (!(delay[0] >= 0 && delay[0] <= delay[1]) || delay[0] != Math.rint(delay[0]) || delay[1] != Math.rint(delay[1]) || delay[1] > 1000) {
            throw in.err("'randomization.action_delay_steps' must be [min, max] whole physics steps, 0 <= min <= max <= 1000; got " + Arrays.toString(delay));
        }
        if (!f.touches() && (friction[0] != 1 || friction[1] != 1)) throw in.err("'randomization.friction_scale' needs a 'contact:' section (this robot touches nothing)");
        int pushSteps = 0;
        double[] pushVelocity = new double[3];
        if (r.containsKey("push")) {
            if (!f.floatingBase()) throw in.err("'randomization.push' pushes a floating base; this robot's base is fixed");
            Map<String, Object> push = in.section(r, "push", Set.of("interval_s", "velocity"));
            if (!push.containsKey("interval_s")) throw in.err("'randomization.push' needs 'interval_s': the seconds between pushes");
            double interval = in.number(push.get("interval_s"), "randomization.push.interval_s");
            pushSteps = (int) Math.round(interval * f.controlRateHz());
            if (!(interval > 0) || Math.abs(interval * f.controlRateHz() - pushSteps) > 1e-6) {
                throw in.err("'randomization.push.interval_s' must be a positive whole number of control periods (1/" + f.controlRateHz() + " s), got " + interval);
            }
            if (!push.containsKey("velocity")) throw in.err("'randomization.push' needs 'velocity': the largest change per world axis, [x, y, z] m/s");
            pushVelocity = in.vec(push.get("velocity"), "randomization.push.velocity", 3, null);
            for (double v : pushVelocity) in.nonNegative(v, "randomization.push.velocity");
        }
        double[] added = null, com = null;
        if (r.containsKey("base_added_mass")) {
            if (!f.floatingBase()) throw in.err("'randomization.base_added_mass' adds to a floating base; this robot's base is fixed");
            added = in.vec(r.get("base_added_mass"), "randomization.base_added_mass", 2, null);
            if (!(added[0] <= added[1]) || !Double.isFinite(added[0]) || !Double.isFinite(added[1])) {
                throw in.err("'randomization.base_added_mass' must be [min, max] kg, min <= max; got " + Arrays.toString(added));
            }
        }
        if (r.containsKey("base_com_offset")) {
            if (!f.floatingBase()) throw in.err("'randomization.base_com_offset' moves a floating base's centre of mass; this robot's base is fixed");
            com = in.vec(r.get("base_com_offset"), "randomization.base_com_offset", 3, null);
            for (double v : com) in.nonNegative(v, "randomization.base_com_offset");
        }
        double[] restitution = null;
        if (r.containsKey("restitution")) {
            if (!f.touches()) throw in.err("'randomization.restitution' needs a 'contact:' section (this robot touches nothing)");
            restitution = in.vec(r.get("restitution"), "randomization.restitution", 2, null);
            if (!(restitution[0] >= 0 && restitution[0] <= restitution[1] && restitution[1] <= 1)) {
                throw in.err("'randomization.restitution' must be [min, max] with 0 <= min <= max <= 1, got " + Arrays.toString(restitution));
            }
        }
        double[] damping = in.addedRange(r, "joint_damping"), jointFriction = in.addedRange(r, "joint_friction");
        double stance = r.containsKey("stance_offset") ? in.number(r.get("stance_offset"), "randomization.stance_offset") : 0;
        in.nonNegative(stance, "randomization.stance_offset");
        if (stance > 0 && !f.commandInterface().equals("position")) throw in.err("'randomization.stance_offset' offsets position commands; this robot's are " + f.commandInterface());
        int[] observationDelay = null;
        if (r.containsKey("observation_delay_steps")) {
            double[] d = in.vec(r.get("observation_delay_steps"), "randomization.observation_delay_steps", 2, null);
            if (!(d[0] >= 0 && d[0] <= d[1]) || d[0] != Math.rint(d[0]) || d[1] != Math.rint(d[1]) || d[1] > 1000) {
                throw in.err("'randomization.observation_delay_steps' must be [min, max] whole physics steps, 0 <= min <= max <= 1000; got " + Arrays.toString(d));
            }
            observationDelay = new int[] {(int) d[0], (int) d[1]};
        }
        Map<String, double[]> linkMass = new LinkedHashMap<>();
        if (r.containsKey("link_mass_scale")) {
            if (!(r.get("link_mass_scale") instanceof Map<?, ?> given)) throw in.err("'randomization.link_mass_scale' maps link names to [min, max] scale ranges");
            Map<String, Object> links = new LinkedHashMap<>();
            given.forEach((k, v) -> links.put(String.valueOf(k), v));
            for (String link : links.keySet()) {
                if (f.robot().links().stream().noneMatch(l -> l.name().equals(link) && l.hasMass())) {
                    throw in.err("'randomization.link_mass_scale." + link + "': the robot has no link '" + link + "' with mass (links with mass: "
                            + f.robot().links().stream().filter(UrdfModel.Link::hasMass).map(UrdfModel.Link::name).toList() + ")");
                }
                linkMass.put(link, in.scaleRange(links, link, "randomization.link_mass_scale."));
            }
        }
        return new Randomization(kp, kd, strength, new int[] {(int) delay[0], (int) delay[1]}, friction, mass, pushSteps, pushVelocity, added, com, restitution,
                damping, jointFriction, stance, observationDelay, linkMass);
    }

    /**
     * One episode's physics for a robot with {@code actuatedJoints} actuated joints. What the task
     * leaves out is not drawn, so a task keeps the random stream it had before a term existed.
     */
    public Perturbation draw(EnvRng rng, int actuatedJoints) {
        double kp = rng.uniform(kpScale[0], kpScale[1]), kd = rng.uniform(kdScale[0], kdScale[1]), strength = rng.uniform(motorStrength[0], motorStrength[1]);
        int delay = steps(rng, actionDelaySteps);
        double friction = rng.uniform(frictionScale[0], frictionScale[1]), mass = rng.uniform(massScale[0], massScale[1]);
        double added = baseAddedMass == null ? 0 : rng.uniform(baseAddedMass[0], baseAddedMass[1]);
        double[] com = new double[3];
        for (int a = 0; baseComOffset != null && a < 3; a++) com[a] = rng.uniform(-baseComOffset[a], baseComOffset[a]);
        double e = restitution == null ? Double.NaN : rng.uniform(restitution[0], restitution[1]);
        double damping = jointDamping == null ? 0 : rng.uniform(jointDamping[0], jointDamping[1]);
        double jointFrictionAdded = jointFriction == null ? 0 : rng.uniform(jointFriction[0], jointFriction[1]);
        double[] offsets = new double[stanceOffset > 0 ? actuatedJoints : 0];
        for (int i = 0; i < offsets.length; i++) offsets[i] = rng.uniform(-stanceOffset, stanceOffset);
        int observationDelay = observationDelaySteps == null ? 0 : steps(rng, observationDelaySteps);
        Map<String, Double> links = new LinkedHashMap<>();
        linkMassScale.forEach((link, range) -> links.put(link, rng.uniform(range[0], range[1])));
        return new Perturbation(kp, kd, strength, delay, friction, mass, links, added, com, e, damping, jointFrictionAdded, offsets, observationDelay);
    }

    /** A whole number of steps, uniform in [min, max]. */
    private static int steps(EnvRng rng, int[] range) {
        int k = range[0] + (int) Math.floor(rng.uniform(0, range[1] - range[0] + 1));
        return Math.min(k, range[1]);
    }

    /** A push: a base velocity change uniform in ±pushVelocity per axis. */
    public void drawPush(EnvRng rng, double[] dv) {
        for (int a = 0; a < 3; a++) dv[a] = rng.uniform(-pushVelocity[a], pushVelocity[a]);
    }

    public boolean pushes() {
        return pushSteps > 0;
    }

    /** An episode's draw as metrics (logged with the episode's other metrics): the parts this randomization draws. */
    public Map<String, Double> metrics(Perturbation p) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rand_kp_scale", p.kpScale());
        m.put("rand_kd_scale", p.kdScale());
        m.put("rand_motor_strength", p.motorStrength());
        m.put("rand_action_delay_steps", (double) p.actionDelaySteps());
        m.put("rand_friction_scale", p.frictionScale());
        m.put("rand_mass_scale", p.massScale());
        p.linkMassScale().forEach((link, scale) -> m.put("rand_mass_scale_" + link, scale));
        if (baseAddedMass != null) m.put("rand_base_added_mass", p.baseAddedMass());
        if (baseComOffset != null) {
            double[] com = p.baseComOffset();
            m.put("rand_base_com_x", com[0]);
            m.put("rand_base_com_y", com[1]);
            m.put("rand_base_com_z", com[2]);
        }
        if (restitution != null) m.put("rand_restitution", p.restitution());
        if (jointDamping != null) m.put("rand_joint_damping", p.jointDamping());
        if (jointFriction != null) m.put("rand_joint_friction", p.jointFriction());
        if (stanceOffset > 0) {
            double largest = 0;
            for (double o : p.jointOffsets()) largest = Math.max(largest, Math.abs(o));
            m.put("rand_stance_offset_max", largest);
        }
        if (observationDelaySteps != null) m.put("rand_observation_delay_steps", (double) p.observationDelaySteps());
        return m;
    }
}
