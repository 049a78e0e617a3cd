package pponode.gazebo;

import java.util.List;
import java.util.Map;
import pponode.settings.Settings.Allowed;
import pponode.settings.Settings;
import pponode.env.RobotTask;
import pponode.sim.gazebo.GazeboOptions;

/**
 * Where a {@link GazeboBackend} finds its world: world and model names, topic templates (gz-sim's
 * defaults), timeouts and the gains used to bring joints back to their start state on Gazebo
 * versions whose world reset rewinds time only. Set as {@code key=value} ({@code --gazebo k=v}).
 */
public final class GazeboSettings {
    /** The world's name; by default the task's name, as {@code ppo-node gazebo-world} names the world it starts. */
    @Allowed(nullable = true, pattern = "[^/@\\s]+", means = "a plain name")
    public String world = null;
    /** The model's name in the world; by default the URDF's robot name, as gz-sim names a URDF it spawns. */
    @Allowed(nullable = true, pattern = "[^/@\\s]+", means = "a plain name")
    public String model = null;
    /** {model}/{joint} are replaced; the defaults are those of gz-sim's ApplyJointForce, JointController and JointPositionController systems. */
    public String effortTopic = "/model/{model}/joint/{joint}/cmd_force";
    public String velocityTopic = "/model/{model}/joint/{joint}/cmd_vel";
    public String positionTopic = "/model/{model}/joint/{joint}/0/cmd_pos";
    /** A floating base's pose and velocity: gz-sim's OdometryPublisher ({model} is replaced). */
    public String odometryTopic = "/model/{model}/odometry";
    @Allowed(nullable = true)
    public String msgPrefix = null;
    @Allowed(nullable = true)
    public String partition = null;
    @Allowed(nullable = true)
    public String ip = null;
    @Allowed(min = 0, aboveMin = true)
    public long connectTimeoutMs = 15_000;
    @Allowed(min = 0, aboveMin = true)
    public long stepTimeoutMs = 2_000;
    /** How long a lost world may take to come back before training stops with an error. */
    @Allowed(min = 0)
    public long reconnectTimeoutMs = 60_000;
    @Allowed(min = 0)
    public double restoreKp = 100;
    @Allowed(min = 0)
    public double restoreKd = 10;
    @Allowed(min = 0, aboveMin = true)
    public double restorePosTol = 0.02;
    @Allowed(min = 0, aboveMin = true)
    public double restoreVelTol = 0.1;
    @Allowed(min = 1)
    public int restoreMaxSteps = 500;

    private static final Settings<GazeboSettings> SETTINGS = Settings.of(GazeboSettings.class, "Gazebo setting");

    /** Applies {@code --gazebo key=value} settings. */
    public GazeboSettings apply(List<String> kvs) {
        SETTINGS.apply(this, kvs, "");
        return this;
    }

    /** Applies a mapping of settings (a YAML section, or a test's). */
    public GazeboSettings apply(Map<String, ?> m) {
        SETTINGS.apply(this, m, "");
        return this;
    }

    /** These settings with the world and model names {@code task}'s worlds have where none is set. */
    public GazeboSettings forTask(RobotTask task) {
        if (world == null) world = GazeboWorlds.worldName(task);
        if (model == null) model = GazeboWorlds.modelName(task);
        return this;
    }

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

    /** The contacts of each physics step, as the DART world publishes them ({@code gazebo-world}; stock gz-sim has no such topic). */
    public String contactsTopic() {
        return "/world/" + world + "/model/" + model + "/contacts";
    }

    public String odometryTopic() {
        return odometryTopic.replace("{model}", model);
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
