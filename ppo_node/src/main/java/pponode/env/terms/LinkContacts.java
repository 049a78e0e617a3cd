package pponode.env.terms;

/**
 * Contacts of links that should not touch anything. As a reward term ({@code undesired_contacts})
 * it counts the listed links whose contact force exceeds {@code threshold} N (thighs and calves on
 * the ground); as a termination term ({@code link_contact}) it ends the episode when any of them
 * does (the trunk on the ground: the robot fell).
 */
public final class LinkContacts implements RewardTerm, TerminationTerm {
    private final int[] links;
    private final double threshold;

    LinkContacts(TermParams p) {
        links = p.links("links");
        threshold = p.number("threshold", 1.0);
    }

    @Override
    public double value(StepState s) {
        int n = 0;
        for (int l : links) if (s.contactForceNorm(l) > threshold) n++;
        return n;
    }

    @Override
    public boolean terminated(StepState s) {
        return value(s) > 0;
    }
}
