package pponode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The learner must not depend on ROS 2, MQTT, teleop, the CLI or the Gazebo transport: not by an
 * import, and not by a fully-qualified name in the code (which an import check alone misses).
 */
class LayeringTest {
    private static final List<String> LEARNER = List.of("ppo", "modules", "storage", "state", "runner", "env", "log", "config");
    private static final List<String> FORBIDDEN = List.of("pponode.ros", "pponode.teleop", "pponode.cli", "pponode.gazebo", "pponode.sim.gazebo", "pponode.sim.embedded", "us.ihmc",
            "org.eclipse.paho");

    /** Lines that name a forbidden package, outside comments. */
    static List<String> violations(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        List<Pattern> names = FORBIDDEN.stream().map(p -> Pattern.compile("(?<![\\w.])" + Pattern.quote(p) + "\\.")).toList();
        boolean inComment = false;
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            n++;
            String code = line.trim();
            if (inComment) {
                if (!code.contains("*/")) continue;
                code = code.substring(code.indexOf("*/") + 2);
                inComment = false;
            }
            if (code.startsWith("/*")) {
                inComment = !code.contains("*/");
                continue;
            }
            if (code.startsWith("*") || code.startsWith("//")) continue;
            int slashes = code.indexOf("//");
            if (slashes >= 0) code = code.substring(0, slashes);
            for (Pattern p : names) if (p.matcher(code).find()) out.add(file + ":" + n + ": " + line.trim());
        }
        return out;
    }

    @Test
    void learnerPackagesNameNoMiddleware() throws IOException {
        Path root = Path.of("src/main/java/pponode");
        assertTrue(Files.isDirectory(root.resolve("ppo")), "run from the ppo_node module directory");
        List<String> violations = new ArrayList<>();
        for (String pkg : LEARNER) {
            Path dir = root.resolve(pkg);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) violations.addAll(violations(f));
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    /** The algorithm and the networks read their own part of the settings (AlgorithmConfig, NetworkConfig), never the whole PPOConfig. */
    @Test
    void theAlgorithmAndTheNetworksReadOnlyTheirSettings() throws IOException {
        List<String> readers = new ArrayList<>();
        for (String pkg : List.of("ppo", "modules")) {
            try (Stream<Path> files = Files.walk(Path.of("src/main/java/pponode", pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (Files.readAllLines(f).stream().anyMatch(l -> !l.trim().startsWith("*") && !l.trim().startsWith("//") && l.matches(".*\\bPPOConfig\\b.*"))) {
                        readers.add(f.toString());
                    }
                }
            }
        }
        assertEquals(List.of(), readers);
    }

    @Test
    void theCheckSeesImportsAndFullyQualifiedNamesButNotComments(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("X.java");
        Files.writeString(f, String.join("\n", "import pponode.ros.DeployNode;", "/** uses pponode.ros.Ros2 in a comment */",
                "class X { Object o = new us.ihmc.ros2.ROS2Node(null, null); // pponode.teleop.X", "  String s = \"not.pponode.rosy\"; }", ""));
        List<String> v = violations(f);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains(":1: ") && v.get(1).contains(":3: "), v.toString());
    }
}
