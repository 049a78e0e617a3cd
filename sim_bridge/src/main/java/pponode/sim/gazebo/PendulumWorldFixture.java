package pponode.sim.gazebo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pponode.sim.NativePeer;

/**
 * The C++ pendulum world ({@code pendulum_world.cc}, shipped in this jar) that plays a Gazebo world
 * over the real Gazebo Transport library: built on first use with g++ against
 * libignition-transport11 (Debian: {@code g++ libignition-transport-dev libignition-msgs-dev}),
 * cached by source hash, and started with the partition and IP of a {@link GazeboOptions}.
 */
public final class PendulumWorldFixture implements AutoCloseable {
    private static final String SOURCE = "pendulum_world.cc";
    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private PendulumWorldFixture(Process p) {
        this.process = p;
    }

    /** Why the fixture cannot be built here, or null when it can. */
    public static String unavailableReason() {
        if (NativePeer.which("g++") == null) return "g++ is not installed";
        if (NativePeer.which("pkg-config") == null) return "pkg-config is not installed";
        try {
            Process p = new ProcessBuilder("pkg-config", "--exists", "ignition-transport11", "ignition-msgs8").start();
            if (p.waitFor() != 0) return "libignition-transport-dev / libignition-msgs-dev (ignition-transport11, ignition-msgs8) are not installed";
        } catch (IOException e) {
            return "pkg-config failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    /** Compiles the fixture once per source version; returns the executable. */
    public static Path build() throws IOException {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException("cannot build the Gazebo pendulum world: " + why + " (apt-get install g++ pkg-config libignition-transport-dev libignition-msgs-dev)");
        List<String> libs = new ArrayList<>(List.of(NativePeer.run(List.of("pkg-config", "--cflags", "--libs", "ignition-transport11", "ignition-msgs8")).trim().split("\\s+")));
        libs.add("-lpthread");
        return NativePeer.build(PendulumWorldFixture.class, SOURCE, "pendulum_world", List.of("g++", "-O2", "-std=c++17"), libs);
    }

    /** The environment that puts a C++ Gazebo Transport process on the same network as {@code o}. */
    public static Map<String, String> environment(GazeboOptions o) {
        return Map.of("IGN_PARTITION", o.partition(), "GZ_PARTITION", o.partition(), "IGN_IP", o.hostIp(), "GZ_IP", o.hostIp(),
                "IGN_DISCOVERY_MSG_PORT", Integer.toString(o.msgPort()), "IGN_DISCOVERY_SRV_PORT", Integer.toString(o.srvPort()));
    }

    /** Starts the world and waits until its topics and services are advertised. */
    public static PendulumWorldFixture start(GazeboOptions o, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(build().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment(o));
        PendulumWorldFixture f = new PendulumWorldFixture(pb.start());
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(f.process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    f.output.add(line);
                    if (line.startsWith("READY")) ready.complete(true);
                }
            } catch (IOException e) {
                // process gone
            }
            ready.complete(false);
        }, "pendulum-world-output");
        t.setDaemon(true);
        t.start();
        try {
            if (!ready.get(20, TimeUnit.SECONDS)) throw new IOException("the pendulum world exited: " + f.output);
        } catch (Exception e) {
            f.close();
            throw new IOException("the pendulum world did not start: " + e.getMessage() + " " + f.output, e);
        }
        return f;
    }

    /** Times {@code n} WorldControl requests (pause + multi_step {@code steps}) with the C++ library itself; its JSON line. */
    public static String benchClient(GazeboOptions o, int n, int steps) throws IOException {
        List<String> cmd = List.of(build().toString(), "--bench-client", Integer.toString(n), "--bench-steps", Integer.toString(steps));
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
