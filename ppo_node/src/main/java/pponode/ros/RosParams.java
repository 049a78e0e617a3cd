package pponode.ros;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.settings.Settings.Allowed;
import pponode.settings.Settings;
import pponode.settings.StrictYaml;

/**
 * Node parameters, from a ROS 2 parameter file ({@code <node>: ros__parameters: {...}}, as
 * {@code launch/config/*.yaml}) and {@code --param key=value} overrides. Unknown keys are refused.
 */
public final class RosParams {
    @Allowed(pattern = "[A-Za-z_][A-Za-z0-9_]*", means = "letters, digits and underscores")
    public String nodeName = "ppo_node";
    public String namespace = "";
    /** -1: take ROS_DOMAIN_ID from the environment (0 when unset), as every ROS 2 node does. */
    @Allowed(min = -1, max = 232)
    public int domainId = -1;
    public String task = "reacher_2dof";
    public String policy = "ppo_logs/ppo_run/policy.onnx";
    /** How the policy runs: ONNX Runtime's Java API, or DJL's ONNX Runtime engine (the same actions). */
    @Allowed(oneOf = {"ort", "djl"})
    public String onnxRuntime = "ort";
    // Topic names are relative, as rclcpp nodes' are: resolved under the namespace, so two robots
    // (namespace robot1, robot2) share a domain. Without a namespace they are /joint_states, ...
    public List<String> jointStateTopics = new ArrayList<>(List.of("joint_states"));
    @Allowed(oneOf = {"sensor_data", "best_effort", "reliable"})
    public String jointStateQos = "sensor_data";
    public String commandTopic = "";
    @Allowed(oneOf = {"sensor_data", "best_effort", "reliable"})
    public String commandQos = "reliable";
    public String controller = "";
    public String targetTopic = "ppo_node/target";
    public String estopTopic = "ppo_node/estop";
    /** Floating-base tasks: sensor_msgs/Imu (base orientation, angular velocity in the base frame). */
    public String imuTopic = "imu";
    /** Floating-base tasks observing base_lin_vel: nav_msgs/Odometry (the twist, in the base frame, child_frame_id). */
    public String odomTopic = "odom";
    /** Tasks with velocity commands: geometry_msgs/Twist (linear x, y; angular z), the ROS convention. */
    public String cmdVelTopic = "cmd_vel";
    /** A cmd_vel older than this commands standing still (twist_mux's and diff_drive_controller's 0.5 s). */
    @Allowed(min = 0, aboveMin = true)
    public double cmdVelTimeoutMs = 500;
    /**
     * A joint velocity beyond this multiple of the joint's URDF velocity limit is not physical: the
     * reading is invalid, as a NaN is (the safe command takes over and says why).
     */
    @Allowed(min = 1)
    public double velocityLimitFactor = 3;
    /** Largest IMU angular velocity accepted, rad/s (a common MEMS gyro's full scale, 2000 °/s, is 34.9). */
    @Allowed(min = 0, aboveMin = true)
    public double imuMaxAngularVelocity = 35;
    /** Largest odometry linear velocity accepted, m/s. */
    @Allowed(min = 0, aboveMin = true)
    public double odomMaxLinearVelocity = 10;
    /**
     * sim: step only once the controller has answered the last state published (a command received
     * after it), waiting at most lockstep_timeout_ms; before the first command it runs in real time.
     * Then a loaded machine's scheduling does not act as extra actuator delay: tests and sim2sim
     * gates measure the policy, not the machine. Off by default: a robot does not wait.
     */
    public boolean lockstep = false;
    @Allowed(min = 0, aboveMin = true)
    public double lockstepTimeoutMs = 1000;
    /** std_msgs/Empty: asks the robot or simulator to start a new episode (training over ROS 2). */
    public String resetTopic = "ppo_node/reset";
    /** Remapping rules (--ros-args -r from:=to), applied to resolved names. */
    private final Map<String, String> remaps = new LinkedHashMap<>();
    @Allowed(min = 0, aboveMin = true)
    public double watchdogPeriods = 3;
    /** Command rate limit per second, all joints; NaN (max_rate: urdf, the default): each joint's URDF velocity limit for position commands; 0: off. */
    public double maxRate = Double.NaN;
    @Allowed(min = 0, aboveMin = true, max = 1)
    public double lowPassAlpha = 1;
    public long seed = 0;
    public boolean shuffleJointOrder = false;
    public List<String> extraJoints = new ArrayList<>();
    /**
     * train --ros over several robots: env i steps the robot under the i-th namespace (as many as
     * num_envs; each a {@code ppo-node sim} or a real robot under that namespace); empty: one robot,
     * under {@code namespace}.
     */
    public List<String> robotNamespaces = new ArrayList<>();
    /**
     * trigger joint_state, floating base: how long a joint state waits for the IMU and odometry
     * stamped at or after it (they travel on other topics and may arrive later), so the policy sees
     * the base of the same instant, as message_filters' synchronizers do; 0: act at once.
     */
    @Allowed(min = 0)
    public double syncWindowMs = 5;
    /** timer: act at the policy's control rate; joint_state: act on every joint-state message. */
    @Allowed(oneOf = {"timer", "joint_state"})
    public String trigger = "timer";
    /** float64_multi_array (forward command controller) or joint_trajectory (position controllers). */
    @Allowed(oneOf = {"float64_multi_array", "joint_trajectory"})
    public String commandType = "float64_multi_array";
    /** Reload the policy file when it is replaced (fine-tuning exports) and swap it in between two control periods. */
    public boolean watchPolicy = false;
    /** SCHED_FIFO priority (1-99) of the control loop and DDS threads, as ros2_control's thread_priority; 0 (default) = ordinary scheduling. */
    @Allowed(min = 0, max = 99)
    public int threadPriority = 0;
    /** std_msgs/String: the deploy node's state on every transition, "state: reason" (latched: a late subscriber gets the current one). */
    public String stateTopic = "ppo_node/state";
    /** std_msgs/String: an operator's request for a state: passive, standby, policy or damping. */
    public String modeTopic = "ppo_node/mode";
    /** Go passive → standby → policy by itself once at start, when the inputs are healthy; false: only on requests. */
    public boolean autoEngage = true;
    /**
     * Seconds of healthy inputs auto_engage waits for before the robot moves: DDS discovery may find
     * the robot's joint states before a peer's latched e-stop, which must be heard first.
     */
    @Allowed(min = 0)
    public double autoEngageAfterS = 2.0;
    /** Seconds standby takes to move the joints from where they are to the task's default pose. */
    @Allowed(min = 0, aboveMin = true)
    public double standbyS = 2.0;
    /** Guard: a joint this far beyond its URDF position limits (rad or m) moves the node to damping. */
    @Allowed(min = 0)
    public double guardPositionMargin = 0.1;
    /** Guard: a joint faster than this × its URDF velocity limit moves the node to damping (a swinging leg touches the limit itself). */
    @Allowed(min = 0, aboveMin = true)
    public double guardVelocityFactor = 1.5;
    /** Guard: a joint whose measured effort is beyond this × its URDF effort limit moves the node to damping (robots that publish effort). */
    @Allowed(min = 0, aboveMin = true)
    public double guardEffortFactor = 1.0;
    /** Guard, floating base: the base's roll or pitch beyond this (rad) moves the node to damping. */
    @Allowed(min = 0, aboveMin = true)
    public double guardMaxTilt = 1.0;
    /** Damping on an effort interface: effort = -damping_kd × velocity (N·m·s/rad); {@code task} (NaN here, the default): the task's kd, or 1. */
    public double dampingKd = Double.NaN;
    /** How often node health goes out on /diagnostics (diagnostic_msgs/DiagnosticArray); 0 = never. */
    @Allowed(min = 0)
    public long diagnosticsPeriodMs = 1000;

    private static final Settings<RosParams> SETTINGS = Settings.of(RosParams.class, "node parameter")
            .parser("namespace", v -> namespace(String.valueOf(v)))
            .parser("max_rate", RosParams::maxRate)
            .parser("damping_kd", RosParams::dampingKd);

    /** The ROS_* environment variables the node reads (ROS_DOMAIN_ID, discovery range, static peers): the process's, or a test's. */
    public transient Map<String, String> environment = System.getenv();

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
            throw new IllegalArgumentException("must be a ROS 2 namespace such as /robot1 (letters, digits, underscores, '/'; "
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
        try {
            SETTINGS.apply(this, p, "");
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(file + ": " + ex.getMessage());
        }
        return this;
    }

    public RosParams apply(List<String> assignments) {
        SETTINGS.apply(this, assignments, "");
        return this;
    }

    public RosParams set(String key, Object v) {
        SETTINGS.set(this, "", key, v);
        return this;
    }

    /** {@code urdf} (each joint's URDF velocity limit, NaN here), 0 (off) or a rate per second. */
    private static Object maxRate(Object v) {
        return wordOrNonNegative(v, "urdf", "must be urdf (the joints' velocity limits), 0 (off) or a rate per second, got ");
    }

    /** {@code task} (the task's kd, NaN here) or a damping >= 0 (N·m·s/rad). */
    private static Object dampingKd(Object v) {
        return wordOrNonNegative(v, "task", "must be task (the task's kd) or a damping >= 0 in N·m·s/rad, got ");
    }

    /** NaN for {@code word}, else a finite number >= 0; otherwise {@code refusal} and the value. */
    private static Object wordOrNonNegative(Object v, String word, String refusal) {
        String s = String.valueOf(v).trim();
        if (s.equals(word)) return Double.NaN;
        double x;
        try {
            x = v instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            x = -1;
        }
        if (!(x >= 0) || Double.isInfinite(x)) throw new IllegalArgumentException(refusal + s);
        return x;
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
