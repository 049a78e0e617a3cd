package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestDomains;
import pponode.TestSupport;
import pponode.ros.CycloneDdsPeer;

/**
 * `finetune --operator remote` with only an MQTT broker configured opens no DDS participant: a
 * CycloneDDS peer watching the domain the process would use (ROS_DOMAIN_ID) sees nobody while it
 * runs, and sees the node as soon as a ROS 2 operator topic is configured.
 */
@Tag("slow") // drives external peers: left out of -Pquick
class MqttOnlyFinetuneTest {
    @TempDir
    Path dir;

    /** A fine-tuning process under the ROS_DOMAIN_ID {@code domain}; returns its exit code. */
    private int finetune(int domain, Path onnx, String name, Mosquitto broker, String... teleop) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main",
                "finetune", "--policy", onnx.toString(), "--operator", "remote", "--steps", "128", "--set", "rollout_steps=128", "--set", "minibatch_size=64", "--out", dir.toString(), "--name", name,
                "--teleop", "broker=" + broker.uri(), "--teleop", "robot=arm1", "--teleop", "username=robot", "--teleop", "password=robot-pw",
                "--teleop", "client_id=ft-" + name));
        for (String t : teleop) cmd.addAll(List.of("--teleop", t));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("ROS_DOMAIN_ID", String.valueOf(domain));
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "finetune " + name + " ends");
        return p.exitValue();
    }

    @Test
    void mqttOnlyFinetuneOpensNoDdsParticipant() throws Exception {
        Path peerExe = CycloneDdsPeer.build(dir, "graph_peer");
        Path onnx = TestSupport.exportedPolicy("reacher_2dof", dir.resolve("policy.onnx"), "num_envs=2", "rollout_steps=128", "minibatch_size=128",
                "n_epochs=2", "total_timesteps=512", "seed=4");
        int domain = TestDomains.claim();
        List<String> seen = new CopyOnWriteArrayList<>();
        Process peer = new ProcessBuilder(peerExe.toString(), String.valueOf(domain), "300").redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream()))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) seen.add(l);
            } catch (IOException e) {
                seen.add("READ-ERROR " + e);
            }
        });
        reader.start();
        try (Mosquitto broker = new Mosquitto(dir, TeleopMqttTest.USERS, TeleopMqttTest.ACL)) {
            assertEquals(0, finetune(domain, onnx, "mqtt_only", broker), Files.readString(dir.resolve("mqtt_only.log")));
            List<String> participants = seen.stream().filter(l -> l.startsWith("PUP ")).toList();
            assertEquals(List.of(), participants, "no DDS participant on domain " + domain + " while MQTT-only fine-tuning ran");
            // the control: with a ROS 2 operator topic the same command does open one, and the peer sees it
            assertEquals(0, finetune(domain, onnx, "with_ros", broker, "ros_topic=/ppo_node/teleop/cmd"), Files.readString(dir.resolve("with_ros.log")));
            assertTrue(seen.stream().anyMatch(l -> l.startsWith("NODE ") && l.contains(" / ppo_node_teleop ")), "the ROS 2 operator node was seen: " + seen);
            System.out.printf("mqtt-only finetune: 0 DDS participants seen on domain %d; with teleop.ros_topic: %d%n", domain,
                    seen.stream().filter(l -> l.startsWith("PUP ")).count());
        } finally {
            peer.destroy();
            peer.waitFor(10, TimeUnit.SECONDS);
            reader.join();
        }
    }
}
