package pponode.sim;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a simulated robot's physics differs from its nominal model (the URDF and the task) for one
 * episode: a task's domain randomization draws one per episode, a sim2sim gate holds one. Scales
 * multiply the nominal value (1: as modelled); additions add to it (0: as modelled).
 *
 * @param kpScale PD stiffness of position and velocity commands
 * @param kdScale PD damping
 * @param motorStrength the joints' effort limits (a weaker or stronger motor)
 * @param actionDelaySteps physics steps between a command and the motors acting on it
 * @param frictionScale ground friction of every contact
 * @param massScale every link's mass and inertia
 * @param linkMassScale single links' mass and inertia, on top of massScale (link name to scale; empty: none)
 * @param baseAddedMass kg added to a floating base (its inertia grows in proportion: a denser trunk)
 * @param baseComOffset the floating base's centre of mass moved by this (m, base frame; length 3)
 * @param restitution every contact's restitution for the episode (NaN: as the task says)
 * @param jointDamping viscous damping added to every joint (N·m·s/rad or N·s/m)
 * @param jointFriction Coulomb friction added to every joint (N·m or N)
 * @param jointOffsets each actuated joint's calibration error (rad or m, task order; empty: none):
 *     the joint stands at its command plus the offset and reads its position minus it, so the
 *     robot's stance differs from the one the policy sees
 * @param observationDelaySteps physics steps between the robot's state and the joint and base
 *     readings the controller gets
 */
public record Perturbation(double kpScale, double kdScale, double motorStrength, int actionDelaySteps, double frictionScale, double massScale,
        Map<String, Double> linkMassScale, double baseAddedMass, double[] baseComOffset, double restitution, double jointDamping, double jointFriction, double[] jointOffsets,
        int observationDelaySteps) {
    private static final double[] NO_OFFSET = new double[3], NO_JOINTS = new double[0];
    public static final Perturbation NONE = new Perturbation(1, 1, 1, 0, 1, 1);

    /** Gains, strength, action delay, friction and mass; the rest as modelled. */
    public Perturbation(double kpScale, double kdScale, double motorStrength, int actionDelaySteps, double frictionScale, double massScale) {
        this(kpScale, kdScale, motorStrength, actionDelaySteps, frictionScale, massScale, Map.of(), 0, NO_OFFSET, Double.NaN, 0, 0, NO_JOINTS, 0);
    }

    public Perturbation {
        double[] scales = {kpScale, kdScale, motorStrength, frictionScale, massScale};
        for (double s : scales) {
            if (!(s > 0) || !Double.isFinite(s)) throw new IllegalArgumentException("perturbation scales (kp, kd, strength, friction, mass) must be finite and > 0: " + Arrays.toString(scales));
        }
        if (actionDelaySteps < 0) throw new IllegalArgumentException("action delay must be >= 0 physics steps, got " + actionDelaySteps);
        if (observationDelaySteps < 0) throw new IllegalArgumentException("observation delay must be >= 0 physics steps, got " + observationDelaySteps);
        if (baseComOffset.length != 3) throw new IllegalArgumentException("the base's centre-of-mass offset is [x, y, z], got " + Arrays.toString(baseComOffset));
        if (!(restitution >= 0 && restitution <= 1) && !Double.isNaN(restitution)) throw new IllegalArgumentException("restitution must be in [0, 1], got " + restitution);
        if (!(jointDamping >= 0) || !(jointFriction >= 0)) throw new IllegalArgumentException("added joint damping and friction must be >= 0, got " + jointDamping + " and " + jointFriction);
        if (!Double.isFinite(baseAddedMass)) throw new IllegalArgumentException("added base mass must be finite, got " + baseAddedMass);
        for (Map.Entry<String, Double> e : linkMassScale.entrySet()) {
            if (!(e.getValue() > 0) || !Double.isFinite(e.getValue())) throw new IllegalArgumentException("link '" + e.getKey() + "' mass scale must be finite and > 0, got " + e.getValue());
        }
        linkMassScale = Collections.unmodifiableMap(new LinkedHashMap<>(linkMassScale));
        baseComOffset = baseComOffset.clone();
        jointOffsets = jointOffsets.clone();
    }

    @Override
    public double[] baseComOffset() {
        return baseComOffset.clone();
    }

    @Override
    public double[] jointOffsets() {
        return jointOffsets.clone();
    }

    /** Joint {@code i}'s calibration error (0 without one). */
    public double jointOffset(int i) {
        return jointOffsets.length == 0 ? 0 : jointOffsets[i];
    }

    public boolean offsetsJoints() {
        return jointOffsets.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Perturbation p && kpScale == p.kpScale && kdScale == p.kdScale && motorStrength == p.motorStrength
                && actionDelaySteps == p.actionDelaySteps && frictionScale == p.frictionScale && massScale == p.massScale && linkMassScale.equals(p.linkMassScale) && baseAddedMass == p.baseAddedMass
                && Arrays.equals(baseComOffset, p.baseComOffset) && Double.compare(restitution, p.restitution) == 0 && jointDamping == p.jointDamping
                && jointFriction == p.jointFriction && Arrays.equals(jointOffsets, p.jointOffsets) && observationDelaySteps == p.observationDelaySteps;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new double[] {kpScale, kdScale, motorStrength, actionDelaySteps, frictionScale, massScale, baseAddedMass, restitution, jointDamping,
                jointFriction, observationDelaySteps}) * 31 + Arrays.hashCode(baseComOffset) * 17 + Arrays.hashCode(jointOffsets) + linkMassScale.hashCode();
    }

    @Override
    public String toString() {
        return "Perturbation[kp ×" + kpScale + ", kd ×" + kdScale + ", strength ×" + motorStrength + ", action delay " + actionDelaySteps + ", friction ×" + frictionScale
                + ", mass ×" + massScale + (linkMassScale.isEmpty() ? "" : ", links ×" + linkMassScale) + ", base +" + baseAddedMass + " kg, base com +" + Arrays.toString(baseComOffset) + ", restitution " + restitution + ", joint damping +"
                + jointDamping + ", joint friction +" + jointFriction + ", joint offsets " + Arrays.toString(jointOffsets) + ", observation delay "
                + observationDelaySteps + "]";
    }
}
