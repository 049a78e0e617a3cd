package pponode.benchmark;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import pponode.log.Json;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.onnx.OnnxPolicy;
import pponode.ros.DeployNode;
import pponode.ros.RealtimeThreads;
import pponode.ros.Ros2;
import pponode.ros.RosParams;
import pponode.runner.OnPolicyRunner;
import sensor_msgs.msg.dds.JointState;
import sensor_msgs.msg.dds.JointStatePubSubType;
import std_msgs.msg.dds.Float64MultiArray;
import std_msgs.msg.dds.Float64MultiArrayPubSubType;
import us.ihmc.pubsub.common.SampleInfo;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * joint_states → command latency through DDS on loopback: a robot node publishes JointState at a
 * fixed rate (reliable), the deploy node acts on every message (trigger=joint_state) and publishes
 * the command, the robot node timestamps its arrival. Commands arrive in order, so the i-th command
 * answers the i-th state. A deadline is missed when the answer takes longer than one period or
 * never comes.
 */
public final class RosBench {
    /**
     * Untimed messages first. At 500 Hz a method called once per message reaches the JIT's C2
     * threshold only after ~10,000 calls; until then compiler threads compete for the cores and
     * the tail measures them, not the node.
     */
    static final long WARMUP_MS = Long.getLong("pponode.bench.warmupMs", 20_000L);
    private static final boolean TRACE = Boolean.getBoolean("pponode.bench.trace");

    private RosBench() {}

    public static Map<String, Object> run(Path policyFile, String taskName, double rateHz, double seconds, int threadPriority) throws Exception {
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
        // send times by sequence number: the i-th command answers the i-th state (reliable, in order);
        // a ring, not a queue of boxed longs, so the harness makes no garbage of its own
        long[] sentAt = new long[1 << 12];
        AtomicLong sentSeq = new AtomicLong(), answeredSeq = new AtomicLong();
        Histogram h = new Histogram(10_000_000_000L, 3);
        AtomicLong received = new AtomicLong(), late = new AtomicLong();
        long period = Math.round(1e9 / rateHz);
        boolean[] measuring = {false};
        long[] t0Bench = {0};
        try (OnnxPolicy op = OnnxPolicy.load(file); DeployNode node = new DeployNode(p, op, task).start()) {
            ROS2Node robot = Ros2.node(robotP);
            try {
                Float64MultiArrayPubSubType fa = new Float64MultiArrayPubSubType();
                Float64MultiArray answer = new Float64MultiArray();
                SampleInfo info = new SampleInfo();
                robot.createSubscription(fa, sub -> {
                    if (!sub.takeNextData(answer, info)) return;
                    long now = System.nanoTime();
                    long seq = answeredSeq.get();
                    if (seq >= sentSeq.get()) return; // an answer to a state sent before the counters were reset
                    answeredSeq.set(seq + 1);
                    long t0 = sentAt[(int) (seq & (sentAt.length - 1))];
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
                }, robot.createSubscriberAttributes(p.resolve(p.commandTopic(task.commandInterface)), fa, Ros2.qos("reliable")));
                geometry_msgs.msg.dds.PointStampedPubSubType pt = new geometry_msgs.msg.dds.PointStampedPubSubType();
                ROS2PublisherBasics<geometry_msgs.msg.dds.PointStamped> targetPub = robot.createPublisher(pt,
                        robot.createPublisherAttributes(pt, p.targetTopic, Ros2.qos("reliable")));
                JointStatePubSubType js = new JointStatePubSubType();
                ROS2PublisherBasics<JointState> pub = robot.createPublisher(js, robot.createPublisherAttributes(js, "/joint_states", Ros2.qos("reliable")));
                List<String> names = task.robot.movableJoints().stream().map(j -> j.name()).toList();
                JointState s = new JointState(); // reused: publish serialises it at once
                for (String n : names) {
                    s.getName().add(n);
                    s.getVelocity().add(0.0);
                }
                // the simulated robot shares this process: its DDS threads and its publishing loop get the
                // priority a robot driver's would (ros2_control's controller manager runs at SCHED_FIFO 50)
                String rt = RealtimeThreads.promoteDds(threadPriority);
                if (rt == null) rt = RealtimeThreads.promoteCurrentThread(threadPriority);
                String scheduling = threadPriority == 0 ? "ordinary scheduling" : rt == null ? "SCHED_FIFO " + threadPriority : "ordinary scheduling (" + rt + ")";
                long sentCount = 0;
                long warmupEnd = System.nanoTime() + WARMUP_MS * 1_000_000L, end = Long.MAX_VALUE;
                HeapWatch heap = null;
                long deadline = System.nanoTime();
                while (true) {
                    deadline += period;
                    long now;
                    // park, do not spin: on a 2-core machine a spinning publisher takes a core from the node under test
                    while ((now = System.nanoTime()) < deadline) LockSupport.parkNanos(deadline - now);
                    if (now > end) break;
                    boolean m = now > warmupEnd;
                    if (m && !measuring[0]) {
                        // start measuring with an empty young generation (as JMH does between
                        // iterations): what the warm-up and the start-up left there is not the node's
                        System.gc();
                        Thread.sleep(50); // let warm-up answers drain
                        answeredSeq.set(sentSeq.get());
                        heap = HeapWatch.start();
                        synchronized (h) {
                            h.reset();
                        }
                        received.set(0);
                        late.set(0);
                        sentCount = 0;
                        measuring[0] = true;
                        t0Bench[0] = System.nanoTime();
                        deadline = t0Bench[0];
                        end = t0Bench[0] + (long) (seconds * 1e9);
                        continue;
                    }
                    s.getPosition().resetQuick();
                    for (int i = 0; i < names.size(); i++) s.getPosition().add(0.1 * i + 1e-4 * (sentCount % 100));
                    if (!measuring[0] && sentCount % 500 == 0) { // during warm-up: a target sent before discovery matched is lost (volatile durability)
                        geometry_msgs.msg.dds.PointStamped t = new geometry_msgs.msg.dds.PointStamped();
                        t.getPoint().set(0.1, 0.05, 0);
                        targetPub.publish(t);
                    }
                    long seq = sentSeq.get();
                    sentAt[(int) (seq & (sentAt.length - 1))] = System.nanoTime();
                    sentSeq.set(seq + 1);
                    pub.publish(s);
                    sentCount++;
                }
                HeapWatch.Report gc = heap.stop();
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
                j.put("gc_pauses", gc.collections());
                j.put("gc_pause_ms", Json.round(gc.pauseMillis(), 1));
                j.put("allocated_kb_per_s", gc.collections() == 0 ? Json.round(gc.allocatedBytes() / 1e3 / seconds, 1) : null);
                System.err.printf("joint_states → command through DDS (loopback, %s, %s, %.0f Hz, %.0f s, %,d messages): p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.0f µs; "
                                + "%d answers later than a period (%.1f ms), %d lost%n", task.name, scheduling, rateHz, seconds, sentCount, h.getValueAtPercentile(50) / 1e3,
                        h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, late.get(), period / 1e6, Math.max(0, lost));
                System.err.println(gc.collections() == 0
                        ? String.format("no garbage collection while measuring; the process allocated about %.0f KB/s (%.0f bytes per message; eden is counted in regions)", gc.allocatedBytes() / 1e3 / seconds,
                                gc.allocatedBytes() / (double) Math.max(1, sentCount))
                        : String.format("%d garbage collections while measuring, %.1f ms of pauses", gc.collections(), gc.pauseMillis()));
                return j;
            } finally {
                robot.destroy();
            }
        }
    }

    /**
     * Collections and heap allocation over the measured interval. A young collection pauses every
     * Java thread for milliseconds, so at 500 Hz each one can cost a deadline; the allocation rate
     * says how often one comes (eden size / rate). Allocation is read from the eden pool, so it is
     * only known for an interval without a collection.
     */
    record HeapWatch(long collections, long pauseMillis, long edenUsed) {
        record Report(long collections, double pauseMillis, long allocatedBytes) {}

        static HeapWatch start() {
            long[] c = counts();
            return new HeapWatch(c[0], c[1], eden());
        }

        Report stop() {
            long[] c = counts();
            return new Report(c[0] - collections, c[1] - pauseMillis, eden() - edenUsed);
        }

        private static long[] counts() {
            long n = 0, ms = 0;
            for (var g : ManagementFactory.getGarbageCollectorMXBeans()) {
                n += Math.max(0, g.getCollectionCount());
                ms += Math.max(0, g.getCollectionTime());
            }
            return new long[] {n, ms};
        }

        private static long eden() {
            for (var p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getName().contains("Eden")) return p.getUsage().getUsed();
            }
            return 0;
        }
    }
}
