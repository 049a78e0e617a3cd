package pponode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two hosts on one machine: two Linux network namespaces joined only by a veth pair (each with its
 * own loopback, nothing shared), addresses {@link #A_IP} and {@link #B_IP}, multicast dropped
 * (nftables) so that discovery must go by unicast (relays, peers), as it must between hosts on a
 * network that does not route multicast. Needs root, iproute2 and nftables;
 * tests skip without it, and fail under PPO_REQUIRE_PEERS=1.
 */
public final class NetworkNamespaces implements AutoCloseable {
    public static final String A_IP = "10.231.0.1", B_IP = "10.231.0.2";
    public final String a, b;

    private NetworkNamespaces(String a, String b) {
        this.a = a;
        this.b = b;
    }

    /** Two fresh namespaces (names unique to this process), or a skip/failure when this machine cannot make them. */
    public static NetworkNamespaces create() throws IOException, InterruptedException {
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000) + Long.toString(System.nanoTime() % 1000);
        NetworkNamespaces n = new NetworkNamespaces("ppoA" + tag, "ppoB" + tag);
        String probe = run("ip", "netns", "add", n.a);
        Peers.require(probe.isEmpty(), "network namespaces (ip netns add: " + probe + ")", "apt-get install iproute2 nftables; run as root");
        try {
            String va = "va" + tag, vb = "vb" + tag;
            for (List<String> cmd : List.of(List.of("ip", "netns", "add", n.b), List.of("ip", "link", "add", va, "type", "veth", "peer", "name", vb),
                    List.of("ip", "link", "set", va, "netns", n.a), List.of("ip", "link", "set", vb, "netns", n.b),
                    List.of("ip", "-n", n.a, "addr", "add", A_IP + "/24", "dev", va), List.of("ip", "-n", n.b, "addr", "add", B_IP + "/24", "dev", vb),
                    List.of("ip", "-n", n.a, "link", "set", va, "multicast", "off", "up"), List.of("ip", "-n", n.b, "link", "set", vb, "multicast", "off", "up"),
                    List.of("ip", "-n", n.a, "link", "set", "lo", "up"), List.of("ip", "-n", n.b, "link", "set", "lo", "up"),
                    // the link carries no multicast (as a network that does not route it): dropped as it leaves, after the
                    // kernel's loopback copy, so each host's own multicast (a process hearing another on it) still works
                    List.of("ip", "netns", "exec", n.a, "nft", "add table netdev nomcast; add chain netdev nomcast in { type filter hook egress device " + va
                            + " priority 0; }; add rule netdev nomcast in ip daddr 224.0.0.0/4 drop"),
                    List.of("ip", "netns", "exec", n.b, "nft", "add table netdev nomcast; add chain netdev nomcast in { type filter hook egress device " + vb
                            + " priority 0; }; add rule netdev nomcast in ip daddr 224.0.0.0/4 drop"))) {
                String err = run(cmd.toArray(String[]::new));
                if (!err.isEmpty()) throw new IOException(String.join(" ", cmd) + ": " + err);
            }
            return n;
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /** {@code command} inside namespace {@code ns}, with {@code env} added to this process's environment. */
    public ProcessBuilder in(String ns, Map<String, String> env, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs a command; its error output ("" when it succeeded). */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? "" : out.isEmpty() ? "exit code " + p.exitValue() : out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "netns", "del", a); // deleting a namespace deletes the veth end in it, and with it the pair
        run("ip", "netns", "del", b);
    }
}
