package pponode.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.onnx.OnnxPolicy;
import pponode.ppo.PPOConfig;
import pponode.ppo.Presets;
import pponode.ros.DeployNode;
import pponode.ros.Ros2;
import pponode.ros.RosParams;
import pponode.runner.OnPolicyRunner;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import std_msgs.msg.dds.Float64MultiArray;
import std_msgs.msg.dds.Float64MultiArrayPubSubType;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * joint_states → command latency through DDS on loopback: a robot node publishes JointState at a
 * fixed rate (reliable), the deploy node acts on every message (trigger=joint_state) and publishes
 * the command, the robot node timestamps its arrival. Commands arrive in order, so the i-th command
 * answers the i-th state. A deadline is missed when the answer takes longer than one period or
 * never comes.
 */
final class RosBench {
    /**
     * Untimed messages first. At 500 Hz a method called once per message reaches the JIT's C2
     * threshold only after ~10,000 calls; until then compiler threads compete for the cores and
     * the tail measures them, not the node.
     */
    static final long WARMUP_MS = Long.getLong("pponode.bench.warmupMs", 20_000L);
    private static final boolean TRACE = Boolean.getBoolean("pponode.bench.trace");

    private RosBench() {}

    static Map<String, Object> run(Path policyFile, String taskName, double rateHz, double seconds, int threadPriority) throws Exception {
        RobotTask task = EnvRegistry.task(taskName);
        Path file = policyFile;
        if (file == null) { // latency does not depend on training: an initialised policy will do
            PPOConfig c = new PPOConfig();
            Presets.apply(c, taskName);
            c.apply(List.of("num_envs=1", "rollout_steps=64", "minibatch_size=64", "total_timesteps=64"));
            file = Files.createTempFile("ppo-bench", ".onnx");
            file.toFile().deleteOnExit();
            try (OnPolicyRunner r = new OnPolicyRunner(c, s -> EnvRegistry.make(taskName, s), null)) {
                OnnxExporter.write(r.policy(), Deployment.metadata(taskName), file);
            }
        }
        RosParams p = new RosParams();
        p.domainId = 200 + (int) (ProcessHandle.current().pid() % 30);
        p.task = taskName;
        p.trigger = "joint_state";
        p.jointStateQos = "reliable";
        p.targetTopic = "/ppo_bench/target";
        p.threadPriority = threadPriority;
        RosParams robotP = new RosParams();
        robotP.domainId = p.domainId;
        robotP.nodeName = "ppo_bench_robot";
        ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
        Histogram h = new Histogram(10_000_000_000L, 3);
        AtomicLong received = new AtomicLong(), late = new AtomicLong();
        long period = Math.round(1e9 / rateHz);
        boolean[] measuring = {false};
        long[] t0Bench = {0};
        try (OnnxPolicy op = OnnxPolicy.load(file); DeployNode node = new DeployNode(p, op, task).start()) {
            ROS2Node robot = Ros2.node(robotP);
            try {
                Float64MultiArrayPubSubType fa = new Float64MultiArrayPubSubType();
                robot.createSubscription(fa, sub -> {
                    Float64MultiArray m = sub.takeNextData();
                    long now = System.nanoTime();
                    Long t0 = sent.poll();
                    if (m == null || t0 == null) return;
                    // the same code records warm-up and measured answers (the counters are reset when
                    // measuring starts): a branch first taken after warm-up would deoptimise JIT-compiled
                    // code and stall the pipeline right when the measurement begins
                    long lat = now - t0;
                    synchronized (h) {
                        h.recordValue(lat);
                    }
                    received.incrementAndGet();
                    if (lat > period) {
                        late.incrementAndGet();
                        if (TRACE) System.err.printf("late %.0f us at %.2f s%n", lat / 1e3, (now - t0Bench[0]) / 1e9);
                    }
                }, robot.createSubscriberAttributes(p.commandTopic(task.commandInterface), fa, Ros2.qos("reliable")));
                geometry_msgs.msg.dds.PointStampedPubSubType pt = new geometry_msgs.msg.dds.PointStampedPubSubType();
                ROS2PublisherBasics<geometry_msgs.msg.dds.PointStamped> targetPub = robot.createPublisher(pt,
                        robot.createPublisherAttributes(pt, p.targetTopic, Ros2.qos("reliable")));
                JointStatePubSubType js = new JointStatePubSubType();
                ROS2PublisherBasics<JointState> pub = robot.createPublisher(js, robot.createPublisherAttributes(js, "/joint_states", Ros2.qos("reliable")));
                List<String> names = task.robot.movableJoints().stream().map(j -> j.name()).toList();
                // the simulated robot shares this process: its DDS threads get the priority a robot driver's would
                String rt = pponode.ros.RealtimeThreads.promoteDds(threadPriority);
                String scheduling = threadPriority == 0 ? "ordinary scheduling" : rt == null ? "SCHED_FIFO " + threadPriority : "ordinary scheduling (" + rt + ")";
                long sentCount = 0;
                long warmupEnd = System.nanoTime() + WARMUP_MS * 1_000_000L, end = warmupEnd + (long) (seconds * 1e9);
                long deadline = System.nanoTime();
                while (true) {
                    deadline += period;
                    long now;
                    // park, do not spin: on a 2-core machine a spinning publisher takes a core from the node under test
                    while ((now = System.nanoTime()) < deadline) LockSupport.parkNanos(deadline - now);
                    if (now > end) break;
                    boolean m = now > warmupEnd;
                    if (m && !measuring[0]) {
                        Thread.sleep(50); // let warm-up answers drain
                        sent.clear();
                        synchronized (h) {
                            h.reset();
                        }
                        received.set(0);
                        late.set(0);
                        sentCount = 0;
                        measuring[0] = true;
                        t0Bench[0] = System.nanoTime();
                        deadline = System.nanoTime();
                        continue;
                    }
                    JointState s = new JointState();
                    for (int i = 0; i < names.size(); i++) {
                        s.getName().add(names.get(i));
                        s.getPosition().add(0.1 * i + 1e-4 * (sentCount % 100));
                        s.getVelocity().add(0.0);
                    }
                    if (!measuring[0] && sentCount == 0) { // once, before warm-up
                        geometry_msgs.msg.dds.PointStamped t = new geometry_msgs.msg.dds.PointStamped();
                        t.getPoint().set(0.1, 0.05, 0);
                        targetPub.publish(t);
                    }
                    sent.add(System.nanoTime());
                    pub.publish(s);
                    sentCount++;
                }
                Thread.sleep(100);
                if (node.safeTicks() > 0 && node.safe()) throw new IllegalStateException("the deploy node was not running the policy: " + node.reason());
                long lost = sentCount - received.get();
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("rate_hz", rateHz);
                j.put("seconds", seconds);
                j.put("messages", sentCount);
                j.put("p50_us", Json.round(h.getValueAtPercentile(50) / 1e3, 1));
                j.put("p99_us", Json.round(h.getValueAtPercentile(99) / 1e3, 1));
                j.put("p999_us", Json.round(h.getValueAtPercentile(99.9) / 1e3, 1));
                j.put("max_us", Json.round(h.getMaxValue() / 1e3, 1));
                j.put("missed_deadlines", late.get() + Math.max(0, lost));
                j.put("scheduling", scheduling);
                System.err.printf("joint_states → command through DDS (loopback, %s, %s, %.0f Hz, %.0f s, %,d messages): p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.0f µs; "
                                + "%d answers later than a period (%.1f ms), %d lost%n", task.name, scheduling, rateHz, seconds, sentCount, h.getValueAtPercentile(50) / 1e3,
                        h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, late.get(), period / 1e6, Math.max(0, lost));
                return j;
            } finally {
                robot.destroy();
            }
        }
    }
}
