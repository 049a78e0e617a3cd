package pponode.env;

/**
 * What one {@link Env#step} returns. {@code terminated} means the MDP reached a terminal state
 * (no bootstrap); {@code truncated} means the episode was cut short, for example by a time limit,
 * and the value of {@code obs} must still be bootstrapped.
 */
public record StepResult(float[] obs, double reward, boolean terminated, boolean truncated) {
    public boolean done() {
        return terminated || truncated;
    }
}
