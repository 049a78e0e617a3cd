package pponode.ros;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.terms.ObservationTerm.Input;
import pponode.sim.RobotBackend;
import pponode.sim.RobotUnavailableException;
import pponode.sim.urdf.UrdfModel;
import std_msgs.msg.dds.Empty;
import std_msgs.msg.dds.EmptyPubSubType;
import std_msgs.msg.dds.Float64MultiArray;
import std_msgs.msg.dds.Float64MultiArrayPubSubType;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * A robot reached over ROS 2 topics as a {@link RobotBackend}, so rollouts collected on it feed the
 * same learner through the same {@link RobotEnv}: {@code step} publishes the command, waits for the
 * next control period and for joint states that arrived after it (by joint name); {@code reset}
 * publishes {@code std_msgs/Empty} on the reset topic (served by {@code ppo-node sim} or any custom
 * simulator, which draws its own start state and target) and waits for fresh joint states. A robot
 * that stops answering, or whose joint states are stale or not finite, is an error naming the
 * topic or joint, never a silent hang.
 */
public final class RosBackend implements RobotBackend {
    private final RobotTask task;
    private final RosParams params;
    private final RosNode node;
    /** Every subscription: what the network sends is dropped and counted, never thrown into the DDS thread. */
    private final NetworkInput input = new NetworkInput();
    private final JointStateAssembler assembler;
    private final ROS2PublisherBasics<Float64MultiArray> commandPub;
    private final ROS2PublisherBasics<Empty> resetPub;
    private final Float64MultiArray commandMsg = new Float64MultiArray();
    private final List<String> joints;
    private final Map<String, UrdfModel.Chain> chains = new HashMap<>();
    private final long period;
    private final float[] scratchObservation, noAction;
    private final double[] linkQ; // joint positions for forward kinematics, reused every step
    private volatile double[] target;
    private volatile long lastStateNanos;
    private long deadline;
    private boolean discovered;

    public RosBackend(RosParams p, RobotTask task) {
        this.task = task;
        this.params = p;
        assembler = new JointStateAssembler(task, p);
        joints = task.robot.movableJoints().stream().map(UrdfModel.Joint::name).toList();
        period = Math.round(1e9 / task.controlRateHz);
        scratchObservation = new float[task.observationSpace().flatDim()];
        noAction = new float[task.actuatedJoints.size()];
        linkQ = new double[joints.size()];
        node = Ros2.node(p);
        Ros2.subscribeJointStates(node, input, p, assembler, now -> lastStateNanos = now);
        Ros2.subscribeTarget(node, input, p, g -> target = g);
        Float64MultiArrayPubSubType fa = new Float64MultiArrayPubSubType();
        commandPub = node.createPublisher(fa, node.createPublisherAttributes(fa, p.resolve(p.commandTopic(task.commandInterface)), Ros2.qos(p.commandQos)));
        EmptyPubSubType et = new EmptyPubSubType();
        resetPub = node.createPublisher(et, node.createPublisherAttributes(et, p.resolve(p.resetTopic), Ros2.qos("reliable")));
    }

    @Override
    public List<String> joints() {
        return joints;
    }

    /** Asks the robot's side for a new episode; its simulator draws the start state ({@code q0} is not sent). */
    @Override
    public void reset(double[] q0, double[] qd0) {
        if (!discovered) {
            long until = System.nanoTime() + 5_000_000_000L;
            while (lastStateNanos == 0) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("no joint states on " + params.resolvedJointStateTopics() + " within 5 s (domain " + params.domain()
                            + "): is the robot or simulator running?");
                }
                LockSupport.parkNanos(2_000_000);
            }
            discovered = true;
        }
        long asked = System.nanoTime();
        long end = asked + 5_000_000_000L;
        // A reset sent before DDS has matched the robot's reset subscriber is lost (a robot just
        // discovered, or restarted): the request goes out once one is matched.
        String resetTopic = params.resolve(params.resetTopic);
        while (node.matchedSubscribers(resetTopic) == 0) {
            if (System.nanoTime() > end) {
                throw new RobotUnavailableException("nothing subscribes to the reset topic " + resetTopic + " (domain " + params.domain()
                        + ") within 5 s: is the robot's simulator running?");
            }
            LockSupport.parkNanos(2_000_000);
        }
        int tries = 0;
        // the simulator handles the request at its next control tick: accept states only after 3 periods
        while (lastStateNanos <= asked + 3 * period || (task.observationInputs().contains(Input.TARGET) && target == null)) {
            if (tries++ % 50 == 0) resetPub.publish(new Empty()); // repeat until the robot has matched our publisher
            if (System.nanoTime() > end) {
                throw new RobotUnavailableException("no joint states on " + params.resolvedJointStateTopics() + " within 5 s after a reset request on "
                        + params.resolve(params.resetTopic) + " (domain " + params.domain() + "): is the robot or simulator running?");
            }
            LockSupport.parkNanos(2_000_000);
        }
        deadline = System.nanoTime();
        checkHealth();
    }

    @Override
    public boolean step(double[] commands) {
        commandMsg.getData().resetQuick();
        for (double c : commands) commandMsg.getData().add(c);
        long sent = System.nanoTime();
        commandPub.publish(commandMsg);
        deadline = Math.max(deadline + period, sent);
        long now;
        while ((now = System.nanoTime()) < deadline) LockSupport.parkNanos(deadline - now);
        long wait = now + 3 * period;
        while (lastStateNanos <= sent) { // the observation must come after the command
            if (System.nanoTime() > wait) {
                throw new RobotUnavailableException("the robot sent no joint states on " + params.resolvedJointStateTopics() + " for 3 control periods after a command");
            }
            LockSupport.parkNanos(200_000);
        }
        checkHealth();
        return true;
    }

    /** Every joint the observation needs was heard within 3 periods and is finite, or the error says which is not. */
    private void checkHealth() {
        JointStateAssembler.Health h = assembler.assemble(System.nanoTime(), 3 * period, target, noAction, scratchObservation);
        if (!h.ok()) throw new IllegalStateException("cannot build the observation: " + h.reason());
    }

    @Override
    public void positions(double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = assembler.position(joints.get(i));
    }

    @Override
    public void velocities(double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = assembler.velocity(joints.get(i));
    }

    @Override
    public void linkPosition(String link, double[] out) {
        positions(linkQ);
        chains.computeIfAbsent(link, l -> task.robot.chain(l, joints)).origin(linkQ, out);
    }

    @Override
    public double[] target() {
        return target;
    }

    @Override
    public void close() {
        Ros2.destroy(node, input);
    }
}
