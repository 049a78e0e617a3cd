package pponode.ppo;

import java.util.List;

/**
 * A value that follows a schedule over the policy updates of a run (the reference's
 * {@code ScheduledValue}): constant/none, linear decay to 0, cosine to 0, or a linear warm-up over
 * the first 10% followed by cosine decay.
 *
 * <p>One deliberate difference: the reference's warm-up returns 0 at update 0, which wastes the
 * first update; here update {@code k} of the warm-up gets {@code (k + 1) / warmup} of the value.
 */
public final class Schedule {
    private final double initial;
    private final String kind;
    private final int totalUpdates;

    public Schedule(double initial, String kind, int totalUpdates) {
        if (!List.of("constant", "none", "linear", "cosine", "warmup_cosine").contains(kind)) {
            throw new IllegalArgumentException("unknown schedule '" + kind + "', expected constant, none, linear, cosine or warmup_cosine");
        }
        this.initial = initial;
        this.kind = kind;
        this.totalUpdates = Math.max(totalUpdates, 1);
    }

    public double at(int update) {
        double progress = (double) update / totalUpdates;
        switch (kind) {
            case "constant", "none":
                return initial;
            case "linear":
                return initial * Math.max(0.0, 1.0 - progress);
            case "cosine":
                return initial * 0.5 * (1.0 + Math.cos(Math.PI * progress));
            case "warmup_cosine": {
                double warmup = 0.1 * totalUpdates;
                if (update < warmup) return initial * Math.min(1.0, (update + 1) / warmup);
                double after = (update - warmup) / (totalUpdates - warmup);
                return initial * 0.5 * (1.0 + Math.cos(Math.PI * after));
            }
            default:
                throw new IllegalStateException(kind);
        }
    }
}
