package pponode.sim;

/**
 * How a simulated robot's physics differs from its nominal model (the URDF and the task) for one
 * episode: a task's domain randomization draws one per episode, a sim2sim gate holds one. Scales
 * multiply the nominal value (1: as modelled).
 *
 * @param kpScale PD stiffness of position and velocity commands
 * @param kdScale PD damping
 * @param motorStrength the joints' effort limits (a weaker or stronger motor)
 * @param actionDelaySteps physics steps between a command and the motors acting on it
 * @param frictionScale ground friction of every contact
 * @param massScale every link's mass and inertia
 */
public record Perturbation(double kpScale, double kdScale, double motorStrength, int actionDelaySteps, double frictionScale, double massScale) {
    public static final Perturbation NONE = new Perturbation(1, 1, 1, 0, 1, 1);

    public Perturbation {
        for (double s : new double[] {kpScale, kdScale, motorStrength, frictionScale, massScale}) {
            if (!(s > 0) || !Double.isFinite(s)) throw new IllegalArgumentException("perturbation scales must be finite and > 0: " + this);
        }
        if (actionDelaySteps < 0) throw new IllegalArgumentException("action delay must be >= 0 physics steps, got " + actionDelaySteps);
    }

    public boolean changesMass() {
        return massScale != 1;
    }

    public boolean changesFriction() {
        return frictionScale != 1;
    }
}
