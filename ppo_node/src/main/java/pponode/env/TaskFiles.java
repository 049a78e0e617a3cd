package pponode.env;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import pponode.settings.StrictYaml;
import pponode.sim.urdf.UrdfParser;

/**
 * Where task files come from: a path, {@code urdf/tasks/<name>.yaml} under the working directory,
 * or the copy packed in the jar; each read as strict YAML (with its SHA-256) into a {@link RobotTask},
 * its robot's URDF resolved relative to the file.
 */
public final class TaskFiles {
    private TaskFiles() {}

    /** Task files are small YAML texts; anything larger is not one (and would be read whole). */
    private static final long MAX_TASK_BYTES = 1 << 20;

    public static RobotTask load(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException("task file not found: " + file);
        if (!Files.isRegularFile(file)) throw new IOException("task file " + file + " is not a file");
        long size = Files.size(file);
        if (size > MAX_TASK_BYTES) throw new IOException("task file " + file + " is " + size + " bytes; a task file is a YAML text of at most " + MAX_TASK_BYTES + " bytes");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("task file " + file + " is not UTF-8 text (a binary file?)");
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), rel -> {
            Path urdf = dir.resolve(rel).normalize();
            if (Files.isDirectory(urdf)) throw new IOException(file + ": 'robot' names " + urdf + ", which is a directory, not a URDF file");
            return UrdfParser.parse(urdf);
        });
    }

    /** The names of the tasks shipped in urdf/tasks/ (in the jar, or the build's resources). */
    public static List<String> shippedNames() {
        TreeSet<String> names = new TreeSet<>();
        try {
            Path src = Path.of(TaskFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(src)) {
                try (var files = Files.list(src.resolve("urdf/tasks"))) {
                    files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).forEach(f -> names.add(f.substring(0, f.length() - 5)));
                }
            } else {
                try (var jar = new JarFile(src.toFile())) {
                    jar.stream().map(JarEntry::getName).filter(n -> n.startsWith("urdf/tasks/") && n.endsWith(".yaml"))
                            .forEach(n -> names.add(n.substring("urdf/tasks/".length(), n.length() - 5)));
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // an unusual class path: the list is only for messages
        }
        return List.copyOf(names);
    }

    /** The file task {@code nameOrPath} is read from: the YAML path itself, or urdf/tasks/<name>.yaml under the working directory; null for the jar's copy. */
    public static Path file(String nameOrPath) {
        if (nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml")) return Path.of(nameOrPath);
        Path local = Path.of("urdf", "tasks", nameOrPath + ".yaml");
        return Files.exists(local) ? local : null;
    }

    /**
     * Finds task {@code nameOrPath}: a YAML file path, {@code urdf/tasks/<name>.yaml} under the
     * working directory, or the copy packaged in the jar.
     */
    public static RobotTask find(String nameOrPath) throws IOException {
        Path file = file(nameOrPath);
        if (file != null) return load(file);
        String res = "/urdf/tasks/" + nameOrPath + ".yaml";
        try (InputStream in = TaskFiles.class.getResourceAsStream(res)) {
            if (in == null) return null;
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return parse(text, "jar:" + res, rel -> {
                String r = Path.of("/urdf/tasks").resolve(rel).normalize().toString();
                try (InputStream u = TaskFiles.class.getResourceAsStream(r)) {
                    if (u == null) throw new IOException("jar:" + res + ": robot '" + rel + "' not found (" + r + ")");
                    return UrdfParser.parse(u, Path.of("jar:" + r));
                }
            });
        }
    }

    @SuppressWarnings("unchecked")
    static RobotTask parse(String text, String source, RobotTask.RobotLoader loader) throws IOException {
        Object doc;
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        doc = StrictYaml.load(new StringReader(text), source);
        if (!(doc instanceof Map)) throw new IllegalArgumentException(source + ": a task file must be a YAML mapping");
        return new RobotTask((Map<String, Object>) doc, source, sha, loader);
    }
}
