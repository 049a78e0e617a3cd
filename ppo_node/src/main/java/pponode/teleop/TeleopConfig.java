package pponode.teleop;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pponode.config.StrictYaml;

/**
 * Settings of the operator channel and the takeover rules: the {@code teleop:} section of a
 * fine-tuning or deploy parameter file, overridable key by key ({@code --teleop key=value}).
 */
public final class TeleopConfig {
    public String robot = "robot";
    /** MQTT broker URI (tcp://host:1883, ssl://host:8883); empty = no MQTT channel. */
    public String broker = "";
    public String clientId = "";
    public String username = "";
    public String password = "";
    /** Name of an environment variable holding the password (keeps it out of files). */
    public String passwordEnv = "";
    public String tlsTruststore = "", tlsTruststorePassword = "", tlsKeystore = "", tlsKeystorePassword = "";
    public String commandTopic = "ppo_node/{robot}/teleop/cmd";
    public String telemetryTopic = "ppo_node/{robot}/telemetry";
    /** ROS 2 topic (std_msgs/String, the same JSON); empty = no ROS 2 channel. */
    /** The ROS 2 operator channel's command topic; empty (the default): no ROS 2 channel, no participant opened. */
    public String rosTopic = "";
    public long sessionExpirySeconds = 3600;
    public long telemetryPeriodMs = 1000;
    /** A command holds control for this long after its stamp (the deadman). */
    public long deadmanTimeoutMs = 250;
    /** Stamps further in the future than this are rejected (clock skew between operator and robot). */
    public long maxClockSkewMs = 500;
    /** override: the operator's action is executed; blend: blend_alpha·operator + (1 − blend_alpha)·policy. */
    public String mode = "override";
    public double blendAlpha = 0.5;
    /** When the deadman lapses: back to the policy, or the safe command until the operator releases. */
    public String onLapse = "policy";
    /** Shared secret every command must carry in "token"; empty = not required. */
    public String token = "";

    private static final Set<String> KEYS = Set.of("robot", "broker", "client_id", "username", "password", "password_env", "tls_truststore",
            "tls_truststore_password", "tls_keystore", "tls_keystore_password", "command_topic", "telemetry_topic", "ros_topic",
            "session_expiry_seconds", "telemetry_period_ms", "deadman_timeout_ms", "max_clock_skew_ms", "mode", "blend_alpha", "on_lapse", "token");

    public static TeleopConfig load(Path yaml) throws IOException {
        TeleopConfig c = new TeleopConfig();
        Object root;
        try (Reader r = Files.newBufferedReader(yaml)) {
            root = StrictYaml.load(r, yaml.toString());
        }
        if (root instanceof Map<?, ?> m && m.get("teleop") instanceof Map<?, ?> t) {
            for (Map.Entry<?, ?> e : t.entrySet()) c.set(String.valueOf(e.getKey()), e.getValue() == null ? "" : String.valueOf(e.getValue()), yaml + ": teleop.");
        } else {
            throw new IllegalArgumentException(yaml + ": no 'teleop:' section");
        }
        return c.validate();
    }

    public TeleopConfig apply(List<String> keyValues) {
        for (String kv : keyValues) {
            int i = kv.indexOf('=');
            if (i <= 0) throw new IllegalArgumentException("teleop setting '" + kv + "' is not key=value");
            set(kv.substring(0, i).trim(), kv.substring(i + 1).trim(), "teleop.");
        }
        return validate();
    }

    private void set(String key, String v, String where) {
        if (!KEYS.contains(key)) throw new IllegalArgumentException(where + key + ": unknown setting; known: " + KEYS);
        try {
            switch (key) {
                case "robot" -> robot = v;
                case "broker" -> broker = v;
                case "client_id" -> clientId = v;
                case "username" -> username = v;
                case "password" -> password = v;
                case "password_env" -> passwordEnv = v;
                case "tls_truststore" -> tlsTruststore = v;
                case "tls_truststore_password" -> tlsTruststorePassword = v;
                case "tls_keystore" -> tlsKeystore = v;
                case "tls_keystore_password" -> tlsKeystorePassword = v;
                case "command_topic" -> commandTopic = v;
                case "telemetry_topic" -> telemetryTopic = v;
                case "ros_topic" -> rosTopic = v;
                case "session_expiry_seconds" -> sessionExpirySeconds = Long.parseLong(v);
                case "telemetry_period_ms" -> telemetryPeriodMs = Long.parseLong(v);
                case "deadman_timeout_ms" -> deadmanTimeoutMs = Long.parseLong(v);
                case "max_clock_skew_ms" -> maxClockSkewMs = Long.parseLong(v);
                case "mode" -> mode = v;
                case "blend_alpha" -> blendAlpha = Double.parseDouble(v);
                case "on_lapse" -> onLapse = v;
                case "token" -> token = v;
                default -> throw new IllegalStateException(key);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + key + ": '" + v + "' is not a number");
        }
    }

    public TeleopConfig validate() {
        check(!robot.isBlank() && robot.matches("[A-Za-z0-9_\\-]+"), "robot", "must be a non-empty name of letters, digits, _ or - (got '" + robot + "')");
        check(broker.isEmpty() || broker.matches("(tcp|ssl|ws|wss)://.+"), "broker", "must be tcp://, ssl://, ws:// or wss:// host:port (got '" + broker + "')");
        check(deadmanTimeoutMs > 0, "deadman_timeout_ms", "must be > 0");
        check(maxClockSkewMs >= 0, "max_clock_skew_ms", "must be >= 0");
        check(telemetryPeriodMs > 0, "telemetry_period_ms", "must be > 0");
        check(sessionExpirySeconds >= 0, "session_expiry_seconds", "must be >= 0");
        check(Set.of("override", "blend").contains(mode), "mode", "must be override or blend (got '" + mode + "')");
        check(blendAlpha > 0 && blendAlpha <= 1, "blend_alpha", "must be in (0, 1] (got " + blendAlpha + ")");
        check(Set.of("policy", "safe").contains(onLapse), "on_lapse", "must be policy or safe (got '" + onLapse + "')");
        check(passwordEnv.isEmpty() || System.getenv(passwordEnv) != null, "password_env", "names $" + passwordEnv + ", which is not set");
        return this;
    }

    private static void check(boolean ok, String key, String msg) {
        if (!ok) throw new IllegalArgumentException("teleop." + key + ": " + msg);
    }

    public String resolvedPassword() {
        return !passwordEnv.isEmpty() ? System.getenv(passwordEnv) : password;
    }

    public String topic(String pattern) {
        return pattern.replace("{robot}", robot);
    }

    public String clientIdOrDefault() {
        return clientId.isEmpty() ? "ppo_node_" + robot : clientId;
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("robot", robot);
        m.put("broker", broker);
        m.put("mode", mode);
        m.put("deadman_timeout_ms", deadmanTimeoutMs);
        m.put("on_lapse", onLapse);
        return m;
    }
}
