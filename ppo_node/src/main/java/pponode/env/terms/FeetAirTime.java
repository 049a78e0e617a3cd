package pponode.env.terms;

/**
 * legged_gym's feet air time: at the step a foot lands, it earns (seconds it was in the air −
 * {@code threshold}); long steps pay, shuffling costs. Nothing is earned under a near-zero command
 * (standing still is then right). A foot is in contact when its contact force exceeds
 * {@code contact_force} N. The air time per foot is kept in {@link StepState#airTime}.
 */
public final class FeetAirTime implements RewardTerm {
    private final int[] feet;
    private final double threshold, contactForce;

    FeetAirTime(TermParams p) {
        feet = p.links("links");
        threshold = p.number("threshold", 0.5);
        contactForce = p.number("contact_force", 1.0);
    }

    @Override
    public double value(StepState s) {
        double sum = 0;
        for (int f : feet) {
            s.airTime[f] += s.dt;
            if (s.contactForce[3 * f + 2] > contactForce) {
                if (s.airTime[f] > s.dt) sum += s.airTime[f] - threshold; // first step on the ground after a swing
                s.airTime[f] = 0;
            }
        }
        boolean moving = Math.hypot(s.command[0], s.command[1]) > 0.1;
        return moving ? sum : 0;
    }
}
