package pponode.env.terms;

/** Sum of the actuated joints' squared efforts (N·m or N): energy and actuator wear, as locomotion tasks penalise it. */
public final class JointTorqueL2 implements RewardTerm {
    @Override
    public double value(StepState s) {
        double sum = 0;
        for (int j : s.actuated) sum += s.effort[j] * s.effort[j];
        return sum;
    }

    @Override
    public boolean usesEfforts() {
        return true;
    }
}
