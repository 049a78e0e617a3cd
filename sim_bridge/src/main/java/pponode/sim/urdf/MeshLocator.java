package pponode.sim.urdf;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a URDF's mesh file is. A plain path is relative to the URDF's directory (or absolute);
 * {@code file://} is an absolute path; {@code package://<pkg>/<rest>} is {@code <rest>} inside the
 * package directory {@code <pkg>}, looked for, in this order:
 * <ol>
 *   <li>each directory of {@code PPO_NODE_PACKAGE_PATH}: {@code <dir>/<pkg>}, or {@code <dir>} itself when it is named {@code <pkg>};</li>
 *   <li>each directory of {@code ROS_PACKAGE_PATH} (ROS 1 and colcon source trees), the same way;</li>
 *   <li>each prefix of {@code AMENT_PREFIX_PATH} (an installed ROS 2 workspace): {@code <prefix>/share/<pkg>};</li>
 *   <li>the URDF's own directory and its ancestors: a directory named {@code <pkg>} (a description package checked out beside its URDF).</li>
 * </ol>
 */
public final class MeshLocator {
    private final Map<String, String> env;

    public MeshLocator(Map<String, String> env) {
        this.env = env;
    }

    public static MeshLocator fromEnvironment() {
        return new MeshLocator(System.getenv());
    }

    /**
     * The file {@code uri} names, or where it was looked for when it is not there: the paths tried,
     * and what the search covered (the variables and directories, also those that held no candidate).
     */
    public record Located(Path file, List<Path> tried, String searched) {}

    public Located locate(String uri, Path urdfDir) {
        List<Path> tried = new ArrayList<>();
        if (uri.startsWith("package://")) {
            String rest = uri.substring("package://".length());
            int slash = rest.indexOf('/');
            String pkg = slash < 0 ? rest : rest.substring(0, slash), inside = slash < 0 ? "" : rest.substring(slash + 1);
            List<Path> roots = new ArrayList<>();
            List<String> covered = new ArrayList<>();
            for (String var : List.of("PPO_NODE_PACKAGE_PATH", "ROS_PACKAGE_PATH", "AMENT_PREFIX_PATH")) {
                covered.add(var + (env.get(var) == null || env.get(var).isBlank() ? " (unset)" : "=" + env.get(var)));
            }
            covered.add("a directory named '" + pkg + "' at " + urdfDir + " or above it" + (urdfDir == null ? "" : " (none)"));
            for (String var : List.of("PPO_NODE_PACKAGE_PATH", "ROS_PACKAGE_PATH")) {
                for (Path dir : dirs(var)) {
                    roots.add(dir.getFileName() != null && dir.getFileName().toString().equals(pkg) ? dir : dir.resolve(pkg));
                }
            }
            for (Path prefix : dirs("AMENT_PREFIX_PATH")) roots.add(prefix.resolve("share").resolve(pkg));
            boolean above = false;
            for (Path d = urdfDir; d != null; d = d.getParent()) {
                if (d.getFileName() != null && d.getFileName().toString().equals(pkg)) {
                    roots.add(d);
                    above = true;
                }
            }
            if (above) covered.set(covered.size() - 1, "a directory named '" + pkg + "' at " + urdfDir + " or above it");
            for (Path root : roots) {
                Path f = root.resolve(inside).normalize();
                tried.add(f);
                if (Files.isRegularFile(f)) return new Located(f, tried, String.join(", ", covered));
            }
            return new Located(null, tried, String.join(", ", covered));
        }
        Path f = uri.startsWith("file://") ? Path.of(uri.substring("file://".length())) : urdfDir == null ? Path.of(uri) : urdfDir.resolve(uri).normalize();
        tried.add(f);
        return new Located(Files.isRegularFile(f) ? f : null, tried, f.toString());
    }

    private List<Path> dirs(String var) {
        String v = env.get(var);
        List<Path> out = new ArrayList<>();
        if (v == null) return out;
        for (String s : v.split(File.pathSeparator)) if (!s.isBlank()) out.add(Path.of(s));
        return out;
    }
}
