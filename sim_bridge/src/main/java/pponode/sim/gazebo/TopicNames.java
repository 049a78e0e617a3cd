package pponode.sim.gazebo;

/**
 * Gazebo Transport's topic names: a user topic {@code /world/w/control} travels on the wire fully
 * qualified with the partition, {@code @/<partition>@/world/w/control}.
 */
public final class TopicNames {
    private TopicNames() {}

    /** The wire name of {@code topic} in {@code partition}; rejects names the library rejects. */
    public static String fullyQualified(String partition, String topic) {
        if (topic == null || topic.isEmpty()) throw new IllegalArgumentException("empty Gazebo topic name");
        if (topic.contains("@") || topic.contains("~") || topic.contains("//") || topic.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("invalid Gazebo topic name '" + topic + "': no '@', '~', '//' or whitespace allowed");
        }
        String t = topic.startsWith("/") ? topic : "/" + topic;
        String p = partition.startsWith("/") ? partition : "/" + partition;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return "@" + p + "@" + t;
    }
}
