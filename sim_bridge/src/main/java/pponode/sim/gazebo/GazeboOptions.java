package pponode.sim.gazebo;

import com.google.protobuf.Message;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * How a {@link GazeboNode} joins a Gazebo Transport network. Defaults follow the library: the
 * partition is {@code hostname:username}, discovery uses multicast group 239.255.0.7 on ports
 * 10317 (topics) and 10318 (services). {@link #fromEnvironment()} reads the variables Gazebo
 * honours, the {@code GZ_*} names (gz-transport 12+) first, then the {@code IGN_*} ones
 * (ign-transport 8-11): processes with different partitions or IPs silently never see each other,
 * so every process of one training run must agree on them.
 */
public record GazeboOptions(String partition, String hostIp, String msgPrefix, String multicastGroup, int msgPort, int srvPort,
        List<String> relays, boolean verbose) {

    /** Message type prefix of Ignition (Citadel, Fortress: ign-transport 8-11). */
    public static final String IGNITION = "ignition.msgs";
    /** Message type prefix of Gazebo Garden, Harmonic and later (gz-transport 12+). */
    public static final String GZ = "gz.msgs";

    public GazeboOptions {
        if (partition == null || partition.isBlank()) throw new IllegalArgumentException("Gazebo partition must not be empty");
        if (partition.contains("@") || partition.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Gazebo partition '" + partition + "' must not contain '@' or whitespace");
        }
        if (!msgPrefix.equals(IGNITION) && !msgPrefix.equals(GZ)) {
            throw new IllegalArgumentException("msg_prefix must be '" + IGNITION + "' (Fortress and older) or '" + GZ + "' (Garden and newer), got '" + msgPrefix + "'");
        }
        if (msgPort <= 0 || msgPort > 65535 || srvPort <= 0 || srvPort > 65535) throw new IllegalArgumentException("discovery ports must be 1..65535");
        relays = List.copyOf(relays);
    }

    public static GazeboOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static GazeboOptions fromEnvironment(Map<String, String> env) {
        String partition = var(env, "PARTITION");
        if (partition == null) partition = hostname() + ":" + System.getProperty("user.name", "user");
        String ip = var(env, "IP");
        if (ip == null) ip = defaultIp();
        String relay = var(env, "RELAY");
        List<String> relays = relay == null ? List.of() : List.of(relay.split(":"));
        String prefix = env.containsKey("GZ_PARTITION") || env.containsKey("GZ_IP") ? GZ : IGNITION;
        if (env.get("PPO_GZ_MSG_PREFIX") != null) prefix = env.get("PPO_GZ_MSG_PREFIX");
        return new GazeboOptions(partition, ip, prefix, orElse(var(env, "DISCOVERY_MULTICAST_IP"), "239.255.0.7"),
                port(env, "DISCOVERY_MSG_PORT", 10317), port(env, "DISCOVERY_SRV_PORT", 10318), relays, "1".equals(var(env, "VERBOSE")));
    }

    public GazeboOptions withPartition(String p) {
        return new GazeboOptions(p, hostIp, msgPrefix, multicastGroup, msgPort, srvPort, relays, verbose);
    }

    public GazeboOptions withMsgPrefix(String p) {
        return new GazeboOptions(partition, hostIp, p, multicastGroup, msgPort, srvPort, relays, verbose);
    }

    public GazeboOptions withHostIp(String ip) {
        return new GazeboOptions(partition, ip, msgPrefix, multicastGroup, msgPort, srvPort, relays, verbose);
    }

    /** The wire type name of a message, e.g. {@code ignition.msgs.WorldControl}. */
    public String typeName(Message m) {
        return msgPrefix + "." + m.getDescriptorForType().getName();
    }

    private static String var(Map<String, String> env, String name) {
        String v = env.get("GZ_" + name);
        if (v == null || v.isEmpty()) v = env.get("IGN_" + name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static String orElse(String v, String d) {
        return v == null ? d : v;
    }

    private static int port(Map<String, String> env, String name, int dflt) {
        String v = var(env, name);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GZ_/IGN_" + name + " must be a port number, got '" + v + "'");
        }
    }

    static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (Exception e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e2) {
                return "localhost";
            }
        }
    }

    /** As the library: the first up, non-loopback IPv4 address, else 127.0.0.1. */
    static String defaultIp() {
        for (String a : interfaceAddresses()) if (!a.startsWith("127.")) return a;
        return "127.0.0.1";
    }

    static List<String> interfaceAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) continue;
                for (InetAddress a : Collections.list(nif.getInetAddresses())) if (a instanceof Inet4Address) out.add(a.getHostAddress());
            }
        } catch (SocketException e) {
            // no interfaces listed: fall back to loopback
        }
        return out;
    }
}
