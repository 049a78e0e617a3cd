package pponode.ros;

import java.util.concurrent.locks.LockSupport;
import pponode.env.Env;
import pponode.env.RobotTask;
import pponode.env.Space;
import pponode.env.StepResult;
import std_msgs.msg.dds.Empty;
import std_msgs.msg.dds.EmptyPubSubType;
import std_msgs.msg.dds.Float64MultiArray;
import std_msgs.msg.dds.Float64MultiArrayPubSubType;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * A robot reached over ROS 2 topics, as an {@link Env}, so rollouts collected on it feed the same
 * learner: {@code step} publishes the command, waits for the next control period and returns the
 * observation assembled from the joint states that arrived after it (by joint name), with the
 * task's reward and termination; {@code reset} publishes {@code std_msgs/Empty} on the reset topic
 * (served by {@code ppo-node sim} or any custom simulator) and waits for fresh joint states.
 * A robot that stops answering is an error naming the topic, never a silent hang.
 */
public final class RosEnv implements Env {
    private final RobotTask task;
    private final RosParams params;
    private final ROS2Node node;
    /** Every subscription: what the network sends is dropped and counted, never thrown into the DDS thread. */
    private final NetworkInput input = new NetworkInput();
    private final JointStateAssembler assembler;
    private final ROS2PublisherBasics<Float64MultiArray> commandPub;
    private final ROS2PublisherBasics<Empty> resetPub;
    private final Space.Box obsSpace, actSpace;
    private final long period;
    private final float[] lastAction, previousAction;
    private final double[] obsVel;
    private volatile double[] target;
    private volatile long lastStateNanos;
    private long deadline;
    private int t;
    private boolean discovered;

    public RosEnv(RosParams p, RobotTask task) {
        this.task = task;
        this.params = p;
        assembler = new JointStateAssembler(task);
        obsSpace = task.observationSpace();
        actSpace = task.actionSpace();
        period = Math.round(1e9 / task.controlRateHz);
        lastAction = new float[actSpace.flatDim()];
        previousAction = new float[actSpace.flatDim()];
        obsVel = new double[task.observedJoints.size()];
        node = Ros2.node(p);
        Ros2.subscribeJointStates(node, input, p, assembler, now -> lastStateNanos = now);
        Ros2.subscribeTarget(node, input, p, g -> target = g);
        Float64MultiArrayPubSubType fa = new Float64MultiArrayPubSubType();
        commandPub = node.createPublisher(fa, node.createPublisherAttributes(fa, p.resolve(p.commandTopic(task.commandInterface)), Ros2.qos(p.commandQos)));
        EmptyPubSubType et = new EmptyPubSubType();
        resetPub = node.createPublisher(et, node.createPublisherAttributes(et, p.resolve(p.resetTopic), Ros2.qos("reliable")));
    }

    @Override
    public Space observationSpace() {
        return obsSpace;
    }

    @Override
    public Space actionSpace() {
        return actSpace;
    }

    @Override
    public float[] reset(Long seed) {
        if (!discovered) {
            // A reset sent before DDS has matched the robot's reset subscriber is lost: first hear
            // the robot, then give endpoint matching a moment.
            long until = System.nanoTime() + 5_000_000_000L;
            while (lastStateNanos == 0) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("no joint states on " + params.resolvedJointStateTopics() + " within 5 s (domain " + params.domain()
                            + "): is the robot or simulator running?");
                }
                LockSupport.parkNanos(2_000_000);
            }
            LockSupport.parkNanos(300_000_000L);
            discovered = true;
        }
        long asked = System.nanoTime();
        long end = asked + 5_000_000_000L;
        int tries = 0;
        // the simulator handles the request at its next control tick: accept states only after 3 periods
        while (lastStateNanos <= asked + 3 * period || ((task.observation.contains("target") || task.observation.contains("tip_to_target")) && target == null)) {
            if (tries++ % 50 == 0) resetPub.publish(new Empty()); // repeat until the robot has matched our publisher
            if (System.nanoTime() > end) {
                throw new IllegalStateException("no joint states on " + params.resolvedJointStateTopics() + " within 5 s after a reset request on "
                        + params.resolve(params.resetTopic) + " (domain " + params.domain() + "): is the robot or simulator running?");
            }
            LockSupport.parkNanos(2_000_000);
        }
        java.util.Arrays.fill(lastAction, 0f);
        task.restAction(assembler::position, previousAction);
        t = 0;
        deadline = System.nanoTime();
        return observe(System.nanoTime());
    }

    @Override
    public StepResult step(float[] action) {
        if (action.length != actSpace.flatDim()) throw new IllegalArgumentException("action has " + action.length + " values, expected " + actSpace.flatDim());
        Float64MultiArray m = new Float64MultiArray();
        for (int i = 0; i < action.length; i++) {
            if (!Float.isFinite(action[i])) throw new IllegalArgumentException("command for joint '" + task.actuatedJoints.get(i) + "' is " + action[i]);
            double c = Math.max(actSpace.low()[i], Math.min(actSpace.high()[i], action[i]));
            if (t > 0) previousAction[i] = lastAction[i];
            lastAction[i] = actSpace.normalized(i, c);
            m.getData().add(c);
        }
        long sent = System.nanoTime();
        commandPub.publish(m);
        deadline = Math.max(deadline + period, sent);
        long now;
        while ((now = System.nanoTime()) < deadline) LockSupport.parkNanos(deadline - now);
        long wait = now + 3 * period;
        while (lastStateNanos <= sent) { // the observation must come after the command
            if (System.nanoTime() > wait) {
                throw new IllegalStateException("the robot sent no joint states on " + params.resolvedJointStateTopics() + " for 3 control periods after a command");
            }
            LockSupport.parkNanos(200_000);
        }
        t++;
        float[] obs = observe(System.nanoTime());
        double[] tip = tipTargetDistance();
        double reward = task.reward(tip[0], lastAction, previousAction, obsVel);
        boolean terminated = task.terminated(assembler::position);
        return new StepResult(obs, reward, terminated, !terminated && t >= task.episodeSteps);
    }

    private float[] observe(long now) {
        float[] o = new float[obsSpace.flatDim()];
        JointStateAssembler.Health h = assembler.assemble(now, 3 * period, target, lastAction, o);
        if (!h.ok()) throw new IllegalStateException("cannot build the observation: " + h.reason());
        for (int i = 0; i < obsVel.length; i++) obsVel[i] = assembler.velocity(task.observedJoints.get(i));
        return o;
    }

    private double[] tipTargetDistance() {
        if (task.tipLink == null || target == null) return new double[] {0};
        double[] tip = new double[3];
        assembler.tipPosition(tip);
        double s = 0;
        for (int a : task.targetAxes()) s += (tip[a] - target[a]) * (tip[a] - target[a]);
        return new double[] {Math.sqrt(s)};
    }

    @Override
    public java.util.Map<String, Double> episodeMetrics() {
        return task.tipLink != null && target != null ? java.util.Map.of("final_distance", tipTargetDistance()[0]) : java.util.Map.of();
    }

    @Override
    public void close() {
        node.destroy();
    }
}
