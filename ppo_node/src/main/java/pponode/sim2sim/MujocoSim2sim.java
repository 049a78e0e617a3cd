package pponode.sim2sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.env.RobotTask;
import pponode.env.UrdfFile;
import pponode.onnx.OnnxPolicy;
import pponode.ros.CommandLog;
import pponode.ros.DeployNode;
import pponode.ros.DeployStateMachine;
import pponode.ros.PrivateDomains;
import pponode.ros.RosParams;
import pponode.sim.mujoco.MujocoRobot;
import pponode.sim.urdf.UrdfModel;

/**
 * sim2sim against MuJoCo: the exported policy runs in the deploy node exactly as it ships (its
 * defaults: timer trigger, rate limit, watchdog), over DDS, against a robot that MuJoCo simulates in
 * its own process ({@link MujocoRobot}) on a private domain. Each episode starts a fresh deploy node
 * against the robot reset to its stance, as a robot is brought up; the episode's clock starts when
 * the node engages its policy (after standby); MuJoCo measures the walk.
 */
public final class MujocoSim2sim {
    private static final Logger LOG = LoggerFactory.getLogger(MujocoSim2sim.class);
    /** A fall, as the sim2sim gate defines it: the trunk below 0.15 m, or rolled or pitched beyond 1 rad (or touching the ground). */
    public static final MujocoRobot.Fall FALL = new MujocoRobot.Fall(0.15, 1.0);
    /** How long the robot holds its stance before it takes commands: it stands on the ground, as a robot does when its controller starts. */
    static final double SETTLE_S = 1.0;

    /** The robot that is not the model: its actuators and its ground. */
    public record Conditions(MujocoRobot.Actuators actuators, double friction) {}

    /** The episodes as MuJoCo measured them, and the summary sim2sim prints. */
    public record Result(List<MujocoRobot.Episode> episodes, Map<String, Object> metrics) {
        public int falls() {
            return (int) episodes.stream().filter(MujocoRobot.Episode::fell).count();
        }
    }

    /** CycloneDDS on the loopback interface only, multicast discovery included (Linux's lo does not announce multicast). */
    static final String LOCALHOST_CYCLONEDDS = "<CycloneDDS><Domain><General><Interfaces><NetworkInterface address=\"127.0.0.1\" multicast=\"true\"/>"
            + "</Interfaces></General></Domain></CycloneDDS>";

    private MujocoSim2sim() {}

    /** Why sim2sim cannot run {@code task} in MuJoCo, or null when it can. */
    public static String unsupportedReason(RobotTask task) {
        if (!task.floatingBase) return "sim2sim --sim mujoco judges floating-base (legged) tasks; " + task.name + " has a fixed base";
        if (!task.commandInterface.equals("position")) return "sim2sim --sim mujoco drives position commands; " + task.name + " commands " + task.commandInterface;
        if (task.targetMin != null) return "sim2sim --sim mujoco does not serve targets; " + task.name + " reaches for one";
        return MujocoRobot.unavailableReason();
    }

    /**
     * Runs {@code episodes} episodes of {@code task}'s length (the task {@code taskId} names) with {@code command} held (v_x, v_y,
     * yaw rate); with {@code record}, the deploy node logs every joint state and its command there.
     */
    public static Result run(OnnxPolicy policy, String taskId, RobotTask task, double[] command, Conditions conditions, int episodes, CommandLog record)
            throws IOException {
        String why = unsupportedReason(task);
        if (why != null) throw new IllegalArgumentException(why);
        double episodeSeconds = task.episodeSteps / task.controlRateHz;
        List<MujocoRobot.Episode> results = new ArrayList<>();
        try (PrivateDomains.Lease domain = PrivateDomains.lease()) {
            RosParams p = new RosParams();
            p.domainId = domain.id();
            p.task = taskId; // a name in urdf/tasks or a task file's path, as deploy takes it
            p.diagnosticsPeriodMs = 0;
            // this host only: a node that commands a simulated robot must not reach a real one on the network
            p.environment = new HashMap<>(System.getenv());
            p.environment.put("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST");
            Map<String, String> topics = new LinkedHashMap<>();
            topics.put("joint_states", "rt" + p.resolve(p.jointStateTopics.get(0)));
            topics.put("imu", "rt" + p.resolve(p.imuTopic));
            topics.put("odom", "rt" + p.resolve(p.odomTopic));
            topics.put("cmd_vel", "rt" + p.resolve(p.cmdVelTopic));
            topics.put("commands", "rt" + p.resolve(p.commandTopic(task.commandInterface)));
            MujocoRobot.Setup setup = new MujocoRobot.Setup(UrdfFile.of(task), task.robot.root(), task.physicsDt, task.baseStartPosition,
                    task.contact != null && task.contact.ground(), joints(task), domain.id(), topics, conditions.friction(), conditions.actuators(),
                    250, command, episodeSeconds, SETTLE_S, FALL);
            try (MujocoRobot robot = MujocoRobot.start(setup, Map.of("CYCLONEDDS_URI", LOCALHOST_CYCLONEDDS))) {
                for (int k = 0; k < episodes; k++) {
                    robot.startEpisode(k);
                    MujocoRobot.Episode e;
                    try (DeployNode node = new DeployNode(p, policy, task)) {
                        if (record != null) node.record(record);
                        // the episode is the policy's: it starts when the node engages it (after standby), as a trial on a robot does
                        node.onTransition(t -> {
                            if (t.to() == DeployStateMachine.State.POLICY && t.from() != t.to()) {
                                try {
                                    robot.policyEngaged();
                                } catch (IOException x) {
                                    LOG.warn("sim2sim mujoco: {}", x.getMessage());
                                }
                            }
                        });
                        node.start();
                        e = robot.episodeResult(SETTLE_S + 30 + episodeSeconds + 30);
                    }
                    if (e.why().equals("no_commands")) throw new IOException("the deploy node's commands never reached the MuJoCo robot on domain " + domain.id());
                    if (e.why().equals("no_policy")) throw new IOException("the deploy node never engaged its policy against the MuJoCo robot");
                    LOG.info("sim2sim mujoco: episode {}: v_x {} m/s, yaw-rate error {} rad/s, {} after {} s, trunk down to {} m, tilt up to {} rad ({} commands, {} late physics steps)",
                            k, String.format("%.3f", e.meanVx()), String.format("%.3f", e.meanYawRateError()), e.fell() ? "FELL (" + e.why() + ")" : "walked",
                            String.format("%.2f", e.seconds()), String.format("%.3f", e.minHeight()), String.format("%.2f", e.maxTilt()), e.commands(), e.overruns());
                    results.add(e);
                }
            }
        }
        Map<String, Object> m = metrics(results, task);
        double late = (Double) m.get("late_physics_share");
        if (late > 0.05) {
            LOG.warn("sim2sim mujoco: {}% of the MuJoCo robot's physics steps started behind real time: this machine is loaded, and the robot's "
                    + "commands arrived later than --robot-delay-ms; judge on a quiet machine", String.format("%.0f", 100 * late));
        }
        return new Result(results, m);
    }

    /** The metrics as eval names them: falls, and the means over episodes of eval_mean_vx, eval_mean_yaw_rate_error and the length in control periods. */
    static Map<String, Object> metrics(List<MujocoRobot.Episode> episodes, RobotTask task) {
        double vx = 0, yaw = 0, length = 0;
        int falls = 0;
        for (MujocoRobot.Episode e : episodes) {
            vx += e.meanVx();
            yaw += e.meanYawRateError();
            length += e.seconds() * task.controlRateHz;
            if (e.fell()) falls++;
        }
        int n = episodes.size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("falls", falls);
        m.put("eval_mean_length", length / n);
        m.put("eval_mean_vx", vx / n);
        m.put("eval_mean_yaw_rate_error", yaw / n);
        m.put("eval_min_vx", episodes.stream().mapToDouble(MujocoRobot.Episode::meanVx).min().orElse(Double.NaN));
        double steps = episodes.stream().mapToDouble(e -> e.seconds() / task.physicsDt).sum();
        m.put("late_physics_share", steps > 0 ? episodes.stream().mapToLong(MujocoRobot.Episode::overruns).sum() / steps : 0.0);
        return m;
    }

    /** The task's actuated joints as the MuJoCo robot drives them: stance, PD gains, URDF effort and velocity limits. */
    static List<MujocoRobot.Joint> joints(RobotTask task) {
        List<MujocoRobot.Joint> joints = new ArrayList<>();
        for (int i = 0; i < task.actuatedJoints.size(); i++) {
            UrdfModel.Joint j = task.robot.joint(task.actuatedJoints.get(i));
            double stance = task.defaultJointPos[task.robot.movableJoints().indexOf(j)];
            joints.add(new MujocoRobot.Joint(j.name(), stance, task.kp[i], task.kd[i], j.effort(), j.velocity()));
        }
        return joints;
    }
}
