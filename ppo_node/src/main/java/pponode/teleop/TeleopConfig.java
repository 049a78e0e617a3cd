package pponode.teleop;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.settings.Settings.Allowed;
import pponode.settings.Settings;
import pponode.settings.StrictYaml;

/**
 * Settings of the operator channel and the takeover rules: the {@code teleop:} section of a
 * fine-tuning or deploy parameter file, overridable key by key ({@code --teleop key=value}).
 */
public final class TeleopConfig {
    @Allowed(pattern = "[A-Za-z0-9_\\-]+", means = "a non-empty name of letters, digits, _ or -")
    public String robot = "robot";
    /** MQTT broker URI (tcp://host:1883, ssl://host:8883); empty = no MQTT channel. */
    @Allowed(pattern = "|(tcp|ssl|ws|wss)://.+", means = "tcp://, ssl://, ws:// or wss:// host:port")
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
    @Allowed(min = 0)
    public long sessionExpirySeconds = 3600;
    @Allowed(min = 0, aboveMin = true)
    public long telemetryPeriodMs = 1000;
    /** A command holds control for this long after its stamp (the deadman). */
    @Allowed(min = 0, aboveMin = true)
    public long deadmanTimeoutMs = 250;
    /** Stamps further in the future than this are rejected (clock skew between operator and robot). */
    @Allowed(min = 0)
    public long maxClockSkewMs = 500;
    /** override: the operator's action is executed; blend: blend_alpha·operator + (1 − blend_alpha)·policy. */
    @Allowed(oneOf = {"override", "blend"})
    public String mode = "override";
    @Allowed(min = 0, aboveMin = true, max = 1)
    public double blendAlpha = 0.5;
    /** When the deadman lapses: back to the policy, or the safe command until the operator releases. */
    @Allowed(oneOf = {"policy", "safe"})
    public String onLapse = "policy";
    /** Shared secret every command must carry in "token"; empty = not required. */
    public String token = "";

    private static final Settings<TeleopConfig> SETTINGS = Settings.of(TeleopConfig.class, "teleop setting");

    public static TeleopConfig load(Path yaml) throws IOException {
        TeleopConfig c = new TeleopConfig();
        Object root;
        try (Reader r = Files.newBufferedReader(yaml)) {
            root = StrictYaml.load(r, yaml.toString());
        }
        if (root instanceof Map<?, ?> m && m.get("teleop") instanceof Map<?, ?> t) {
            for (Map.Entry<?, ?> e : t.entrySet()) { // an empty value is an empty setting ("password:")
                try {
                    SETTINGS.set(c, "teleop.", String.valueOf(e.getKey()), e.getValue() == null ? "" : e.getValue());
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException(yaml + ": " + bad.getMessage());
                }
            }
        } else {
            throw new IllegalArgumentException(yaml + ": no 'teleop:' section");
        }
        return c.validate();
    }

    public TeleopConfig apply(List<String> keyValues) {
        SETTINGS.apply(this, keyValues, "teleop.");
        return validate();
    }

    public TeleopConfig validate() {
        SETTINGS.check(this, "teleop.");
        check(passwordEnv.isEmpty() || System.getenv(passwordEnv) != null, "password_env", "names $" + passwordEnv + ", which is not set");
        return this;
    }

    private static void check(boolean ok, String key, String msg) {
        if (!ok) throw new IllegalArgumentException("teleop setting 'teleop." + key + "' " + msg);
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
