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
 */
public record Randomization(double[] kpScale, double[] kdScale, double[] motorStrength, int[] actionDelaySteps, double[] frictionScale, double[] massScale,
        int pushSteps, double[] pushVelocity) {

    /** One episode's physics. */
    public Perturbation draw(EnvRng rng) {
        double kp = rng.uniform(kpScale[0], kpScale[1]), kd = rng.uniform(kdScale[0], kdScale[1]), strength = rng.uniform(motorStrength[0], motorStrength[1]);
        int delay = actionDelaySteps[0] + (int) Math.floor(rng.uniform(0, actionDelaySteps[1] - actionDelaySteps[0] + 1));
        delay = Math.min(delay, actionDelaySteps[1]);
        double friction = rng.uniform(frictionScale[0], frictionScale[1]), mass = rng.uniform(massScale[0], massScale[1]);
        return new Perturbation(kp, kd, strength, delay, friction, mass);
    }

    /** A push: a base velocity change uniform in ±pushVelocity per axis. */
    public void drawPush(EnvRng rng, double[] dv) {
        for (int a = 0; a < 3; a++) dv[a] = rng.uniform(-pushVelocity[a], pushVelocity[a]);
    }

    public boolean pushes() {
        return pushSteps > 0;
    }

    /** An episode's draw as metrics (logged with the episode's other metrics). */
    public static Map<String, Double> metrics(Perturbation p) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rand_kp_scale", p.kpScale());
        m.put("rand_kd_scale", p.kdScale());
        m.put("rand_motor_strength", p.motorStrength());
        m.put("rand_action_delay_steps", (double) p.actionDelaySteps());
        m.put("rand_friction_scale", p.frictionScale());
        m.put("rand_mass_scale", p.massScale());
        return m;
    }
}
