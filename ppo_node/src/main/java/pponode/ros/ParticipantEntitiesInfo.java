package pponode.ros;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import us.ihmc.idl.CDR;
import us.ihmc.idl.InterchangeSerializer;
import us.ihmc.pubsub.TopicDataType;
import us.ihmc.pubsub.common.SerializedPayload;

/**
 * {@code rmw_dds_common/msg/ParticipantEntitiesInfo} (Humble): what the ROS 2 RMWs publish on
 * {@code ros_discovery_info} so that {@code ros2 node list} and {@code ros2 topic info -v} can tell
 * which node owns which reader and writer. A participant's nodes, each with the GIDs of its readers
 * and writers; a GID is the 16-byte DDS GUID padded to Humble's {@code char[24]}.
 */
public final class ParticipantEntitiesInfo {
    /** The DDS topic (no "rt/" prefix: it is not a ROS topic) and type name, as rmw_dds_common declares them. */
    public static final String TOPIC = "ros_discovery_info", TYPE_NAME = "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_";
    static final int GID_BYTES = 24;
    /** ROS bounds node names and namespaces here to 256 characters. */
    static final int MAX_NAME = 256;

    /** One node: namespace ("/" for none), name, and the GIDs of its readers and writers. */
    public record Node(String namespace, String name, List<byte[]> readers, List<byte[]> writers) {}

    public byte[] participant = new byte[GID_BYTES];
    public final List<Node> nodes = new ArrayList<>();

    /** A GID from a 16-byte DDS GUID (prefix, entity id). */
    static byte[] gid(byte[] prefix12, byte[] entity4) {
        byte[] g = new byte[GID_BYTES];
        System.arraycopy(prefix12, 0, g, 0, 12);
        System.arraycopy(entity4, 0, g, 12, 4);
        return g;
    }

    /** CDR (little endian, XCDR1) as rosidl_typesupport_fastrtps writes it. */
    public static final class Type implements TopicDataType<ParticipantEntitiesInfo> {
        /** Room for a node with a few hundred readers and writers: the graph of one ppo_node has a handful. */
        private static final int TYPE_SIZE = 64 * 1024;

        @Override
        public void serialize(ParticipantEntitiesInfo data, SerializedPayload payload) throws IOException {
            CDR cdr = new CDR();
            cdr.serialize(payload);
            serialize(data, cdr);
            cdr.finishSerialize();
        }

        @Override
        public void deserialize(SerializedPayload payload, ParticipantEntitiesInfo data) throws IOException {
            CDR cdr = new CDR();
            cdr.deserialize(payload);
            deserialize(data, cdr);
            cdr.finishDeserialize();
        }

        @Override
        public void serialize(ParticipantEntitiesInfo data, CDR cdr) {
            writeGid(cdr, data.participant);
            cdr.write_type_2(data.nodes.size());
            for (Node n : data.nodes) {
                cdr.write_type_d(bounded(n.namespace()));
                cdr.write_type_d(bounded(n.name()));
                cdr.write_type_2(n.readers().size());
                for (byte[] g : n.readers()) writeGid(cdr, g);
                cdr.write_type_2(n.writers().size());
                for (byte[] g : n.writers()) writeGid(cdr, g);
            }
        }

        @Override
        public void deserialize(ParticipantEntitiesInfo data, CDR cdr) {
            data.participant = readGid(cdr);
            data.nodes.clear();
            int nodes = cdr.read_type_2();
            for (int i = 0; i < nodes; i++) {
                StringBuilder ns = new StringBuilder(), name = new StringBuilder();
                cdr.read_type_d(ns);
                cdr.read_type_d(name);
                List<byte[]> readers = new ArrayList<>(), writers = new ArrayList<>();
                for (int k = cdr.read_type_2(); k > 0; k--) readers.add(readGid(cdr));
                for (int k = cdr.read_type_2(); k > 0; k--) writers.add(readGid(cdr));
                data.nodes.add(new Node(ns.toString(), name.toString(), readers, writers));
            }
        }

        private static StringBuilder bounded(String s) {
            if (s.length() > MAX_NAME) throw new IllegalArgumentException("node name or namespace longer than " + MAX_NAME + " characters: " + s);
            return new StringBuilder(s);
        }

        private static void writeGid(CDR cdr, byte[] gid) {
            for (int i = 0; i < GID_BYTES; i++) cdr.write_type_9(gid[i]);
        }

        private static byte[] readGid(CDR cdr) {
            byte[] g = new byte[GID_BYTES];
            for (int i = 0; i < GID_BYTES; i++) g[i] = cdr.read_type_9();
            return g;
        }

        // The interchange formats (JSON/YAML dumps of messages) are not used for graph bookkeeping.
        @Override
        public void serialize(ParticipantEntitiesInfo data, InterchangeSerializer s) {
            throw new UnsupportedOperationException("ParticipantEntitiesInfo has no interchange format");
        }

        @Override
        public void deserialize(InterchangeSerializer s, ParticipantEntitiesInfo data) {
            throw new UnsupportedOperationException("ParticipantEntitiesInfo has no interchange format");
        }

        @Override
        public void copy(ParticipantEntitiesInfo src, ParticipantEntitiesInfo dest) {
            dest.participant = src.participant.clone();
            dest.nodes.clear();
            dest.nodes.addAll(src.nodes);
        }

        @Override
        public int getTypeSize() {
            return TYPE_SIZE;
        }

        @Override
        public String getName() {
            return TYPE_NAME;
        }

        @Override
        public String getDefinitionChecksum() {
            return "";
        }

        @Override
        public String getDefinitionVersion() {
            return "humble";
        }

        @Override
        public ParticipantEntitiesInfo createData() {
            return new ParticipantEntitiesInfo();
        }

        @Override
        public TopicDataType<ParticipantEntitiesInfo> newInstance() {
            return new Type();
        }
    }
}
