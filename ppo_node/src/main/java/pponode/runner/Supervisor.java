package pponode.runner;

/**
 * Someone other than the policy who may act in an environment: a teleoperator taking over, or a
 * safety fallback. The runner asks before every step; steps the policy did not act on are kept out
 * of the PPO surrogate, and the operator's actions become behaviour-cloning demonstrations.
 */
public interface Supervisor {
    enum Actor { POLICY, OPERATOR, SAFE }

    /**
     * Decides who acts in env {@code env} this step, given its observation and the policy's action
     * (environment units). Unless it returns {@link Actor#POLICY}, it writes the action to execute
     * into {@code executed}; for {@link Actor#OPERATOR} it also writes the operator's own action
     * into {@code demonstration} (what is learned from; it differs from {@code executed} when the
     * two are blended).
     */
    Actor decide(int env, float[] obs, float[] policyAction, float[] executed, float[] demonstration);

    /** The outcome of the step just decided (for operators that react to it, logs, telemetry). */
    default void stepped(int env, Actor who, float[] executed, double reward, boolean done, float[] nextObs) {}
}
