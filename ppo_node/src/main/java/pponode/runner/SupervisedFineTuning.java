package pponode.runner;

import java.util.Map;
import java.util.function.BiConsumer;
import pponode.config.PPOConfig;
import pponode.modules.ActorCritic;
import pponode.ppo.PPO;
import pponode.ppo.Schedule;
import pponode.storage.DemonstrationBuffer;

/**
 * Teleop-supervised fine-tuning, an extension of the runner's loop: before every step a
 * {@link Supervisor} decides who acts in each environment; an operator's actions become
 * behaviour-cloning demonstrations (bc_coef, bc_coef_schedule), and the steps the policy did not
 * act on are masked out of the PPO surrogate. The runner knows only the four calls below.
 */
public final class SupervisedFineTuning {
    private final Supervisor supervisor;
    private final ActorCritic net;
    private final DemonstrationBuffer demos;
    private final Schedule bcSchedule;
    private final double bcActionEps;
    private final float[][] executed, demonstration;
    private final float[] demoRaw;
    private final Supervisor.Actor[] who;
    private long interventions, safe;

    SupervisedFineTuning(Supervisor supervisor, ActorCritic net, PPOConfig cfg, int totalUpdates) {
        if (net.recurrent()) throw new IllegalArgumentException("supervised fine-tuning supports feed-forward policies only (backbone " + cfg.backbone + ")");
        if (!cfg.actionSpaceType.equals("continuous")) throw new IllegalArgumentException("supervised fine-tuning needs continuous actions");
        this.supervisor = supervisor;
        this.net = net;
        int n = cfg.numEnvs, actions = net.dist.envDim();
        demos = new DemonstrationBuffer(net.obsDim, net.dist.rawDim());
        demoRaw = new float[net.dist.rawDim()];
        bcSchedule = new Schedule(cfg.bcCoef, cfg.bcCoefSchedule, totalUpdates);
        bcActionEps = cfg.bcActionEps;
        executed = new float[n][actions];
        demonstration = new float[n][actions];
        who = new Supervisor.Actor[n];
    }

    /** A new rollout: the intervention counts start again. */
    void rolloutStarted() {
        interventions = safe = 0;
    }

    /**
     * Asks who acts in every environment, given the raw observations and the policy's actions
     * (environment units). Where the policy does not act, its action in {@code envAction} is
     * replaced by the one to execute, and an operator's own action is kept as a demonstration.
     */
    Supervisor.Actor[] decide(float[][] obs, float[][] envAction) {
        for (int i = 0; i < who.length; i++) {
            who[i] = supervisor.decide(i, obs[i], envAction[i], executed[i], demonstration[i]);
            if (who[i] == Supervisor.Actor.POLICY) continue;
            System.arraycopy(executed[i], 0, envAction[i], 0, envAction[i].length);
            if (who[i] == Supervisor.Actor.OPERATOR) {
                interventions++;
                addDemonstration(obs[i], demonstration[i]);
            } else {
                safe++;
            }
        }
        return who;
    }

    /** The outcome of env {@code i}'s step, for the supervisor. */
    void stepped(int i, float[] executedAction, double reward, boolean done, float[] nextObs) {
        supervisor.stepped(i, who[i], executedAction, reward, done, nextObs);
    }

    /** This update's behaviour-cloning term; {@code normalize} maps a raw observation to the policy's input. */
    PPO.BehaviourCloning behaviourCloning(int update, BiConsumer<float[], float[]> normalize) {
        return new PPO.BehaviourCloning(demos, bcSchedule.at(update), normalize);
    }

    /** The rollout's share of operator and safety-fallback steps. */
    void addStats(Map<String, Double> stats, long rolloutSteps) {
        stats.put("teleop/intervention_rate", (double) interventions / rolloutSteps);
        stats.put("teleop/safe_rate", (double) safe / rolloutSteps);
    }

    /** Adds one operator demonstration: a raw observation and the operator's action in environment units (also from an earlier session's log). */
    public void addDemonstration(float[] observation, float[] envActionOfOperator) {
        net.dist.fromEnv(envActionOfOperator, demoRaw, bcActionEps);
        demos.add(observation, demoRaw);
    }

    public int demonstrations() {
        return demos.size();
    }
}
