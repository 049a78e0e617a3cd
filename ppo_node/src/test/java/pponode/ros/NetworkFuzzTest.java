package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestDomains;
import pponode.TestSupport;
import pponode.env.EnvRegistry;
import pponode.onnx.OnnxPolicy;
import pponode.teleop.RosOperatorChannel;
import pponode.teleop.TeleopConfig;

/**
 * No message a ROS 2 participant can send crashes the node or stops its control: an independent
 * CycloneDDS peer (fuzz_peer.c) sends every topic the deploy node and the teleop channel read
 * 300-character and 100 KiB strings, 5000-joint and empty sequences, NaN/Inf, names and positions
 * of different lengths and a 10 kHz burst, then ordinary traffic. Before NetworkInput, the first
 * long frame_id overran Fast DDS's buffer and the JVM died (SIGSEGV or heap corruption, exit 134).
 */
class NetworkFuzzTest {
    @TempDir
    Path dir;

    @Test
    void hostileTrafficOnEveryTopicTheNodeReads() throws Exception {
        Path peer = CycloneDdsPeer.build(dir, "fuzz_peer");
        Path onnx = TestSupport.exportedPolicy("reacher_2dof", dir.resolve("policy.onnx"), "num_envs=2", "rollout_steps=128", "minibatch_size=128",
                "n_epochs=2", "total_timesteps=512", "seed=4");
        RosParams p = new RosParams();
        p.domainId = TestDomains.claim();
        p.task = "reacher_2dof";
        RosParams teleop = new RosParams();
        teleop.domainId = p.domainId;
        teleop.nodeName = "ppo_node_teleop";
        TeleopConfig tc = new TeleopConfig().apply(List.of("ros_topic=/ppo_node/teleop/cmd"));
        AtomicLong teleopMessages = new AtomicLong();
        RosNode teleopNode = Ros2.node(teleop);
        Map<String, String> sent = new LinkedHashMap<>();
        try (OnnxPolicy op = OnnxPolicy.load(onnx); DeployNode node = new DeployNode(p, op, EnvRegistry.task("reacher_2dof")).start()) {
            RosOperatorChannel channel = new RosOperatorChannel(teleopNode, tc, (payload, from) -> {
                teleopMessages.incrementAndGet();
                return null;
            });
            AtomicBoolean longFrameTarget = new AtomicBoolean(); // the target that only the 300-character frame_id messages carry
            AtomicBoolean controlAfterFuzz = new AtomicBoolean();
            Thread watch = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    double[] t = node.target();
                    if (t != null && t[0] == 0.05 && t[1] == 0.15) longFrameTarget.set(true);
                    if (t != null && t[0] == 0.12 && !node.safe()) controlAfterFuzz.set(true); // the last phase's target, and the policy acting
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watch.start();
            Process fuzz = new ProcessBuilder(peer.toString(), String.valueOf(p.domainId), p.resolve(p.commandTopic("position")), tc.rosTopic)
                    .redirectErrorStream(true).start();
            String out = new String(fuzz.getInputStream().readAllBytes());
            assertTrue(fuzz.waitFor(120, TimeUnit.SECONDS), "the peer finished");
            watch.interrupt();
            watch.join();
            assertEquals(0, fuzz.exitValue(), out);
            for (String line : out.lines().filter(l -> l.startsWith("SENT ") || l.startsWith("CMDS ")).toList()) {
                String[] f = line.split(" ");
                sent.put(f[0].equals("CMDS") ? "commands_after" : f[1], f[f.length - 1]);
            }
            System.out.printf("network fuzz: sent %s; the node dropped %d undecodable messages, the teleop channel %d, %d teleop messages delivered; "
                    + "%d commands published (%d safe), %d missed deadlines%n", sent, node.droppedMessages(), channel.dropped(), teleopMessages.get(),
                    node.published(), node.safeTicks(), node.missedDeadlines());
            assertEquals(List.of("long_frame_id", "huge_frame_id", "long_names", "mismatched", "empty", "non_finite", "many_joints", "teleop_long", "burst",
                    "normal", "commands_after"), List.copyOf(sent.keySet()), out);
            // the node survived and still controls the robot: 3 s of ordinary traffic at the end get about 150 commands at 50 Hz
            assertTrue(Integer.parseInt(sent.get("commands_after")) >= 50, "commands after the fuzz: " + out);
            assertTrue(controlAfterFuzz.get(), "the policy was in control during the ordinary traffic after the fuzz");
            assertTrue(longFrameTarget.get(), "the target with a 300-character frame_id was accepted");
            assertArrayEquals(new double[] {0.12, -0.08, 0.0}, node.target(), 1e-12, "and the ordinary one after it");
            assertTrue(teleopMessages.get() >= 20, "the 300-character teleop commands reached the channel: " + teleopMessages.get());
            // beyond the 64 KiB limit but within Fast DDS's 256 KiB slots: taken off the wire, dropped and counted
            assertTrue(node.droppedMessages() >= Long.parseLong(sent.get("huge_frame_id")), "every 100 KiB frame_id counted as dropped: " + node.droppedMessages());
            assertTrue(channel.dropped() >= 1, "the 100 KiB teleop command counted as dropped: " + channel.dropped());
        } finally {
            teleopNode.destroy();
        }
    }
}
