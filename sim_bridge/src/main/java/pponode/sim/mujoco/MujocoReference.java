package pponode.sim.mujoco;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import pponode.sim.NativePeer;

/**
 * MuJoCo (Debian's {@code libmujoco-dev}) as a physics and speed reference for the embedded
 * simulator: a C program ({@code mujoco_reference.c}, shipped in this jar, built on first use with
 * gcc) loads the same URDF with the same physics step, floats its root and adds a ground plane as
 * the task does, and drives the actuated joints with the task's PD.
 */
public final class MujocoReference {
    private static final String SOURCE = "mujoco_reference.c";

    private MujocoReference() {}

    /** An actuated joint: its default position, the command range, PD gains and effort limit. */
    public record Joint(String name, double defaultPosition, double low, double high, double kp, double kd, double effort) {}

    /** The robot and how to drive it: URDF file, root link, physics step, floating base and where it starts, ground plane. */
    public record Setup(Path urdf, String root, double dt, boolean floating, double[] basePosition, boolean ground, List<Joint> joints) {}

    /** Base height over a stand under PD at the default positions: at the end, and the lowest and highest after the first second. */
    public record Standing(double height, double min, double max) {}

    /** Why the reference cannot be built here, or null when it can. */
    public static String unavailableReason() {
        if (NativePeer.which("gcc") == null) return "gcc is not installed";
        if (!Files.exists(Path.of("/usr/include/mujoco/mujoco.h"))) return "MuJoCo is not installed (apt-get install libmujoco-dev)";
        return null;
    }

    /** MuJoCo's physics steps per second on one core, and the version that ran ("2.2.2"). */
    public record Speed(double stepsPerSecond, String version) {}

    /** MuJoCo's speed on one core, with PD towards random targets in the command range. */
    public static Speed stepsPerSecond(Setup s, double seconds) throws IOException {
        Map<String, Double> r = run(s, "bench", seconds);
        int v = r.get("mujoco_version").intValue();
        return new Speed(r.get("steps_per_s"), v / 100 + "." + v / 10 % 10 + "." + v % 10);
    }

    /** The robot standing for {@code seconds} under PD at its default positions. */
    public static Standing stand(Setup s, double seconds) throws IOException {
        Map<String, Double> r = run(s, "stand", seconds);
        return new Standing(r.get("base_height"), r.get("base_min"), r.get("base_max"));
    }

    private static Map<String, Double> run(Setup s, String mode, double seconds) throws IOException {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException("cannot build the MuJoCo reference: " + why);
        if (!Files.isRegularFile(s.urdf())) throw new IOException("the MuJoCo reference needs the URDF as a file; " + s.urdf() + " is not one");
        Path exe = NativePeer.build(MujocoReference.class, SOURCE, List.of("mujoco_model.h"), "mujoco_reference", List.of("gcc", "-O2"), List.of("-lmujoco"));
        StringBuilder in = new StringBuilder();
        in.append("urdf ").append(s.urdf().toAbsolutePath()).append('\n').append("root ").append(s.root()).append('\n');
        in.append("dt ").append(s.dt()).append('\n').append("seconds ").append(seconds).append('\n').append("mode ").append(mode).append('\n');
        in.append("floating ").append(s.floating() ? 1 : 0).append('\n').append("ground ").append(s.ground() ? 1 : 0).append('\n');
        double[] b = s.basePosition();
        in.append("base ").append(b[0]).append(' ').append(b[1]).append(' ').append(b[2]).append('\n');
        for (Joint j : s.joints()) {
            in.append("joint ").append(j.name()).append(' ').append(j.defaultPosition()).append(' ').append(j.low()).append(' ').append(j.high()).append(' ')
                    .append(j.kp()).append(' ').append(j.kd()).append(' ').append(j.effort()).append('\n');
        }
        Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(in.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor((long) seconds + 60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("the MuJoCo reference failed: " + out.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        Map<String, Double> values = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    values.put(kv[0], Double.parseDouble(kv[1]));
                } catch (NumberFormatException e) {
                    // not a result line
                }
            }
        }
        return values;
    }
}
