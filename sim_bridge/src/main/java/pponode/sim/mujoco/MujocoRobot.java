package pponode.sim.mujoco;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import pponode.sim.NativePeer;

/**
 * A robot simulated by MuJoCo in its own process and served over ROS 2 as a real one is
 * ({@code mujoco_robot.c}, shipped in this jar and built on first use against Debian's
 * {@code libmujoco-dev} and CycloneDDS): JointState, Imu and Odometry out, position commands in,
 * in real time, with actuators that are not the model's (a delay, a lag, a DC motor's torque-speed
 * line) and a ground friction of its own. It is the judge too: each episode's forward velocity,
 * yaw-rate error and fall are measured in MuJoCo.
 */
public final class MujocoRobot implements AutoCloseable {
    private static final String SOURCE = "mujoco_robot.c";

    /** An actuated joint: its default (stance) position, PD gains, effort and velocity limits. */
    public record Joint(String name, double defaultPosition, double kp, double kd, double effort, double velocityLimit) {}

    /**
     * The actuators between a command and the joint: {@code delayMs} from arrival to the motors,
     * a first-order lag of {@code lagMs} on the PD target (0: none), and the motor: "pd" (the effort
     * limit only) or "dc" (the torque in the direction of motion falls linearly to zero at the
     * joint's velocity limit).
     */
    public record Actuators(double delayMs, double lagMs, String motor) {
        public Actuators {
            if (!(delayMs >= 0) || !(lagMs >= 0)) throw new IllegalArgumentException("actuator delay and lag must be >= 0 ms");
            if (!motor.equals("pd") && !motor.equals("dc")) throw new IllegalArgumentException("the motor model is 'pd' or 'dc', got '" + motor + "'");
        }
    }

    /** When an episode counts as a fall: the root below {@code height} (m), roll or pitch beyond {@code tilt} (rad), or the root touching the ground. */
    public record Fall(double height, double tilt) {}

    /**
     * The robot, its world and its wire: the URDF, root link, physics step, the base's start
     * position, the ground; the DDS domain and topic names by role (joint_states, imu, odom,
     * cmd_vel, commands; DDS names such as "rt/imu"); the operator's velocity command.
     */
    public record Setup(Path urdf, String root, double dt, double[] basePosition, boolean ground, List<Joint> joints, int domain, Map<String, String> topics,
            double friction, Actuators actuators, double stateRateHz, double[] command, double episodeSeconds, double settleSeconds, Fall fall) {}

    /**
     * One episode as MuJoCo measured it: mean forward velocity in the base frame, mean |yaw rate -
     * command|, whether and why it ended early, commands taken, physics steps that started behind
     * real time, the root's lowest height and largest roll or pitch.
     */
    public record Episode(int index, double meanVx, double meanYawRateError, boolean fell, String why, double seconds, long commands, long overruns,
            double minHeight, double maxTilt) {}

    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
    private final StringBuilder log = new StringBuilder();

    private MujocoRobot(Process process) {
        this.process = process;
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    lines.offer(line);
                }
            } catch (IOException e) {
                // the process went away: episode() reports it
            }
        }, "mujoco-robot-out");
        reader.setDaemon(true);
        reader.start();
    }

    /** Why the robot cannot be built here, or null when it can. */
    public static String unavailableReason() {
        String mujoco = MujocoReference.unavailableReason();
        if (mujoco != null) return mujoco;
        if (NativePeer.which("idlc") == null || !Files.exists(Path.of("/usr/include/dds/dds.h"))) {
            return "CycloneDDS is not installed (apt-get install cyclonedds-dev cyclonedds-tools)";
        }
        return null;
    }

    /** Builds the program if needed, starts it with {@code s} and waits until its DDS participant is up. */
    public static MujocoRobot start(Setup s, Map<String, String> environment) throws IOException {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException("cannot build the MuJoCo robot: " + why);
        if (!Files.isRegularFile(s.urdf())) throw new IOException("the MuJoCo robot needs the URDF as a file; " + s.urdf() + " is not one");
        Path exe = NativePeer.build(MujocoRobot.class, SOURCE, List.of("mujoco_model.h", "ros2_robot.idl"), "mujoco_robot", List.of("gcc", "-O2"),
                List.of("-lddsc", "-lmujoco", "-lm"));
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(environment);
        MujocoRobot robot = new MujocoRobot(pb.start());
        StringBuilder setup = new StringBuilder();
        line(setup, "urdf", s.urdf().toAbsolutePath());
        line(setup, "root", s.root());
        line(setup, "dt", s.dt());
        line(setup, "floating", s.basePosition() != null ? 1 : 0);
        if (s.basePosition() != null) line(setup, "base", s.basePosition()[0], s.basePosition()[1], s.basePosition()[2]);
        line(setup, "ground", s.ground() ? 1 : 0);
        for (Joint j : s.joints()) line(setup, "joint", j.name(), j.defaultPosition(), j.kp(), j.kd(), j.effort(), j.velocityLimit());
        line(setup, "domain", s.domain());
        s.topics().forEach((role, name) -> line(setup, "topic", role, name));
        line(setup, "friction", s.friction());
        line(setup, "delay_ms", s.actuators().delayMs());
        line(setup, "lag_ms", s.actuators().lagMs());
        line(setup, "motor", s.actuators().motor());
        line(setup, "state_hz", s.stateRateHz());
        line(setup, "command", s.command()[0], s.command()[1], s.command()[2]);
        line(setup, "episode_s", s.episodeSeconds());
        line(setup, "settle_s", s.settleSeconds());
        line(setup, "fall_height", s.fall().height());
        line(setup, "fall_tilt", s.fall().tilt());
        setup.append("start\n");
        robot.send(setup.toString());
        robot.await("ready", 60);
        return robot;
    }

    private static void line(StringBuilder b, String key, Object... values) {
        b.append(key);
        for (Object v : values) b.append(' ').append(v instanceof Double d ? String.format(Locale.ROOT, "%.17g", d) : v);
        b.append('\n');
    }

    private synchronized void send(String text) throws IOException {
        try {
            in.write(text);
            in.flush();
        } catch (IOException e) {
            throw new IOException("the MuJoCo robot is gone: " + output(), e);
        }
    }

    /** The next line that starts with {@code prefix}, within {@code seconds}. */
    private String await(String prefix, double seconds) throws IOException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    String state = process.isAlive() ? "no answer within " + seconds + " s" : "it exited with " + process.exitValue();
                    throw new IOException("the MuJoCo robot did not say '" + prefix + "' (" + state + "): " + output());
                }
                if (line.startsWith(prefix)) return line;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private String output() {
        synchronized (log) {
            return log.toString().strip();
        }
    }

    /**
     * Starts episode {@code k}: the robot at its default pose, holding it for the settle time, then
     * taking commands; its clock starts at {@link #policyEngaged}; {@link #episodeResult} waits for its end.
     */
    public void startEpisode(int k) throws IOException {
        send("episode " + k + "\n");
    }

    /** Starts the episode's clock: the controller has engaged its policy. Safe to call from any thread, once per episode. */
    public synchronized void policyEngaged() throws IOException {
        send("policy\n");
    }

    /** The result of the episode started last, waiting up to {@code seconds}. */
    public Episode episodeResult(double seconds) throws IOException {
        String line = await("episode ", seconds);
        String[] f = line.trim().split("\\s+");
        if (f.length != 20) throw new IOException("the MuJoCo robot's episode line is malformed: " + line);
        return new Episode(Integer.parseInt(f[1]), Double.parseDouble(f[3]), Double.parseDouble(f[5]), f[7].equals("1"), f[9], Double.parseDouble(f[11]),
                Long.parseLong(f[13]), Long.parseLong(f[15]), Double.parseDouble(f[17]), Double.parseDouble(f[19]));
    }

    @Override
    public void close() {
        try {
            send("quit\n");
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
