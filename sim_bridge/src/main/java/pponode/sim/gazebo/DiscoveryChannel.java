package pponode.sim.gazebo;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import pponode.sim.gazebo.msgs.Discovery;

/**
 * One discovery channel of Gazebo Transport (the library runs one for topics and one for
 * services): UDP datagrams to a multicast group, each a 2-byte little-endian length followed by a
 * serialized {@code Discovery} of wire version 10. Every second it sends a heartbeat and
 * re-advertises this process's publishers; a process not heard from for 3 s is forgotten, as the
 * library does. Unicast relays ({@code IGN_RELAY}) get the same traffic with the relay flag.
 */
final class DiscoveryChannel implements AutoCloseable {
    static final int WIRE_VERSION = 10;
    static final long HEARTBEAT_MS = 1000, SILENCE_MS = 3000;
    private static final int MAX_DATAGRAM = 65535;

    interface Listener {
        void onMessage(Discovery msg);

        void onProcessGone(String processUuid);
    }

    private final String pUuid;
    private final int port;
    private final InetSocketAddress group;
    private final MulticastSocket recv, send;
    private final List<InetSocketAddress> relays = new CopyOnWriteArrayList<>();
    private final List<Discovery.Publisher> advertised = new CopyOnWriteArrayList<>();
    private final Map<String, Long> activity = new ConcurrentHashMap<>();
    private final Listener listener;
    private final Thread thread;
    private final boolean verbose;
    private volatile boolean closed;

    DiscoveryChannel(GazeboOptions o, String pUuid, int port, Listener listener) {
        this.pUuid = pUuid;
        this.port = port;
        this.listener = listener;
        this.verbose = o.verbose();
        try {
            InetAddress mcast = InetAddress.getByName(o.multicastGroup());
            group = new InetSocketAddress(mcast, port);
            recv = new MulticastSocket(null);
            recv.setReuseAddress(true);
            try {
                recv.setOption(StandardSocketOptions.SO_REUSEPORT, true); // the C++ library sets both
            } catch (UnsupportedOperationException e) {
                // not on this OS: SO_REUSEADDR alone lets several processes share the port
            }
            recv.bind(new InetSocketAddress(port));
            recv.setSoTimeout(100);
            List<String> ifaces = o.hostIp() != null ? List.of(o.hostIp()) : GazeboOptions.interfaceAddresses();
            NetworkInterface sendIf = null;
            for (String ip : ifaces) {
                NetworkInterface nif = NetworkInterface.getByInetAddress(InetAddress.getByName(ip));
                if (nif == null) throw new IllegalArgumentException("Gazebo host IP " + ip + " (IGN_IP/GZ_IP) is not an address of this machine");
                recv.joinGroup(group, nif);
                if (sendIf == null) sendIf = nif;
            }
            send = new MulticastSocket(new InetSocketAddress(InetAddress.getByName(o.hostIp()), 0));
            if (sendIf != null) send.setNetworkInterface(sendIf);
            send.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            for (String r : o.relays()) relays.add(new InetSocketAddress(InetAddress.getByName(r), port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open Gazebo discovery on UDP port " + port + " (group " + o.multicastGroup() + ", IP " + o.hostIp() + "): "
                    + e.getMessage(), e);
        }
        thread = new Thread(this::run, "gz-discovery-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    Discovery.Builder message(Discovery.Type type) {
        return Discovery.newBuilder().setVersion(WIRE_VERSION).setProcessUuid(pUuid).setType(type);
    }

    /** Adds a publisher this process offers: advertised now and with every heartbeat. */
    void advertise(Discovery.Publisher p) {
        advertised.add(p);
        send(message(Discovery.Type.ADVERTISE).setPub(p).build());
    }

    List<Discovery.Publisher> advertised() {
        return new ArrayList<>(advertised);
    }

    void send(Discovery msg) {
        if (closed) return;
        sendMulticast(msg);
        if (!relays.isEmpty()) {
            Discovery relayed = msg.toBuilder().setFlags(Discovery.Flags.newBuilder().setRelay(true)).build();
            for (InetSocketAddress r : relays) sendTo(relayed, r);
        }
        if (verbose) System.err.println("[gz-discovery " + port + "] sent " + msg.getType() + " " + topicOf(msg));
    }

    private void sendMulticast(Discovery msg) {
        sendTo(msg, group);
    }

    private void sendTo(Discovery msg, InetSocketAddress to) {
        byte[] body = msg.toByteArray();
        if (body.length + 2 > MAX_DATAGRAM) throw new IllegalArgumentException("discovery message too large: " + body.length + " bytes");
        byte[] buf = new byte[body.length + 2];
        buf[0] = (byte) body.length; // the library copies a host-order uint16: little-endian on every platform it ships for
        buf[1] = (byte) (body.length >>> 8);
        System.arraycopy(body, 0, buf, 2, body.length);
        try {
            send.send(new DatagramPacket(buf, buf.length, to));
        } catch (IOException e) {
            // as the library: EPERM/ENOBUFS on a busy or firewalled interface are not fatal, the heartbeat repeats
            if (verbose) System.err.println("[gz-discovery " + port + "] send to " + to + " failed: " + e.getMessage());
        }
    }

    private static String topicOf(Discovery m) {
        return m.hasPub() ? m.getPub().getTopic() : m.hasSub() ? m.getSub().getTopic() : "";
    }

    private void run() {
        byte[] buf = new byte[MAX_DATAGRAM];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        long nextBeat = 0;
        while (!closed) {
            long now = System.currentTimeMillis();
            if (now >= nextBeat) {
                send(message(Discovery.Type.HEARTBEAT).build());
                for (Discovery.Publisher pub : advertised) send(message(Discovery.Type.ADVERTISE).setPub(pub).build());
                nextBeat = now + HEARTBEAT_MS;
                expire(now);
            }
            try {
                p.setLength(buf.length);
                recv.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            int n = p.getLength();
            if (n < 2) continue;
            int len = (buf[0] & 0xff) | (buf[1] & 0xff) << 8;
            if (len + 2 != n) continue; // pre-8 framing or a foreign datagram: the library drops these too
            Discovery msg;
            try {
                msg = Discovery.parseFrom(ByteBuffer.wrap(buf, 2, len));
            } catch (InvalidProtocolBufferException e) {
                continue;
            }
            if (msg.getVersion() != WIRE_VERSION || msg.getProcessUuid().equals(pUuid)) continue;
            if (msg.hasFlags() && msg.getFlags().getRelay()) {
                // came by unicast from a relay: hand it to the local multicast group once, remember the relay
                sendMulticast(msg.toBuilder().setFlags(Discovery.Flags.newBuilder().setNoRelay(true)).build());
                InetSocketAddress from = new InetSocketAddress(p.getAddress(), port);
                if (!relays.contains(from)) relays.add(from);
                continue;
            } else if (!relays.isEmpty() && !(msg.hasFlags() && msg.getFlags().getNoRelay())) {
                Discovery relayed = msg.toBuilder().setFlags(Discovery.Flags.newBuilder().setRelay(true)).build();
                for (InetSocketAddress r : relays) sendTo(relayed, r);
            }
            activity.put(msg.getProcessUuid(), System.currentTimeMillis());
            if (verbose) System.err.println("[gz-discovery " + port + "] got " + msg.getType() + " " + topicOf(msg) + " from " + msg.getProcessUuid());
            if (msg.getType() == Discovery.Type.BYE) {
                activity.remove(msg.getProcessUuid());
                listener.onProcessGone(msg.getProcessUuid());
            } else {
                try {
                    listener.onMessage(msg);
                } catch (RuntimeException e) {
                    System.err.println("[gz-discovery " + port + "] handling " + msg.getType() + " failed: " + e);
                }
            }
        }
    }

    private void expire(long now) {
        for (Map.Entry<String, Long> e : activity.entrySet()) {
            if (now - e.getValue() > SILENCE_MS) {
                activity.remove(e.getKey());
                listener.onProcessGone(e.getKey());
            }
        }
    }

    /** When a process was last heard from (ms since the epoch), or 0. */
    long lastHeard(String processUuid) {
        Long t = activity.get(processUuid);
        return t == null ? 0 : t;
    }

    @Override
    public void close() {
        if (closed) return;
        send(message(Discovery.Type.BYE).build());
        closed = true;
        try {
            thread.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recv.close();
        send.close();
    }
}
