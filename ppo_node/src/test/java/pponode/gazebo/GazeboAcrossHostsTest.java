package pponode.gazebo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.NetworkNamespaces;
import pponode.PpoNodeCommand;
import pponode.Peers;

/**
 * The learner and a Gazebo world on two "hosts": two network namespaces joined by a veth pair
 * with multicast off, so discovery crosses only through Gazebo Transport's relays (IGN_RELAY, as
 * docs/GAZEBO.md's recipe for real hosts sets it). The world is the real C++ library's; the
 * learner trains against it in lockstep and evaluates.
 */
@Tag("slow") // builds and starts a DART world, trains through it: left out of -Pquick
class GazeboAcrossHostsTest {
    @Test
    void aLearnerTrainsAgainstAWorldOnAnotherHostThroughRelays(@TempDir Path dir) throws Exception {
        Peers.requireDartWorld();
        String partition = "ppo_hosts_" + Long.toHexString(System.nanoTime());
        try (NetworkNamespaces hosts = NetworkNamespaces.create()) {
            List<String> worldOut = new CopyOnWriteArrayList<>();
            Process world = hosts.in(hosts.b, Map.of(), PpoNodeCommand.of("gazebo-world", "--task", "reacher_2dof", "--partition", partition,
                    "--ip", NetworkNamespaces.B_IP)).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(world.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) worldOut.add(l);
                } catch (IOException e) {
                    worldOut.add("READ-ERROR " + e);
                }
            });
            reader.start();
            try {
                long end = System.currentTimeMillis() + 120_000; // the first start compiles the world (about 20 s)
                while (worldOut.stream().noneMatch(l -> l.contains("Ctrl-C stops")) && world.isAlive() && System.currentTimeMillis() < end) Thread.sleep(50);
                assertTrue(worldOut.stream().anyMatch(l -> l.contains("Ctrl-C stops")), "the world started on host B: " + worldOut);

                // without a relay nothing crosses: the link carries no multicast, so discovery finds no world
                Process alone = hosts.in(hosts.a, Map.of(), PpoNodeCommand.of("eval", "--sim", "gazebo", "--gazebo", "partition=" + partition, "--gazebo",
                        "ip=" + NetworkNamespaces.A_IP, "--gazebo", "connect_timeout_ms=3000", "--policy", "../urdf/policies/reacher_2dof.onnx", "--episodes", "1"))
                        .redirectErrorStream(true).start();
                String refused = new String(alone.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(alone.waitFor(60, TimeUnit.SECONDS));
                assertEquals(2, alone.exitValue(), refused);
                assertTrue(refused.contains("cannot reach the Gazebo world 'reacher_2dof'"), refused);

                Process train = hosts.in(hosts.a, Map.of("IGN_RELAY", NetworkNamespaces.B_IP), PpoNodeCommand.of("train", "--task", "reacher_2dof", "--sim", "gazebo", "--gazebo",
                        "partition=" + partition, "--gazebo", "ip=" + NetworkNamespaces.A_IP, "--set", "num_envs=1", "--set", "rollout_steps=512", "--steps", "1024", "--seed", "3", "--out", dir.toString(), "--name", "across",
                        "--no-progress", "--json")).redirectError(dir.resolve("train.log").toFile()).start();
                String out = new String(train.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(train.waitFor(180, TimeUnit.SECONDS), "train finished");
                String log = Files.readString(dir.resolve("train.log"));
                System.out.println(out + log);
                assertEquals(0, train.exitValue(), log);
                assertTrue(out.contains("\"steps\":1024") && out.contains("\"eval_final_distance\""), "trained 1024 steps in the world on host B and judged it there: " + out);
                assertTrue(Files.readAllLines(dir.resolve("across/episodes.csv")).size() > 5, "episodes from the remote world were logged");
            } finally {
                world.destroy(); // SIGTERM: gazebo-world stops its world
                if (!world.waitFor(20, TimeUnit.SECONDS)) world.destroyForcibly().waitFor();
                reader.join();
                System.out.println(String.join("\n", worldOut));
            }
        }
    }
}
