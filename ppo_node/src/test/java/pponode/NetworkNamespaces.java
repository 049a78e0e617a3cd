package pponode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on one machine: a host A and one or more others, each a Linux network namespace joined to
 * A only by its own veth pair (each with its own loopback, nothing shared). Link k is the subnet
 * 10.231.k.0/24, A at .1 and host k at .2; every other host routes A's addresses over its link,
 * so A's first address ({@link #A_IP}) reaches all of them. Multicast is dropped on every link
 * (nftables), so discovery must go by unicast (relays, peers), as it must between hosts on a
 * network that does not route multicast. Needs root, iproute2 and nftables; tests skip without it,
 * and fail under PPO_REQUIRE_PEERS=1.
 */
public final class NetworkNamespaces implements AutoCloseable {
    public static final String A_IP = "10.231.0.1", B_IP = hostIp(0);
    /** Host A's namespace, and the first other host's. */
    public final String a, b;
    /** The other hosts' namespaces: host k at {@link #hostIp}(k). */
    public final List<String> hosts;

    private NetworkNamespaces(String a, List<String> hosts) {
        this.a = a;
        this.hosts = List.copyOf(hosts);
        this.b = hosts.get(0);
    }

    /** The address of the k-th host other than A. */
    public static String hostIp(int k) {
        return "10.231." + k + ".2";
    }

    /** Host A and one other host. */
    public static NetworkNamespaces create() throws IOException, InterruptedException {
        return create(1);
    }

    /** Host A and {@code others} more (names unique to this process), or a skip/failure when this machine cannot make them. */
    public static NetworkNamespaces create(int others) throws IOException, InterruptedException {
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000) + Long.toString(System.nanoTime() % 1000);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < others; k++) names.add("ppo" + (char) ('B' + k) + tag);
        NetworkNamespaces n = new NetworkNamespaces("ppoA" + tag, names);
        String probe = run("ip", "netns", "add", n.a);
        Peers.require(probe.isEmpty(), "network namespaces (ip netns add: " + probe + ")", "apt-get install iproute2 nftables; run as root");
        try {
            run(List.of("ip", "-n", n.a, "link", "set", "lo", "up"));
            for (int k = 0; k < others; k++) {
                String host = n.hosts.get(k), va = "va" + k + "x" + tag, vb = "vb" + k + "x" + tag;
                for (List<String> cmd : List.of(List.of("ip", "netns", "add", host), List.of("ip", "link", "add", va, "type", "veth", "peer", "name", vb),
                        List.of("ip", "link", "set", va, "netns", n.a), List.of("ip", "link", "set", vb, "netns", host),
                        List.of("ip", "-n", n.a, "addr", "add", "10.231." + k + ".1/24", "dev", va), List.of("ip", "-n", host, "addr", "add", hostIp(k) + "/24", "dev", vb),
                        List.of("ip", "-n", n.a, "link", "set", va, "multicast", "off", "up"), List.of("ip", "-n", host, "link", "set", vb, "multicast", "off", "up"),
                        List.of("ip", "-n", host, "link", "set", "lo", "up"), List.of("ip", "-n", host, "route", "add", "10.231.0.0/16", "dev", vb),
                        // the link carries no multicast (as a network that does not route it): dropped as it leaves, after the
                        // kernel's loopback copy, so each host's own multicast (a process hearing another on it) still works
                        List.of("ip", "netns", "exec", n.a, "nft", "add table netdev nomcast" + k + "; add chain netdev nomcast" + k + " in { type filter hook egress device " + va
                                + " priority 0; }; add rule netdev nomcast" + k + " in ip daddr 224.0.0.0/4 drop"),
                        List.of("ip", "netns", "exec", host, "nft", "add table netdev nomcast; add chain netdev nomcast in { type filter hook egress device " + vb
                                + " priority 0; }; add rule netdev nomcast in ip daddr 224.0.0.0/4 drop"))) {
                    run(cmd);
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        String err = run(cmd.toArray(String[]::new));
        if (!err.isEmpty()) throw new IOException(String.join(" ", cmd) + ": " + err);
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
        for (String host : hosts) run("ip", "netns", "del", host);
    }
}
