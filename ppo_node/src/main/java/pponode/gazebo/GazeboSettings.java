package pponode.gazebo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.sim.gazebo.GazeboOptions;

/**
 * Where a {@link GazeboBackend} finds its world: world and model names, topic templates (gz-sim's
 * defaults), timeouts and the gains used to bring joints back to their start state on Gazebo
 * versions whose world reset rewinds time only. Set as {@code key=value} ({@code --gazebo k=v}).
 */
public final class GazeboSettings {
    public String world = "pendulum_world";
    public String model = "pendulum";
    /** {model}/{joint} are replaced; the defaults are those of gz-sim's ApplyJointForce, JointController and JointPositionController systems. */
    public String effortTopic = "/model/{model}/joint/{joint}/cmd_force";
    public String velocityTopic = "/model/{model}/joint/{joint}/cmd_vel";
    public String positionTopic = "/model/{model}/joint/{joint}/0/cmd_pos";
    public String msgPrefix = null;
    public String partition = null;
    public String ip = null;
    public long connectTimeoutMs = 15_000;
    public long stepTimeoutMs = 2_000;
    /** How long a lost world may take to come back before training stops with an error. */
    public long reconnectTimeoutMs = 60_000;
    public double restoreKp = 100, restoreKd = 10;
    public double restorePosTol = 0.02, restoreVelTol = 0.1;
    public int restoreMaxSteps = 500;

    private static final List<String> KEYS = List.of("world", "model", "effort_topic", "velocity_topic", "position_topic", "msg_prefix", "partition", "ip",
            "connect_timeout_ms", "step_timeout_ms", "reconnect_timeout_ms", "restore_kp", "restore_kd", "restore_pos_tol", "restore_vel_tol", "restore_max_steps");

    public GazeboSettings apply(List<String> kvs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : kvs) {
            int i = kv.indexOf('=');
            if (i <= 0) throw new IllegalArgumentException("--gazebo expects key=value, got '" + kv + "'");
            m.put(kv.substring(0, i).trim(), kv.substring(i + 1).trim());
        }
        return apply(m);
    }

    public GazeboSettings apply(Map<String, ?> m) {
        for (Map.Entry<String, ?> e : m.entrySet()) set(e.getKey(), String.valueOf(e.getValue()));
        return this;
    }

    private void set(String k, String v) {
        try {
            switch (k) {
                case "world" -> world = name(k, v);
                case "model" -> model = name(k, v);
                case "effort_topic" -> effortTopic = v;
                case "velocity_topic" -> velocityTopic = v;
                case "position_topic" -> positionTopic = v;
                case "msg_prefix" -> msgPrefix = v;
                case "partition" -> partition = v;
                case "ip" -> ip = v;
                case "connect_timeout_ms" -> connectTimeoutMs = positive(k, Long.parseLong(v));
                case "step_timeout_ms" -> stepTimeoutMs = positive(k, Long.parseLong(v));
                case "reconnect_timeout_ms" -> reconnectTimeoutMs = Long.parseLong(v);
                case "restore_kp" -> restoreKp = Double.parseDouble(v);
                case "restore_kd" -> restoreKd = Double.parseDouble(v);
                case "restore_pos_tol" -> restorePosTol = Double.parseDouble(v);
                case "restore_vel_tol" -> restoreVelTol = Double.parseDouble(v);
                case "restore_max_steps" -> restoreMaxSteps = (int) positive(k, Integer.parseInt(v));
                default -> throw new IllegalArgumentException("unknown Gazebo setting '" + k + "'; known: " + KEYS);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Gazebo setting '" + k + "' must be a number, got '" + v + "'");
        }
    }

    private static String name(String k, String v) {
        if (v.isEmpty() || v.contains("/") || v.contains("@") || v.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Gazebo setting '" + k + "' must be a plain name, got '" + v + "'");
        }
        return v;
    }

    private static long positive(String k, long v) {
        if (v <= 0) throw new IllegalArgumentException("Gazebo setting '" + k + "' must be > 0, got " + v);
        return v;
    }

    /** The transport options: the environment (IGN_/GZ_ variables) overridden by these settings. */
    public GazeboOptions transport() {
        GazeboOptions o = GazeboOptions.fromEnvironment();
        if (partition != null) o = o.withPartition(partition);
        if (ip != null) o = o.withHostIp(ip);
        if (msgPrefix != null) o = o.withMsgPrefix(msgPrefix);
        return o;
    }

    public String controlService() {
        return "/world/" + world + "/control";
    }

    public String jointStateTopic() {
        return "/world/" + world + "/model/" + model + "/joint_state";
    }

    public String commandTopic(String commandInterface, String joint) {
        String t = switch (commandInterface) {
            case "position" -> positionTopic;
            case "velocity" -> velocityTopic;
            default -> effortTopic;
        };
        return t.replace("{model}", model).replace("{joint}", joint);
    }
}
