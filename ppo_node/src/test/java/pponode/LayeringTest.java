package pponode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The learner must not depend on ROS 2, MQTT or teleop code (DEVELOPERS.md). */
class LayeringTest {
    private static final List<String> LEARNER = List.of("ppo", "modules", "storage", "runner", "env", "log");
    private static final List<String> FORBIDDEN = List.of("import pponode.ros", "import pponode.teleop", "import us.ihmc", "import org.eclipse.paho",
            "import pponode.cli");

    @Test
    void learnerPackagesImportNoMiddleware() throws IOException {
        Path root = Path.of("src/main/java/pponode");
        List<String> violations = new ArrayList<>();
        for (String pkg : LEARNER) {
            Path dir = root.resolve(pkg);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        for (String bad : FORBIDDEN) if (line.startsWith(bad)) violations.add(f + ": " + line);
                    }
                }
            }
        }
        assertTrue(Files.isDirectory(root.resolve("ppo")), "run from the ppo_node module directory");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }
}
