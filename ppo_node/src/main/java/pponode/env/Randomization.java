package pponode.env;

import java.util.LinkedHashMap;
import java.util.Map;
import pponode.sim.Perturbation;

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
