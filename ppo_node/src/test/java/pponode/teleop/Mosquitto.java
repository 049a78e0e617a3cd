package pponode.teleop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import pponode.Peers;

/** A real mosquitto broker for a test: loopback, free port, password file, ACL, persistence. */
final class Mosquitto implements AutoCloseable {
    final int port;
    private final Path dir, conf;
    private final Path exe;
    private Process proc;

    static Path executable() {
        Path p = Peers.onPath("mosquitto");
        if (p == null && Files.isExecutable(Path.of("/usr/sbin/mosquitto"))) p = Path.of("/usr/sbin/mosquitto");
        return p;
    }

    /** Skips (or fails under PPO_REQUIRE_PEERS=1) when mosquitto or mosquitto_passwd is missing. */
    static void require() {
        Peers.require(executable() != null && Peers.onPath("mosquitto_passwd") != null, "mosquitto", "apt-get install mosquitto");
    }

    Mosquitto(Path dir, Map<String, String> users, String acl) throws Exception {
        require();
        this.dir = dir;
        exe = executable();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path passwd = dir.resolve("passwd");
        boolean first = true;
        for (Map.Entry<String, String> u : users.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of("mosquitto_passwd", "-b"));
            if (first) cmd.add("-c");
            cmd.addAll(List.of(passwd.toString(), u.getKey(), u.getValue()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IOException("mosquitto_passwd failed: " + out);
            first = false;
        }
        Files.writeString(dir.resolve("acl"), acl);
        Files.createDirectories(dir.resolve("db"));
        conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwd,
                "acl_file " + dir.resolve("acl"),
                "persistence true",
                "persistence_location " + dir.resolve("db") + "/",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "user " + System.getProperty("user.name"),
                ""));
        start();
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    void start() throws Exception {
        proc = new ProcessBuilder(exe.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long end = System.currentTimeMillis() + 10_000;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!proc.isAlive()) throw new IOException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                if (System.currentTimeMillis() > end) throw new IOException("mosquitto did not open port " + port);
                Thread.sleep(50);
            }
        }
    }

    /** SIGTERM: mosquitto writes its persistence database (sessions, queued messages) and exits. */
    void stop() throws InterruptedException {
        if (proc == null) return;
        proc.destroy();
        if (!proc.waitFor(10, TimeUnit.SECONDS)) proc.destroyForcibly().waitFor();
        proc = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
