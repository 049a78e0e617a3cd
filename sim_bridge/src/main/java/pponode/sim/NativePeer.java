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
import java.util.Comparator;
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
    public static Path build(Class<?> owner, String source, String executable, List<String> compiler, List<String> libraries) throws IOException {
        return build(owner, source, List.of(), executable, compiler, libraries);
    }

    /**
     * As {@link #build(Class, String, String, List, List)}, with {@code companions}: resources the
     * source needs beside it (headers it includes; IDL files, whose C types CycloneDDS's
     * {@code idlc} generates and which are compiled in).
     */
    public static synchronized Path build(Class<?> owner, String source, List<String> companions, String executable, List<String> compiler,
            List<String> libraries) throws IOException {
        List<String> files = new ArrayList<>(companions);
        files.add(0, source);
        List<byte[]> contents = new ArrayList<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String f : files) {
            try (InputStream in = owner.getResourceAsStream(f)) {
                if (in == null) throw new IOException(f + " is missing from the jar");
                byte[] b = in.readAllBytes();
                contents.add(b);
                sha.update(f.getBytes(StandardCharsets.UTF_8));
                sha.update(b);
            }
        }
        String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ppo_node-native-" + System.getProperty("user.name", "user"), hash);
        Path exe = dir.resolve(executable);
        if (Files.isExecutable(exe)) return exe;
        Files.createDirectories(dir);
        // this JVM's own build folder: two JVMs building at once never share a file, and the
        // executable is moved into place whole
        Path work = Files.createTempDirectory(dir, "build-" + ProcessHandle.current().pid() + "-");
        List<String> cmd = new ArrayList<>(compiler);
        Path tmp = work.resolve(executable);
        cmd.addAll(List.of("-o", tmp.toString(), "-I", work.toString(), work.resolve(source).toString()));
        for (int i = 0; i < files.size(); i++) {
            String f = files.get(i);
            Files.write(work.resolve(f), contents.get(i));
            if (f.endsWith(".idl")) {
                Path idlc = which("idlc");
                if (idlc == null) throw new IOException("building " + executable + " needs CycloneDDS's idlc (apt-get install cyclonedds-tools cyclonedds-dev)");
                run(List.of(idlc.toString(), "-o", work.toString(), work.resolve(f).toString()));
                cmd.add(work.resolve(f.substring(0, f.length() - 4) + ".c").toString());
            }
        }
        cmd.addAll(libraries);
        run(cmd);
        Files.move(tmp, exe, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (var left = Files.walk(work)) {
            for (Path f : left.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
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
