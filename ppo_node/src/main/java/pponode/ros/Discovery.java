package pponode.ros;

import com.eprosima.xmlschemas.fastrtps_profiles.BuiltinAttributesType;
import com.eprosima.xmlschemas.fastrtps_profiles.LocatorListType;
import com.eprosima.xmlschemas.fastrtps_profiles.TransportDescriptorType;
import com.eprosima.xmlschemas.fastrtps_profiles.Udpv4LocatorType;
import jakarta.xml.bind.JAXBElement;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.xml.namespace.QName;
import us.ihmc.pubsub.attributes.ParticipantProfile;
import us.ihmc.pubsub.common.Time;

/**
 * How the node's participant discovers and is discovered, from the environment variables every
 * ROS 2 node reads: {@code ROS_AUTOMATIC_DISCOVERY_RANGE} (SUBNET, LOCALHOST, OFF, SYSTEM_DEFAULT)
 * and {@code ROS_STATIC_PEERS} (Jazzy), and {@code ROS_LOCALHOST_ONLY=1} (Humble; LOCALHOST when no
 * range is set).
 *
 * <p>LOCALHOST binds UDP to the loopback interface (and shared memory), so the node advertises
 * 127.0.0.1 and sends nothing on the robot's network. OFF also stops multicast discovery: only the
 * static peers (or, without any, participants on this host that contact it) are found. Static peers
 * are unicast initial peers, added to multicast discovery under SUBNET.
 *
 * <p>The participant's lease is Fast DDS's and rmw_fastrtps's default, 20 s (announced every 3 s):
 * peers forget a node that was killed within it. (The IHMC library's default lease is infinite.)
 */
public record Discovery(Range range, List<String> staticPeers) {
    public enum Range { SUBNET, LOCALHOST, OFF }

    /** ROS 2's default participant lease. */
    public static final int LEASE_SECONDS = 20;
    private static final String FASTDDS_XML_NAMESPACE = "http://www.eprosima.com/XMLSchemas/fastRTPS_Profiles";

    /** The discovery settings in {@code env}; a value ROS 2 does not define is one error naming the variable. */
    public static Discovery fromEnvironment(Map<String, String> env) {
        String rangeVar = env.getOrDefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "").trim();
        Range range;
        if (rangeVar.isEmpty() || rangeVar.equalsIgnoreCase("SYSTEM_DEFAULT")) {
            range = "1".equals(env.getOrDefault("ROS_LOCALHOST_ONLY", "").trim()) ? Range.LOCALHOST : Range.SUBNET;
        } else {
            try {
                range = Range.valueOf(rangeVar.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ROS_AUTOMATIC_DISCOVERY_RANGE must be SUBNET, LOCALHOST, OFF or SYSTEM_DEFAULT, got '" + rangeVar + "'");
            }
        }
        List<String> peers = new ArrayList<>();
        for (String peer : env.getOrDefault("ROS_STATIC_PEERS", "").split(";")) {
            String p = peer.trim();
            if (p.isEmpty()) continue;
            try {
                peers.add(InetAddress.getByName(p).getHostAddress());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("ROS_STATIC_PEERS: cannot resolve '" + p + "'");
            }
        }
        return new Discovery(range, List.copyOf(peers));
    }

    /** The Fast DDS participant profile for domain {@code domain}. */
    public ParticipantProfile profile(int domain) {
        ParticipantProfile p = new LogsToStderr().domainId(domain).discoveryLeaseDuration(new Time(LEASE_SECONDS, 0)).useBuiltinTransports(false);
        p.addSharedMemoryTransport(); // same-host peers on Fast DDS; in every range, as in rmw_fastrtps
        TransportDescriptorType udp = new TransportDescriptorType();
        udp.setTransportId(UUID.randomUUID().toString());
        udp.setType("UDPv4");
        if (range != Range.SUBNET) {
            TransportDescriptorType.InterfaceWhiteList loopback = new TransportDescriptorType.InterfaceWhiteList();
            loopback.getAddressOrInterface().add(new JAXBElement<>(new QName(FASTDDS_XML_NAMESPACE, "address"), String.class, "127.0.0.1"));
            udp.setInterfaceWhiteList(loopback);
        }
        p.addTransport(udp);
        BuiltinAttributesType builtin = p.getProfile().getRtps().getBuiltin();
        if (range == Range.OFF) builtin.setAvoidBuiltinMulticast(true);
        if (!staticPeers.isEmpty() || range == Range.OFF) builtin.setInitialPeersList(initialPeers(domain));
        return p;
    }

    /**
     * The static peers (unicast, ports left to Fast DDS: each participant index's discovery port);
     * under SUBNET and LOCALHOST also the multicast discovery locator that the list replaces; under
     * OFF without static peers, this host's loopback.
     */
    private LocatorListType initialPeers(int domain) {
        LocatorListType list = new LocatorListType();
        List<String> unicast = new ArrayList<>(staticPeers);
        if (range == Range.OFF && unicast.isEmpty()) unicast.add("127.0.0.1");
        for (String address : unicast) list.getLocator().add(udp(address, null));
        if (range != Range.OFF) list.getLocator().add(udp("239.255.0.1", 7400 + 250 * domain)); // RTPS well-known multicast port PB + DG * domain
        return list;
    }

    private static LocatorListType.Locator udp(String address, Integer port) {
        Udpv4LocatorType l = new Udpv4LocatorType();
        l.setAddress(address);
        if (port != null) l.setPort(port);
        LocatorListType.Locator locator = new LocatorListType.Locator();
        locator.getUdpv4().add(l);
        return locator;
    }

    /**
     * A participant profile that also sends Fast DDS's own log (native code, std::cout by default)
     * to stderr: stdout is for results, such as --json's line.
     */
    static final class LogsToStderr extends ParticipantProfile {
        static final String LOG_CONFIG = "<log><use_default>FALSE</use_default><consumer><class>StdoutErrConsumer</class>"
                + "<property><name>stderr_threshold</name><value>Log::Kind::Info</value></property></consumer></log>";

        @Override
        public String marshall(String profileName) throws IOException {
            String xml = super.marshall(profileName);
            int end = xml.lastIndexOf("</dds>");
            if (end < 0) throw new IOException("unexpected Fast DDS participant profile: " + xml);
            return xml.substring(0, end) + LOG_CONFIG + "\n" + xml.substring(end);
        }
    }

    /** For the log: "SUBNET", "LOCALHOST, static peers [10.0.0.2]", ... */
    public String describe() {
        return range + (staticPeers.isEmpty() ? "" : ", static peers " + staticPeers);
    }

    /** The settings of this process's environment. */
    public static Discovery fromEnvironment() {
        return fromEnvironment(System.getenv());
    }
}
