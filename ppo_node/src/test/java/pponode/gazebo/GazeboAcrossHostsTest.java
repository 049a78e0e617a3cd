package pponode.gazebo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /**
     * One batch over worlds on two other hosts: host B serves reacher_2dof_0 and host C
     * reacher_2dof_1 ({@code gazebo-world --first K}), each on its own link to the learner's host,
     * which names both as relays; num_envs=2 steps both in every control period.
     */
    @Test
    void oneBatchStepsWorldsOnTwoOtherHosts(@TempDir Path dir) throws Exception {
        Peers.requireDartWorld();
        String partition = "ppo_hosts2_" + Long.toHexString(System.nanoTime());
        try (NetworkNamespaces hosts = NetworkNamespaces.create(2)) {
            List<Process> worlds = new ArrayList<>();
            List<List<String>> outs = new ArrayList<>();
            try {
                for (int k = 0; k < 2; k++) {
                    List<String> out = new CopyOnWriteArrayList<>();
                    Process world = hosts.in(hosts.hosts.get(k), Map.of(), PpoNodeCommand.of("gazebo-world", "--task", "reacher_2dof", "--first", Integer.toString(k),
                            "--partition", partition, "--ip", NetworkNamespaces.hostIp(k))).redirectErrorStream(true).start();
                    worlds.add(world);
                    outs.add(out);
                    Thread reader = new Thread(() -> {
                        try (BufferedReader r = new BufferedReader(new InputStreamReader(world.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String l = r.readLine(); l != null; l = r.readLine()) out.add(l);
                        } catch (IOException e) {
                            out.add("READ-ERROR " + e);
                        }
                    });
                    reader.setDaemon(true);
                    reader.start();
                }
                long end = System.currentTimeMillis() + 120_000; // the first start compiles the world (about 20 s)
                for (int k = 0; k < 2; k++) {
                    List<String> out = outs.get(k);
                    String served = "reacher_2dof_" + k + "/reacher_2dof_" + k;
                    while (out.stream().noneMatch(l -> l.contains("Ctrl-C stops")) && worlds.get(k).isAlive() && System.currentTimeMillis() < end) Thread.sleep(50);
                    assertTrue(out.stream().anyMatch(l -> l.contains(served) && l.contains("Ctrl-C stops")), "host " + k + " serves world " + served + ": " + out);
                }

                Process train = hosts.in(hosts.a, Map.of("IGN_RELAY", NetworkNamespaces.hostIp(0) + ":" + NetworkNamespaces.hostIp(1)), PpoNodeCommand.of("train", "--task",
                        "reacher_2dof", "--sim", "gazebo", "--gazebo", "partition=" + partition, "--gazebo", "ip=" + NetworkNamespaces.A_IP, "--set", "num_envs=2", "--set",
                        "rollout_steps=256", "--steps", "1024", "--seed", "3", "--out", dir.toString(), "--name", "two_hosts", "--no-progress", "--json"))
                        .redirectError(dir.resolve("train.log").toFile()).start();
                String out = new String(train.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(train.waitFor(180, TimeUnit.SECONDS), "train finished");
                String log = Files.readString(dir.resolve("train.log"));
                System.out.println(out + log);
                assertEquals(0, train.exitValue(), log);
                assertTrue(out.contains("\"steps\":1024"), out);
                List<String> episodes = Files.readAllLines(dir.resolve("two_hosts/episodes.csv"));
                for (String env : List.of("0", "1")) {
                    assertTrue(episodes.stream().skip(1).anyMatch(l -> l.split(",")[1].equals(env)), "episodes from the world of env " + env + ": " + episodes);
                }
            } finally {
                for (Process world : worlds) {
                    world.destroy();
                    if (!world.waitFor(20, TimeUnit.SECONDS)) world.destroyForcibly().waitFor();
                }
                for (List<String> o : outs) System.out.println(String.join("\n", o));
            }
        }
    }
}
