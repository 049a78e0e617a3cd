package pponode.sim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A C or C++ program shipped as source in this jar and built on first use against a library from
 * Debian (the Gazebo pendulum world, the MuJoCo reference): compiled once per source version into
 * a cache directory under the temporary directory, so two JVMs building at once never share a file.
 */
public final class NativePeer {
    private NativePeer() {}

    /** The first executable {@code name} on PATH, or null. */
    public static Path which(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * Builds resource {@code source} (next to {@code owner}) with {@code compiler} (the compiler and
     * its flags, without output and source) and {@code libraries} after the source; returns the executable.
     */
    public static synchronized Path build(Class<?> owner, String source, String executable, List<String> compiler, List<String> libraries) throws IOException {
        byte[] src;
        try (InputStream in = owner.getResourceAsStream(source)) {
            if (in == null) throw new IOException(source + " is missing from the jar");
            src = in.readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(src)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ppo_node-native-" + System.getProperty("user.name", "user"), hash);
        Path exe = dir.resolve(executable);
        if (Files.isExecutable(exe)) return exe;
        Files.createDirectories(dir);
        String mine = "." + ProcessHandle.current().pid();
        int dot = source.lastIndexOf('.');
        Path file = dir.resolve(source.substring(0, dot) + mine + source.substring(dot));
        Path tmp = Path.of(exe + mine + ".tmp");
        Files.write(file, src);
        List<String> cmd = new ArrayList<>(compiler);
        cmd.addAll(List.of("-o", tmp.toString(), file.toString()));
        cmd.addAll(libraries);
        run(cmd);
        Files.move(tmp, exe, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(file);
        return exe;
    }

    /** Runs {@code cmd} to its end; its output, or an error with the output when it fails. */
    public static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + "... failed:\n" + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }
}
