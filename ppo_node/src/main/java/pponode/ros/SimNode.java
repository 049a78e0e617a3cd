package pponode.ros;

import geometry_msgs.msg.dds.PointStamped;
import geometry_msgs.msg.dds.PointStampedPubSubType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import nav_msgs.msg.dds.Odometry;
import nav_msgs.msg.dds.OdometryPubSubType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.Space;
import pponode.sim.BaseState;
import pponode.sim.embedded.EmbeddedBackend;
import sensor_msgs.msg.dds.Imu;
import sensor_msgs.msg.dds.ImuPubSubType;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import std_msgs.msg.dds.EmptyPubSubType;
import std_msgs.msg.dds.Float64MultiArray;
import std_msgs.msg.dds.Float64MultiArrayPubSubType;
import us.ihmc.pubsub.common.SampleInfo;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * The embedded simulator as a ROS 2 robot: publishes {@code sensor_msgs/JointState} and the task's
 * target ({@code geometry_msgs/PointStamped}) every control period, in real time, and applies the
 * latest {@code std_msgs/Float64MultiArray} command (actuated-joint order, the ros2_control forward
 * command controller convention) through the task's command interface. A new target is drawn every
 * episode. A floating-base robot also publishes what its IMU and state estimator would:
 * {@code sensor_msgs/Imu} (orientation, angular velocity in the base frame) and
 * {@code nav_msgs/Odometry} (pose, and the twist in the base frame). Joint order on the wire can be shuffled and extra joints added, to exercise consumers
 * that must match joints by name.
 */
public final class SimNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimNode.class);
    private final RobotTask task;
    private final RobotEnv env;
    private final EmbeddedBackend sim;
    private final ROS2Node node;
    /** Every subscription: what the network sends is dropped and counted, never thrown into the DDS thread. */
    private final NetworkInput input = new NetworkInput();
    private final ROS2PublisherBasics<JointState> jointPub;
    private final JointState js = new JointState();
    private final PointStamped targetMsg = new PointStamped();
    private final ROS2PublisherBasics<PointStamped> targetPub;
    private final ROS2PublisherBasics<Imu> imuPub; // null for a fixed base
    private final ROS2PublisherBasics<Odometry> odomPub;
    private final Imu imuMsg = new Imu();
    private final Odometry odomMsg = new Odometry();
    private final BaseState base = new BaseState();
    private final double[] body = new double[3];
    private final ControlLoop loop;
    private final List<String> wireNames;
    private final int[] wireToSim;
    private final float[] hold;
    private volatile float[] command;
    private volatile long received, rejected, resets;
    private volatile boolean resetRequested;
    private long steps;
    /** Whether a command drove every step of the current target period (none before discovery, after a reset, ...). */
    private boolean periodControlled = true;
    private final List<Double> finalDistances = Collections.synchronizedList(new ArrayList<>());
    private volatile long uncontrolledPeriods;
    /** lockstep: the commands counted when the last state went out, and the periods stepped without an answer to it. */
    private final boolean lockstep;
    private final long lockstepTimeoutNanos;
    private final Object commandArrived = new Object();
    private long receivedAtPublish;
    private volatile long lateCommands;

    public SimNode(RosParams p, RobotTask task) {
        this.task = task;
        lockstep = p.lockstep;
        lockstepTimeoutNanos = Math.round(p.lockstepTimeoutMs * 1e6);
        sim = new EmbeddedBackend(task.backendSpec());
        env = new RobotEnv(task, sim, p.seed);
        env.reset(p.seed);
        List<String> names = new ArrayList<>(sim.simulator().jointNames());
        if (p.shuffleJointOrder) Collections.shuffle(names, new Random(p.seed));
        names.addAll(p.extraJoints);
        wireNames = List.copyOf(names);
        wireToSim = wireNames.stream().mapToInt(n -> sim.simulator().jointNames().indexOf(n)).toArray();
        for (String n : wireNames) {
            js.getName().add(n);
            js.getEffort().add(0.0);
        }
        hold = new float[task.actuatedJoints.size()];
        holdStartPose();
        node = Ros2.node(p);
        JointStatePubSubType js = new JointStatePubSubType();
        jointPub = node.createPublisher(js, node.createPublisherAttributes(js, p.resolve(p.jointStateTopics.get(0)), Ros2.qos(p.jointStateQos)));
        PointStampedPubSubType pt = new PointStampedPubSubType();
        targetPub = node.createPublisher(pt, node.createPublisherAttributes(pt, p.resolve(p.targetTopic), Ros2.qos("reliable")));
        if (task.floatingBase) {
            ImuPubSubType it = new ImuPubSubType();
            imuPub = node.createPublisher(it, node.createPublisherAttributes(it, p.resolve(p.imuTopic), Ros2.qos("sensor_data")));
            OdometryPubSubType ot = new OdometryPubSubType();
            odomPub = node.createPublisher(ot, node.createPublisherAttributes(ot, p.resolve(p.odomTopic), Ros2.qos("sensor_data")));
            imuMsg.getHeader().setFrameId(task.robot.root());
            odomMsg.getHeader().setFrameId("odom");
            odomMsg.setChildFrameId(task.robot.root());
        } else {
            imuPub = null;
            odomPub = null;
        }
        String cmdTopic = p.resolve(p.commandTopic(task.commandInterface));
        Float64MultiArray commandMsg = new Float64MultiArray();
        SampleInfo info = new SampleInfo();
        input.subscribe(node, new Float64MultiArrayPubSubType(), cmdTopic, Ros2.qos(p.commandQos), sub -> {
            synchronized (commandMsg) {
                if (sub.takeNextData(commandMsg, info)) onCommand(commandMsg);
            }
        });
        input.subscribe(node, new EmptyPubSubType(), p.resolve(p.resetTopic), Ros2.qos("reliable"), sub -> {
            if (sub.takeNextData() != null) resetRequested = true;
        });
        loop = new ControlLoop("sim-" + task.name, task.controlRateHz, 0, this::tick);
        LOG.info("sim: {} on domain {}: joint states on {}, commands on {} ({} interface, {} Hz)", task.name, p.domain(),
                p.resolve(p.jointStateTopics.get(0)), cmdTopic, task.commandInterface, task.controlRateHz);
    }

    public SimNode start() {
        loop.start();
        return this;
    }

    private void onCommand(Float64MultiArray m) {
        int n = task.actuatedJoints.size();
        if (m.getData().size() != n) {
            rejected++;
            LOG.warn("sim: command with {} values ignored; {} actuates {} joints {}", m.getData().size(), task.name, n, task.actuatedJoints);
            return;
        }
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            double v = m.getData().get(i);
            if (!Double.isFinite(v)) {
                rejected++;
                LOG.warn("sim: command for joint '{}' is {}; ignored", task.actuatedJoints.get(i), v);
                return;
            }
            c[i] = (float) v;
        }
        synchronized (commandArrived) {
            command = c;
            received++;
            commandArrived.notifyAll();
        }
    }

    /** lockstep: waits (bounded) for a command sent after the last state went out; counts the periods that went on without one. */
    private void awaitAnswer() {
        synchronized (commandArrived) {
            if (received == 0) return; // no controller yet: real time
            long deadline = System.nanoTime() + lockstepTimeoutNanos;
            while (received == receivedAtPublish && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    lateCommands++;
                    return;
                }
                try {
                    commandArrived.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * What the joints are commanded until a controller speaks: the pose the episode started in, once,
     * as a ros2_control controller holds the state it was activated in. (Chasing the measured
     * position every period instead let a legged robot fold under its own weight before the node came.)
     */
    private void holdStartPose() {
        Space.Box box = (Space.Box) env.actionSpace();
        for (int i = 0; i < hold.length; i++) {
            int j = sim.simulator().jointIndex(task.actuatedJoints.get(i));
            hold[i] = task.commandInterface.equals("position") ? (float) Math.max(box.low()[i], Math.min(box.high()[i], sim.simulator().position(j))) : 0f;
        }
    }

    private void tick() {
        if (resetRequested) { // a new episode: fresh initial state and target, and no stale command
            resetRequested = false;
            env.reset(null);
            command = null;
            holdStartPose();
            resets++;
            publish();
            return;
        }
        if (lockstep) awaitAnswer();
        float[] c = command;
        if (c == null) { // no command yet: hold the episode's start pose
            periodControlled = false;
            c = hold;
        }
        env.step(c);
        steps++;
        if (steps % task.episodeSteps == 0) {
            if (periodControlled) finalDistances.add(env.distance());
            else uncontrolledPeriods++;
            periodControlled = true;
            env.resampleTarget();
        }
        publish();
    }

    /**
     * Runs on the loop thread only: the messages are refilled, not reallocated (publish serialises at
     * once). The base's IMU and odometry go out before the joint state, so a deploy node that acts on
     * each joint state (trigger joint_state) sees the base of the same instant, as in training.
     */
    private void publish() {
        long wall = System.currentTimeMillis();
        js.getHeader().getStamp().setSec((int) (wall / 1000));
        js.getHeader().getStamp().setNanosec((wall % 1000) * 1_000_000L);
        if (imuPub != null) {
            sim.baseState(base);
            double[] o = base.orientation;
            imuMsg.getHeader().getStamp().set(js.getHeader().getStamp());
            imuMsg.getOrientation().set(o[1], o[2], o[3], o[0]);
            base.toBody(base.angularVelocity, body);
            imuMsg.getAngularVelocity().set(body[0], body[1], body[2]);
            imuPub.publish(imuMsg);
            odomMsg.getHeader().getStamp().set(js.getHeader().getStamp());
            odomMsg.getPose().getPose().getPosition().set(base.position[0], base.position[1], base.position[2]);
            odomMsg.getPose().getPose().getOrientation().set(o[1], o[2], o[3], o[0]);
            base.toBody(base.linearVelocity, body);
            odomMsg.getTwist().getTwist().getLinear().set(body[0], body[1], body[2]);
            base.toBody(base.angularVelocity, body);
            odomMsg.getTwist().getTwist().getAngular().set(body[0], body[1], body[2]);
            odomPub.publish(odomMsg);
        }
        js.getPosition().resetQuick();
        js.getVelocity().resetQuick();
        for (int k = 0; k < wireNames.size(); k++) {
            int i = wireToSim[k];
            js.getPosition().add(i >= 0 ? sim.simulator().position(i) : 0.0);
            js.getVelocity().add(i >= 0 ? sim.simulator().velocity(i) : 0.0);
        }
        synchronized (commandArrived) {
            receivedAtPublish = received; // before the state goes out: an answer can come at once
        }
        jointPub.publish(js);
        if (task.targetMin != null) {
            double[] g = env.target();
            targetMsg.getPoint().set(g[0], g[1], g[2]);
            targetPub.publish(targetMsg);
        }
    }

    /** The simulated base's pose and velocity now (world frame). */
    public void baseState(BaseState out) {
        sim.baseState(out);
    }

    /** Fingertip distance to the current target (m). */
    public double distance() {
        return env.distance();
    }

    /**
     * Fingertip distance at the end of each target period in which a command drove every step (m):
     * periods spent holding still (before a controller is discovered, after it went silent) say
     * nothing about the controller and are only counted, by {@link #uncontrolledPeriods()}.
     */
    public List<Double> finalDistances() {
        return List.copyOf(finalDistances);
    }

    public long uncontrolledPeriods() {
        return uncontrolledPeriods;
    }

    public long commandsReceived() {
        return received;
    }

    public long resets() {
        return resets;
    }

    public long commandsRejected() {
        return rejected;
    }

    private volatile boolean closed;

    /** Messages received that could not be taken (oversized or malformed) and were dropped. */
    public long droppedMessages() {
        return input.dropped();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            loop.close();
        }
        if (lateCommands > 0) LOG.warn("sim: {} periods stepped without the controller's answer within lockstep_timeout_ms", lateCommands);
        Ros2.destroy(node, input); // outside the monitor, which the command and reset handlers take
        env.close();
    }
}
