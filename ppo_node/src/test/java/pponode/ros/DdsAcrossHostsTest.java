package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.NetworkNamespaces;
import pponode.PpoNodeCommand;
import pponode.TestDomains;

/**
 * The learner and a simulated robot on two "hosts" (network namespaces joined by a veth pair that
 * carries no multicast): DDS's multicast discovery cannot cross, ROS 2's static peers
 * ({@code ROS_STATIC_PEERS}, on the learner's side only) can. docs/ROS2.md has the same recipe for
 * real hosts.
 */
@Tag("slow") // two JVMs per run, DDS discovery across the link: left out of -Pquick
class DdsAcrossHostsTest {
    @Test
    void theLearnerStepsARobotOnAnotherHostThroughStaticPeers(@TempDir Path dir) throws Exception {
        int domain = TestDomains.claim();
        try (NetworkNamespaces hosts = NetworkNamespaces.create()) {
            Process sim = hosts.in(hosts.b, Map.of(), PpoNodeCommand.of("sim", "--task", "reacher_2dof", "--param", "domain_id=" + domain)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sim.log").toFile()).start();
            try {
                // without peers nothing crosses: the robot's joint states never arrive
                Run alone = train(hosts, dir, Map.of(), domain, "alone");
                assertEquals(2, alone.code(), alone.output());
                assertTrue(alone.output().contains("no joint states on [/joint_states]"), alone.output());
                // with the robot's host as a static peer the learner finds it and trains
                Run peered = train(hosts, dir, Map.of("ROS_STATIC_PEERS", NetworkNamespaces.B_IP), domain, "peered");
                System.out.println(peered.output());
                assertEquals(0, peered.code(), peered.output() + Files.readString(dir.resolve("sim.log")));
                assertTrue(peered.output().contains("\"steps\":256") && peered.output().contains("\"eval_final_distance\""), peered.output());
            } finally {
                sim.destroy();
                if (!sim.waitFor(20, TimeUnit.SECONDS)) sim.destroyForcibly().waitFor();
            }
        }
    }

    private record Run(int code, String output) {}

    private static Run train(NetworkNamespaces hosts, Path dir, Map<String, String> env, int domain, String name) throws Exception {
        Process p = hosts.in(hosts.a, env, PpoNodeCommand.of("train", "--task", "reacher_2dof", "--ros", "--ros-param", "domain_id=" + domain, "--set", "num_envs=1", "--set",
                "rollout_steps=256", "--set", "minibatch_size=128", "--steps", "256", "--out", dir.toString(), "--name", name, "--no-progress", "--json"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "train finished");
        return new Run(p.exitValue(), out);
    }
}
