package pponode.teleop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
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
        this(dir, users, acl, freePort());
    }

    /** A broker on {@code port} (a test that starts the node before the broker chose it). */
    Mosquitto(Path dir, Map<String, String> users, String acl, int port) throws Exception {
        this(dir, port, passwordFileAndAcl(dir, users, acl));
    }

    /** The password file and ACL file settings (mosquitto's classic security), written into {@code dir}. */
    private static List<String> passwordFileAndAcl(Path dir, Map<String, String> users, String acl) throws Exception {
        require();
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
        return List.of("password_file " + passwd, "acl_file " + dir.resolve("acl"));
    }

    /**
     * A broker secured by mosquitto's dynamic security plugin, which checks subscriptions against
     * each client's roles when they are made (a denied one gets SUBACK reason code 0x87), unlike
     * the ACL file, which only filters deliveries. {@code allow}: per user, the topics it may
     * publish ("pub TOPIC") and subscribe to ("sub TOPIC"); everything else is denied.
     */
    static Mosquitto withDynamicSecurity(Path dir, Map<String, String> users, Map<String, List<String>> allow) throws Exception {
        require();
        Path plugin = Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");
        Peers.require(Files.isRegularFile(plugin), "mosquitto's dynamic security plugin", "apt-get install mosquitto");
        StringBuilder clients = new StringBuilder(), roles = new StringBuilder();
        SecureRandom random = new SecureRandom();
        for (Map.Entry<String, String> u : users.entrySet()) {
            byte[] salt = new byte[12];
            random.nextBytes(salt);
            PBEKeySpec spec = new PBEKeySpec(u.getValue().toCharArray(), salt, 101, 512);
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
            if (clients.length() > 0) clients.append(',');
            clients.append("{\"username\":\"").append(u.getKey()).append("\",\"roles\":[{\"rolename\":\"").append(u.getKey())
                    .append("\"}],\"password\":\"").append(Base64.getEncoder().encodeToString(hash)).append("\",\"salt\":\"")
                    .append(Base64.getEncoder().encodeToString(salt)).append("\",\"iterations\":101}");
            StringBuilder acls = new StringBuilder();
            for (String rule : allow.getOrDefault(u.getKey(), List.of())) {
                String[] r = rule.split(" ", 2);
                if (acls.length() > 0) acls.append(',');
                acls.append("{\"acltype\":\"").append(r[0].equals("pub") ? "publishClientSend" : "subscribePattern").append("\",\"topic\":\"").append(r[1])
                        .append("\",\"priority\":0,\"allow\":true}");
            }
            if (roles.length() > 0) roles.append(',');
            roles.append("{\"rolename\":\"").append(u.getKey()).append("\",\"acls\":[").append(acls).append("]}");
        }
        Path json = dir.resolve("dynamic-security.json");
        Files.writeString(json, "{\"defaultACLAccess\":{\"publishClientSend\":false,\"publishClientReceive\":true,\"subscribe\":false,\"unsubscribe\":true},"
                + "\"clients\":[" + clients + "],\"groups\":[],\"roles\":[" + roles + "]}");
        return new Mosquitto(dir, freePort(), List.of("plugin " + plugin, "plugin_opt_config_file " + json));
    }

    private Mosquitto(Path dir, int port, List<String> security) throws Exception {
        require();
        this.dir = dir;
        this.port = port;
        exe = executable();
        Files.createDirectories(dir.resolve("db"));
        conf = dir.resolve("mosquitto.conf");
        List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous false"));
        lines.addAll(security);
        lines.addAll(List.of("persistence true", "persistence_location " + dir.resolve("db") + "/", "log_dest stderr", "log_type error", "log_type warning",
                "user " + System.getProperty("user.name"), ""));
        Files.writeString(conf, String.join("\n", lines));
        start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
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
