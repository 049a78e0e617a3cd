package pponode.gazebo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import pponode.env.RobotTask;
import pponode.env.UrdfFile;
import pponode.sim.gazebo.GazeboWorldProcess;
import pponode.sim.gazebo.GazeboWorldProcess.Program;
import pponode.sim.gazebo.GazeboOptions;

/**
 * Gazebo worlds for a task's robot, built from Gazebo's own libraries ({@code dart_world.cc}:
 * sdformat turns the URDF into SDF, ignition-physics steps it with DART, ign-transport serves
 * gz-sim's topics), each in its own process: what {@code ppo-node gazebo-world} starts and
 * {@code --sim gazebo} trains against.
 */
public final class GazeboWorlds implements AutoCloseable {
    private final List<GazeboWorldProcess> worlds = new ArrayList<>();
    private final List<String> names = new ArrayList<>(), models = new ArrayList<>();

    private GazeboWorlds() {}

    /** The world's name for a task: the one {@link GazeboSettings} looks for when none is set. */
    public static String worldName(RobotTask task) {
        return task.name;
    }

    /** The model's name in the world: the URDF's robot name, as gz-sim names a URDF it spawns. */
    public static String modelName(RobotTask task) {
        return task.robot.name();
    }

    /**
     * The command line that makes {@code dart_world} simulate {@code task}'s robot as the embedded
     * simulator does: its physics step and gravity, a fixed or floating base (on a ground plane of
     * the task's friction), the task's start (default joint positions, base position), for
     * position commands the task's PD gains in the joint position controllers, and its state
     * published at the task's control rate (JointStatePublisher's {@code <update_rate>}: the bridge
     * reads one state per control period, so the physics steps between go unpublished).
     */
    public static List<String> arguments(RobotTask task, String world, String model) throws IOException {
        List<String> a = new ArrayList<>(List.of("--world", world, "--model", model, "--urdf", UrdfFile.of(task).toString(), "--root", task.robot.root(),
                "--plugin", GazeboWorldProcess.DART_PLUGIN.toString(), "--dt", num(task.physicsDt), "--gravity", num(-task.gravity[2]),
                "--state-rate", num(1.0 / (task.decimation * task.physicsDt))));
        if (task.gravity[0] != 0 || task.gravity[1] != 0) throw new IllegalArgumentException(task.source + ": a Gazebo world for this task needs gravity along -z only");
        if (task.floatingBase) {
            a.addAll(List.of("--floating", "--base-position", num(task.baseStartPosition[0]) + ":" + num(task.baseStartPosition[1]) + ":" + num(task.baseStartPosition[2])));
        }
        if (task.floatingBase || (task.contact != null && task.contact.ground())) a.addAll(List.of("--ground", "--friction", num(task.contact == null ? 1.0 : task.contact.surface().friction())));
        var joints = task.robot.movableJoints();
        for (int i = 0; i < joints.size(); i++) {
            if (task.defaultJointPos[i] != 0) a.addAll(List.of("--q0", joints.get(i).name() + "=" + num(task.defaultJointPos[i])));
        }
        if (task.commandInterface.equals("position")) {
            for (int i = 0; i < task.actuatedJoints.size(); i++) a.addAll(List.of("--pd", task.actuatedJoints.get(i) + "=" + num(task.kp[i]) + ":" + num(task.kd[i])));
        }
        return a;
    }

    /**
     * Starts {@code count} worlds for {@code task} on the Gazebo Transport network {@code o}: one
     * world named {@link #worldName} with the model {@link #modelName}, or worlds and models
     * suffixed {@code _0 … _(count-1)}. (gz-sim's joint command topics name the model, not the
     * world: two worlds on one partition with models of one name would both obey each command.)
     */
    public static GazeboWorlds start(RobotTask task, int count, GazeboOptions o) throws IOException {
        return start(task, count, null, o);
    }

    /** As {@link #start(RobotTask, int, GazeboOptions)}, suffixed {@code _first …} when {@code first} is given (one host's part of a batch). */
    public static GazeboWorlds start(RobotTask task, int count, Integer first, GazeboOptions o) throws IOException {
        if (count < 1) throw new IllegalArgumentException("--worlds must be at least 1, got " + count);
        GazeboWorlds w = new GazeboWorlds();
        try {
            for (int i = 0; i < count; i++) {
                String suffix = count == 1 && first == null ? "" : "_" + ((first == null ? 0 : first) + i), name = worldName(task) + suffix;
                w.worlds.add(GazeboWorldProcess.start(Program.DART, o, arguments(task, name, modelName(task) + suffix)));
                w.names.add(name);
                w.models.add(modelName(task) + suffix);
            }
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    /** The worlds' names. */
    public List<String> names() {
        return List.copyOf(names);
    }

    /** Each world's model name. */
    public List<String> models() {
        return List.copyOf(models);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.17g", v);
    }

    @Override
    public void close() {
        for (GazeboWorldProcess w : worlds) w.close();
    }
}
