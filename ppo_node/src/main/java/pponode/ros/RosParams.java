package pponode.ros;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pponode.config.StrictYaml;

/**
 * Node parameters, from a ROS 2 parameter file ({@code <node>: ros__parameters: {...}}, as
 * {@code launch/config/*.yaml}) and {@code --param key=value} overrides. Unknown keys are refused.
 */
public final class RosParams {
    public String nodeName = "ppo_node";
    public String namespace = "";
    /** -1: take ROS_DOMAIN_ID from the environment (0 when unset), as every ROS 2 node does. */
    public int domainId = -1;
    public String task = "reacher_2dof";
    public String policy = "ppo_logs/ppo_run/policy.onnx";
    // Topic names are relative, as rclcpp nodes' are: resolved under the namespace, so two robots
    // (namespace robot1, robot2) share a domain. Without a namespace they are /joint_states, ...
    public List<String> jointStateTopics = new ArrayList<>(List.of("joint_states"));
    public String jointStateQos = "sensor_data";
    public String commandTopic = "";
    public String commandQos = "reliable";
    public String controller = "";
    public String targetTopic = "ppo_node/target";
    public String estopTopic = "ppo_node/estop";
    /** std_msgs/Empty: asks the robot or simulator to start a new episode (training over ROS 2). */
    public String resetTopic = "ppo_node/reset";
    /** Remapping rules (--ros-args -r from:=to), applied to resolved names. */
    private final Map<String, String> remaps = new LinkedHashMap<>();
    public double watchdogPeriods = 3;
    /** Command rate limit per second, all joints; NaN (max_rate: urdf, the default): each joint's URDF velocity limit for position commands; 0: off. */
    public double maxRate = Double.NaN;
    public double lowPassAlpha = 1;
    public long seed = 0;
    public boolean shuffleJointOrder = false;
    public List<String> extraJoints = new ArrayList<>();
    /** timer: act at the policy's control rate; joint_state: act on every joint-state message. */
    public String trigger = "timer";
    /** float64_multi_array (forward command controller) or joint_trajectory (position controllers). */
    public String commandType = "float64_multi_array";
    /** Reload the policy file when it is replaced (fine-tuning exports) and swap it in between two control periods. */
    public boolean watchPolicy = false;
    /** SCHED_FIFO priority (1-99) of the control loop and DDS threads, as ros2_control's thread_priority; 0 (default) = ordinary scheduling. */
    public int threadPriority = 0;
    /** How often node health goes out on /diagnostics (diagnostic_msgs/DiagnosticArray); 0 = never. */
    public long diagnosticsPeriodMs = 1000;

    private static final Set<String> KEYS = Set.of("node_name", "namespace", "domain_id", "task", "policy", "joint_state_topics", "joint_state_qos",
            "command_topic", "command_qos", "controller", "target_topic", "estop_topic", "watchdog_periods", "max_rate", "low_pass_alpha", "seed",
            "shuffle_joint_order", "extra_joints", "trigger", "reset_topic", "command_type", "watch_policy", "thread_priority", "diagnostics_period_ms");

    /** The ROS_* environment variables the node reads (ROS_DOMAIN_ID, discovery range, static peers): the process's, or a test's. */
    public Map<String, String> environment = System.getenv();

    /** The effective DDS domain. */
    public int domain() {
        if (domainId >= 0) return domainId;
        String env = environment.get("ROS_DOMAIN_ID");
        try {
            return env == null || env.isBlank() ? 0 : Integer.parseInt(env.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ROS_DOMAIN_ID is not a number: '" + env + "'");
        }
    }

    /**
     * The command topic: explicit, or /&lt;controller&gt;/commands (ros2_control forward command
     * controller), or /&lt;controller&gt;/joint_trajectory for joint_trajectory commands.
     */
    public String commandTopic(String commandInterface) {
        if (!commandTopic.isEmpty()) return commandTopic;
        if (commandType.equals("joint_trajectory")) {
            return (controller.isEmpty() ? "joint_trajectory_controller" : controller) + "/joint_trajectory";
        }
        String c = controller.isEmpty() ? "forward_" + commandInterface + "_controller" : controller;
        return c + "/commands";
    }

    /**
     * A topic name as rclcpp resolves it: absolute as it is, {@code ~/x} under the node's
     * fully-qualified name, anything else under the namespace; then the remapping rules.
     */
    public String resolve(String topic) {
        String name = expand(topic);
        for (Map.Entry<String, String> r : remaps.entrySet()) if (expand(r.getKey()).equals(name)) return expand(r.getValue());
        return name;
    }

    public List<String> resolvedJointStateTopics() {
        return jointStateTopics.stream().map(this::resolve).toList();
    }

    private String expand(String topic) {
        if (topic.startsWith("/")) return topic;
        if (topic.equals("~") || topic.startsWith("~/")) return namespace + "/" + nodeName + topic.substring(1);
        return namespace + "/" + topic;
    }

    /** The node's fully-qualified name, /namespace/name. */
    public String fullyQualifiedName() {
        return namespace + "/" + nodeName;
    }

    /** Adds a remapping rule {@code from:=to} (--ros-args -r); {@code __ns} and {@code __node} set the namespace and node name. */
    public RosParams remap(String rule) {
        int sep = rule.indexOf(":=");
        if (sep <= 0 || sep + 2 >= rule.length()) throw new IllegalArgumentException("remapping rule must be from:=to, got '" + rule + "'");
        String from = rule.substring(0, sep), to = rule.substring(sep + 2);
        switch (from) {
            case "__ns" -> set("namespace", to);
            case "__node", "__name" -> set("node_name", to);
            default -> remaps.put(checkName("remapping rule '" + rule + "'", from), checkName("remapping rule '" + rule + "'", to));
        }
        return this;
    }

    /** A ROS 2 namespace: "" or /token/token..., tokens of letters, digits and underscores, not starting with a digit. */
    static String namespace(String s) {
        String ns = s.trim();
        if (ns.isEmpty() || ns.equals("/")) return "";
        if (!ns.startsWith("/")) ns = "/" + ns;
        if (ns.endsWith("/")) ns = ns.substring(0, ns.length() - 1);
        if (!ns.matches("(/[A-Za-z_][A-Za-z0-9_]*)+")) {
            throw new IllegalArgumentException("node parameter 'namespace' must be a ROS 2 namespace such as /robot1 (letters, digits, underscores, '/'; "
                    + "no token starting with a digit), got '" + s + "'");
        }
        return ns;
    }

    private static String checkName(String what, String name) {
        if (!name.matches("~?/?[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*|~")) {
            throw new IllegalArgumentException(what + ": '" + name + "' is not a ROS 2 name (letters, digits, underscores, '/', a leading '~')");
        }
        return name;
    }

    @SuppressWarnings("unchecked")
    public RosParams load(Path file, String node) throws IOException {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = StrictYaml.load(r, file.toString());
        }
        if (!(doc instanceof Map<?, ?> m)) throw new IllegalArgumentException(file + ": expected '" + node + ": ros__parameters: ...'");
        Object n = m.containsKey(node) ? m.get(node) : m.get("/**");
        if (!(n instanceof Map<?, ?> nm) || !(nm.get("ros__parameters") instanceof Map<?, ?> p)) {
            throw new IllegalArgumentException(file + ": no '" + node + ": ros__parameters:' section (found " + m.keySet() + ")");
        }
        for (Map.Entry<?, ?> e : ((Map<String, Object>) p).entrySet()) {
            try {
                set(String.valueOf(e.getKey()), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(file + ": " + ex.getMessage());
            }
        }
        return this;
    }

    public RosParams apply(List<String> assignments) {
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got '" + a + "'");
            set(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        return this;
    }

    public RosParams set(String key, Object v) {
        if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown node parameter '" + key + "'; known: " + new java.util.TreeSet<>(KEYS));
        String s = String.valueOf(v);
        try {
            switch (key) {
                case "node_name" -> {
                    if (!s.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("node parameter 'node_name' must be letters, digits and underscores, got '" + s + "'");
                    nodeName = s;
                }
                case "namespace" -> namespace = namespace(s);
                case "domain_id" -> domainId = Integer.parseInt(s);
                case "task" -> task = s;
                case "policy" -> policy = s;
                case "joint_state_topics" -> jointStateTopics = list(v);
                case "joint_state_qos" -> jointStateQos = qos(key, s);
                case "command_topic" -> commandTopic = s;
                case "command_qos" -> commandQos = qos(key, s);
                case "controller" -> controller = s;
                case "target_topic" -> targetTopic = s;
                case "estop_topic" -> estopTopic = s;
                case "reset_topic" -> resetTopic = s;
                case "command_type" -> {
                    if (!s.equals("float64_multi_array") && !s.equals("joint_trajectory")) {
                        throw new IllegalArgumentException("node parameter 'command_type' must be float64_multi_array or joint_trajectory, got '" + s + "'");
                    }
                    commandType = s;
                }
                case "watchdog_periods" -> watchdogPeriods = positive(key, Double.parseDouble(s));
                case "max_rate" -> {
                    if (s.equals("urdf")) maxRate = Double.NaN;
                    else if (!((maxRate = Double.parseDouble(s)) >= 0)) {
                        throw new IllegalArgumentException("node parameter 'max_rate' must be urdf (the joints' velocity limits), 0 (off) or a rate per second, got " + s);
                    }
                }
                case "low_pass_alpha" -> lowPassAlpha = Double.parseDouble(s);
                case "seed" -> seed = Long.parseLong(s);
                case "shuffle_joint_order" -> shuffleJointOrder = bool(key, s);
                case "watch_policy" -> watchPolicy = bool(key, s);
                case "thread_priority" -> {
                    int prio = Integer.parseInt(s);
                    if (prio < 0 || prio > 99) throw new IllegalArgumentException("node parameter 'thread_priority' must be 0 (off) to 99, got " + prio);
                    threadPriority = prio;
                }
                case "diagnostics_period_ms" -> {
                    long ms = Long.parseLong(s);
                    if (ms < 0) throw new IllegalArgumentException("node parameter 'diagnostics_period_ms' must be 0 (off) or a period in ms, got " + ms);
                    diagnosticsPeriodMs = ms;
                }
                case "extra_joints" -> extraJoints = list(v);
                case "trigger" -> {
                    if (!s.equals("timer") && !s.equals("joint_state")) throw new IllegalArgumentException("node parameter 'trigger' must be timer or joint_state, got '" + s + "'");
                    trigger = s;
                }
                default -> throw new IllegalStateException(key);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node parameter '" + key + "' expects a number, got '" + s + "'");
        }
        return this;
    }

    /** Only true and false: YAML 1.1's yes/no/on/off are refused rather than read as false. */
    private static boolean bool(String key, String s) {
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw new IllegalArgumentException("node parameter '" + key + "' must be true or false, got '" + s + "'");
    }

    private static double positive(String key, double d) {
        if (!(d > 0)) throw new IllegalArgumentException("node parameter '" + key + "' must be > 0, got " + d);
        return d;
    }

    private static String qos(String key, String s) {
        if (!Set.of("sensor_data", "best_effort", "reliable").contains(s)) {
            throw new IllegalArgumentException("node parameter '" + key + "' must be sensor_data, best_effort or reliable, got '" + s + "'");
        }
        return s;
    }

    private static List<String> list(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o));
        else for (String p : String.valueOf(v).replaceAll("[\\[\\]\\s]", "").split(",")) if (!p.isEmpty()) out.add(p);
        return out;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node_name", nodeName);
        m.put("namespace", namespace);
        m.put("domain_id", domain());
        m.put("task", task);
        m.put("joint_state_topics", jointStateTopics);
        return m;
    }
}
