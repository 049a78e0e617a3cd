package pponode.sim.gazebo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pponode.sim.NativePeer;

/**
 * A Gazebo world in its own process, a C++ program shipped in this jar and linked against Gazebo's
 * own libraries: built on first use with g++ (cached by source hash) and started with the
 * partition and IP of a {@link GazeboOptions}.
 */
public final class GazeboWorldProcess implements AutoCloseable {
    /** The world programs. */
    public enum Program {
        /**
         * {@code dart_world.cc}: any URDF robot (fixed or floating base, on a ground plane) built by
         * sdformat 12 and stepped by ignition-physics 5's DART plugin, serving gz-sim's topics.
         */
        DART("dart_world.cc", "dart_world", List.of("ignition-physics5", "ignition-physics5-sdf", "sdformat12", "ignition-plugin1-loader", "ignition-transport11",
                "ignition-msgs8"), "libignition-physics-dev libignition-physics5-dartsim-plugin5 libsdformat-dev libignition-plugin-dev libignition-transport-dev libignition-msgs-dev");

        final String source, executable, packages;
        final List<String> modules;

        Program(String source, String executable, List<String> modules, String packages) {
            this.source = source;
            this.executable = executable;
            this.modules = modules;
            this.packages = packages;
        }
    }

    /** Where Debian's ignition-physics 5 keeps the DART engine plugin. */
    public static final Path DART_PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/ign-physics-5/engine-plugins/libignition-physics-dartsim-plugin.so");

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private GazeboWorldProcess(Process p) {
        this.process = p;
    }

    /** Why {@code program} cannot be built here, or null when it can. */
    public static String unavailableReason(Program program) {
        if (NativePeer.which("g++") == null) return "g++ is not installed";
        if (NativePeer.which("pkg-config") == null) return "pkg-config is not installed";
        try {
            List<String> cmd = new ArrayList<>(List.of("pkg-config", "--exists"));
            cmd.addAll(program.modules);
            Process p = new ProcessBuilder(cmd).start();
            if (p.waitFor() != 0) return program.packages + " (" + String.join(", ", program.modules) + ") are not installed";
        } catch (IOException e) {
            return "pkg-config failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        if (program == Program.DART && !Files.isRegularFile(DART_PLUGIN)) return "the DART engine plugin " + DART_PLUGIN + " is not installed (libignition-physics5-dartsim-plugin5)";
        return null;
    }

    /** Compiles {@code program} once per source version; returns the executable. */
    public static Path build(Program program) throws IOException {
        String why = unavailableReason(program);
        if (why != null) throw new IllegalStateException("cannot build the Gazebo world " + program.source + ": " + why + " (apt-get install g++ pkg-config " + program.packages + ")");
        List<String> cmd = new ArrayList<>(List.of("pkg-config", "--cflags", "--libs"));
        cmd.addAll(program.modules);
        List<String> libs = new ArrayList<>(List.of(NativePeer.run(cmd).trim().split("\\s+")));
        libs.add("-lpthread");
        return NativePeer.build(GazeboWorldProcess.class, program.source, List.of("world_bench_client.h"), program.executable, List.of("g++", "-O2", "-std=c++17"), libs);
    }

    /** The environment that puts a C++ Gazebo Transport process on the same network as {@code o}. */
    public static Map<String, String> environment(GazeboOptions o) {
        return Map.of("IGN_PARTITION", o.partition(), "GZ_PARTITION", o.partition(), "IGN_IP", o.hostIp(), "GZ_IP", o.hostIp(),
                "IGN_DISCOVERY_MSG_PORT", Integer.toString(o.msgPort()), "IGN_DISCOVERY_SRV_PORT", Integer.toString(o.srvPort()));
    }

    /** Starts {@code program} and waits until its topics and services are advertised. */
    public static GazeboWorldProcess start(Program program, GazeboOptions o, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(build(program).toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment(o));
        GazeboWorldProcess f = new GazeboWorldProcess(pb.start());
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(f.process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    f.output.add(line);
                    if (ready.isDone()) System.err.println(program.executable + " (pid " + f.process.pid() + "): " + line); // the world's warnings, as they come
                    if (line.startsWith("READY")) ready.complete(true);
                }
            } catch (IOException e) {
                // process gone
            }
            ready.complete(false);
        }, program.executable + "-output");
        t.setDaemon(true);
        t.start();
        try {
            if (!ready.get(30, TimeUnit.SECONDS)) throw new IOException(program.executable + " exited: " + String.join(" | ", f.output));
        } catch (Exception e) {
            f.close();
            throw new IOException(program.executable + " did not start: " + e.getMessage() + " " + f.output, e);
        }
        return f;
    }

    /** Times {@code n} WorldControl requests (pause + multi_step {@code steps}) with the C++ library itself; its JSON line. */
    public static String benchClient(Program program, GazeboOptions o, List<String> args, int n, int steps) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(build(program).toString(), "--bench-client", Integer.toString(n), "--bench-steps", Integer.toString(steps)));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment(o));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException("C++ bench client failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new IOException("no result from the C++ bench client: " + out));
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the world at once (SIGKILL): no BYE is sent, peers must notice the silence. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    public List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
