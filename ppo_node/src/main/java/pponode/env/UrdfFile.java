package pponode.env;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A task's URDF as a file another engine (MuJoCo, Gazebo's sdformat) can read. */
public final class UrdfFile {
    private UrdfFile() {}

    /**
     * The file the task's robot was loaded from, or for a task shipped in the jar, a copy of the
     * jar's URDF in a temporary folder (removed when the JVM exits).
     */
    public static Path of(RobotTask task) throws IOException {
        Path source = task.robot.source();
        if (Files.isRegularFile(source)) return source;
        String s = source.toString();
        if (!s.startsWith("jar:")) throw new IOException("the URDF of task " + task.name + " is not a file: " + source);
        try (InputStream in = UrdfFile.class.getResourceAsStream(s.substring(4))) {
            if (in == null) throw new IOException("the URDF of task " + task.name + " is missing from the jar: " + s);
            Path dir = Files.createTempDirectory("ppo_node-urdf-");
            Path file = dir.resolve(source.getFileName().toString());
            Files.copy(in, file);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        }
    }
}
