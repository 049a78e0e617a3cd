package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.runner.Supervisor.Actor;

/**
 * The MQTT operator channel against a real mosquitto (password file, ACL, persistence), with a
 * 100 Hz control loop asking the arbiter who acts, as a deploy or fine-tuning loop does.
 */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class TeleopMqttTest {
    static final Map<String, String> USERS = new LinkedHashMap<>(Map.of("robot", "robot-pw", "operator", "op-pw", "viewer", "view-pw"));
    static final String ACL = String.join("\n",
            "user robot", "topic read ppo_node/+/teleop/cmd", "topic write ppo_node/+/telemetry",
            "user operator", "topic write ppo_node/+/teleop/cmd", "topic read ppo_node/+/telemetry",
            "user viewer", "topic read ppo_node/+/telemetry", "");
    static final List<String> JOINTS = List.of("joint1", "joint2");

    record Tick(long ms, Actor who, float a0) {}

    /** A control loop at 100 Hz around an arbiter, recording who acted and what was executed. */
    static final class Loop implements AutoCloseable {
        final List<Tick> ticks = new CopyOnWriteArrayList<>();
        final AtomicBoolean run = new AtomicBoolean(true);
        final Thread t;

        Loop(TeleopArbiter a, float[] policy) {
            t = new Thread(() -> {
                float[] ex = new float[2], demo = new float[2];
                while (run.get()) {
                    long before = System.currentTimeMillis(); // ≤ the arbiter's own reading of the clock
                    Actor who = a.decide(0, null, policy, ex, demo);
                    ticks.add(new Tick(before, who, who == Actor.POLICY ? policy[0] : ex[0]));
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            t.start();
        }

        @Override
        public void close() throws InterruptedException {
            run.set(false);
            t.join();
        }
    }

    static TeleopConfig config(Mosquitto b, String... more) {
        TeleopConfig c = new TeleopConfig();
        c.apply(List.of("broker=" + b.uri(), "robot=arm1", "username=robot", "password=robot-pw", "client_id=node-" + b.port));
        return c.apply(List.of(more));
    }

    static TeleopArbiter arbiter(TeleopConfig c) {
        return new TeleopArbiter(c, JOINTS, new double[] {-3.1, -2.6}, new double[] {3.1, 2.6}, "position", System::currentTimeMillis);
    }

    static MqttClient client(Mosquitto b, String user, String pw) throws MqttException {
        MqttClient c = new MqttClient(b.uri(), user + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(pw.getBytes(StandardCharsets.UTF_8));
        c.connect(o);
        return c;
    }

    /** A viewer's client that collects every telemetry record of arm1 into {@code records}. */
    static MqttClient viewer(Mosquitto broker, List<String> records) throws MqttException {
        MqttClient viewer = client(broker, "viewer", "view-pw");
        viewer.setCallback(new MqttCallback() {
            public void disconnected(MqttDisconnectResponse r) {}
            public void mqttErrorOccurred(MqttException e) {}
            public void messageArrived(String topic, MqttMessage m) {
                records.add(new String(m.getPayload(), StandardCharsets.UTF_8));
            }
            public void deliveryComplete(IMqttToken t) {}
            public void connectComplete(boolean r, String u) {}
            public void authPacketArrived(int r, MqttProperties p) {}
        });
        viewer.subscribe("ppo_node/arm1/telemetry", 1);
        return viewer;
    }

    static byte[] cmd(long seq, boolean takeover, double a1) {
        return new OperatorCommand("alice", seq, System.currentTimeMillis(), takeover, takeover ? Map.of("joint1", a1, "joint2", -0.5) : Map.of(), null).toJson();
    }

    /**
     * An operator console on a flaky link: publishes command {@code seq} at QoS 1 until the broker
     * acknowledges it (60 s at most). After any failure it drops its client and connects a fresh
     * one. (A client kept across the outage replays its in-flight commands on every reconnect; under
     * load they pile up past mosquitto's receive maximum of 20, and the broker resets each
     * reconnect for good.)
     */
    static final class Console implements AutoCloseable {
        private final String uri;
        private final MqttConnectionOptions options = new MqttConnectionOptions();
        private MqttAsyncClient client;

        Console(String uri, String user, String password) {
            this.uri = uri;
            options.setUserName(user);
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
            options.setConnectionTimeout(2);
        }

        void publishUntilAcknowledged(long seq) throws InterruptedException {
            long end = System.currentTimeMillis() + 60_000;
            MqttException last = null;
            while (System.currentTimeMillis() < end) {
                try {
                    if (client == null) {
                        client = new MqttAsyncClient(uri, "operator-console", new MemoryPersistence());
                        client.connect(options).waitForCompletion(5_000);
                    }
                    client.publish("ppo_node/arm1/teleop/cmd", cmd(seq, true, 0.1), 1, false).waitForCompletion(5_000);
                    return;
                } catch (MqttException notAcknowledged) { // connection lost, broker down, or no PUBACK in time: a fresh client sends it again
                    last = notAcknowledged;
                    drop();
                }
                Thread.sleep(50);
            }
            throw new AssertionError("command " + seq + " was never acknowledged by the broker", last);
        }

        private void drop() {
            if (client == null) return;
            try {
                client.disconnectForcibly(0, 0, false);
            } catch (MqttException alreadyDown) {
                // nothing to disconnect
            }
            try {
                client.close(true);
            } catch (MqttException closing) {
                // its threads are gone either way
            }
            client = null;
        }

        @Override
        public void close() throws MqttException {
            if (client != null && client.isConnected()) client.disconnect().waitForCompletion(2_000);
            drop();
        }
    }

    static void await(BooleanSupplier c, long ms, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out after " + ms + " ms waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void takeoverHandBackDeadmanAndTelemetry(@TempDir Path dir) throws Exception {
        try (Mosquitto broker = new Mosquitto(dir, USERS, ACL)) {
            TeleopConfig c = config(broker);
            TeleopArbiter a = arbiter(c);
            float[] policy = {0.1f, 0.1f};
            List<String> telemetry = new CopyOnWriteArrayList<>();
            MqttClient viewer = viewer(broker, telemetry);
            try (MqttOperatorChannel ch = new MqttOperatorChannel(c, a); Loop loop = new Loop(a, policy)) {
                MqttClient op = client(broker, "operator", "op-pw");
                Thread.sleep(100);
                long seq = 0;
                // 1. take over for 400 ms, then hand back explicitly
                long end = System.currentTimeMillis() + 400;
                while (System.currentTimeMillis() < end) {
                    op.publish("ppo_node/arm1/teleop/cmd", cmd(++seq, true, 0.5), 1, false);
                    Thread.sleep(20);
                }
                op.publish("ppo_node/arm1/teleop/cmd", cmd(++seq, false, 0), 1, false);
                long released = System.currentTimeMillis();
                Thread.sleep(200);
                // 2. take over again, then go silent: the deadman (250 ms) hands back
                end = System.currentTimeMillis() + 300;
                long lastSent = 0;
                while (System.currentTimeMillis() < end) {
                    op.publish("ppo_node/arm1/teleop/cmd", cmd(++seq, true, -0.25), 1, false);
                    lastSent = System.currentTimeMillis();
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                ch.publishTelemetry(Map.of("robot", "arm1", "mode", a.lastActor().name().toLowerCase(), "intervention_rate", 0.5));
                await(() -> !telemetry.isEmpty(), 5_000, "telemetry at the viewer");
                assertTrue(telemetry.get(0).contains("\"mode\":\"policy\""), telemetry.get(0));
                op.disconnect();
                op.close();
                loop.close();
                List<Tick> ticks = loop.ticks;
                // executed actions: policy, operator (0.5 → 1.55 rad), policy after the release, operator (-0.25 → -0.775), policy after the deadman
                assertTrue(ticks.stream().anyMatch(t -> t.who() == Actor.OPERATOR && Math.abs(t.a0() - 1.55f) < 1e-5), "operator's action executed");
                long firstPolicyAfterRelease = ticks.stream().filter(t -> t.ms() >= released && t.who() == Actor.POLICY).mapToLong(Tick::ms).min().orElseThrow();
                long secondTakeover = ticks.stream().filter(t -> t.who() == Actor.OPERATOR && Math.abs(t.a0() + 0.775f) < 1e-5).mapToLong(Tick::ms).min().orElseThrow();
                assertTrue(firstPolicyAfterRelease < secondTakeover, "the release handed control back before the second takeover");
                assertTrue(ticks.stream().anyMatch(t -> t.who() == Actor.OPERATOR && Math.abs(t.a0() + 0.775f) < 1e-5), "second takeover executed");
                long ls = lastSent;
                long lastOperator = ticks.stream().filter(t -> t.who() == Actor.OPERATOR).mapToLong(Tick::ms).max().orElseThrow();
                long firstPolicyAfterLapse = ticks.stream().filter(t -> t.ms() > lastOperator).mapToLong(Tick::ms).min().orElseThrow();
                System.out.printf("mqtt teleop: hand-back %d ms after release; deadman lapse %d ms after the last command (timeout 250 ms)%n",
                        firstPolicyAfterRelease - released, firstPolicyAfterLapse - ls);
                // the deadman rule, on the arbiter's clock: no operator step later than 250 ms after the last command's stamp
                assertTrue(lastOperator - ls <= 250, "operator kept control " + (lastOperator - ls) + " ms after its last command");
                assertTrue(ticks.get(ticks.size() - 1).who() == Actor.POLICY, "the policy is back after the deadman lapsed");
                assertTrue(ticks.stream().filter(t -> t.who() == Actor.POLICY).allMatch(t -> t.a0() == 0.1f), "policy steps execute the policy's action");
                assertEquals(0, a.rejectedCount(), a.rejections().toString());
            }
            viewer.disconnect();
            viewer.close();
        }
    }

    @Test
    void brokerRestartMidEpisodeLosesNoCommand(@TempDir Path dir) throws Exception {
        try (Mosquitto broker = new Mosquitto(dir, USERS, ACL)) {
            TeleopConfig c = config(broker, "deadman_timeout_ms=120000", "max_clock_skew_ms=120000");
            TeleopArbiter a = arbiter(c);
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            CommandSink recording = (payload, channel) -> {
                try {
                    seen.add(OperatorCommand.parse(payload).seq());
                } catch (OperatorCommand.Rejected e) {
                    throw new AssertionError(e);
                }
                return a.submit(payload, channel);
            };
            try (MqttOperatorChannel ch = new MqttOperatorChannel(c, recording); Loop loop = new Loop(a, new float[] {0.1f, 0.1f});
                    Console op = new Console(broker.uri(), "operator", "op-pw")) {
                // Each command waits for the broker's acknowledgement and, while the link is down, is
                // sent again after the console reconnects. The broker is stopped at command 60 and
                // started again 2 s later, on its own thread, while commands keep being issued.
                int n = 200;
                Thread restart = null;
                AtomicReference<Exception> restartFailed = new AtomicReference<>();
                for (int seq = 1; seq <= n; seq++) {
                    if (seq == 60) {
                        restart = new Thread(() -> {
                            try {
                                broker.stop(); // mid-episode: the control loop keeps running
                                Thread.sleep(2_000); // long enough that the node's first reconnect attempts fail
                                broker.start();
                            } catch (Exception e) {
                                restartFailed.set(e);
                            }
                        }, "broker-restart");
                        restart.start();
                    }
                    try {
                        op.publishUntilAcknowledged(seq);
                    } catch (AssertionError notAcknowledged) {
                        // a broker that did not come back is the cause to report, not the console's last error
                        if (restartFailed.get() != null) notAcknowledged.addSuppressed(restartFailed.get());
                        throw notAcknowledged;
                    }
                    Thread.sleep(10);
                }
                restart.join();
                if (restartFailed.get() != null) throw restartFailed.get();
                await(() -> seen.size() == n, 30_000, "all " + n + " commands at the node (have " + seen.size() + ")");
                for (long s = 1; s <= n; s++) assertTrue(seen.contains(s), "command " + s + " lost");
                // counted when the reconnect thread returns from subscribing, which can be after the first commands arrive
                await(() -> ch.reconnects() >= 1, 10_000, "the node counting its reconnect");
                assertTrue(loop.t.isAlive(), "the control loop kept running");
                System.out.printf("mqtt teleop: broker restarted mid-episode; %d/%d commands delivered (%d accepted, %d rejected as duplicates or out of order), %d reconnects%n",
                        seen.size(), n, a.accepted(), a.rejectedCount(), ch.reconnects());
            }
        }
    }

    @Test
    void unauthenticatedClientsAndMalformedCommandsAreRejected(@TempDir Path dir) throws Exception {
        try (Mosquitto broker = new Mosquitto(dir, USERS, ACL)) {
            // the node itself with a wrong password, or anonymously: refused by the broker, with a clear error
            IOException e = assertThrows(IOException.class, () -> new MqttOperatorChannel(config(broker, "password=guess"), (p, ch) -> null));
            assertTrue(e.getMessage().contains("cannot connect to the MQTT broker " + broker.uri() + " (teleop.broker) as 'robot'"), e.getMessage());
            assertThrows(IOException.class, () -> new MqttOperatorChannel(config(broker, "username=", "password="), (p, ch) -> null));
            // an operator that cannot authenticate never gets to publish
            assertThrows(MqttException.class, () -> client(broker, "operator", "wrong"));
            TeleopConfig c = config(broker, "token=t0ken");
            TeleopArbiter a = arbiter(c);
            try (MqttOperatorChannel ch = new MqttOperatorChannel(c, a)) {
                // authenticated, but the ACL lets the viewer only read telemetry: its command never arrives
                MqttClient viewer = client(broker, "viewer", "view-pw");
                try {
                    viewer.publish("ppo_node/arm1/teleop/cmd", new OperatorCommand("mallory", 1, System.currentTimeMillis(), true,
                            Map.of("joint1", 1.0, "joint2", 1.0), "t0ken").toJson(), 1, false);
                } catch (MqttException denied) {
                    // MQTT 5 brokers may answer with "not authorized"; either way nothing is delivered
                }
                MqttClient op = client(broker, "operator", "op-pw");
                op.publish("ppo_node/arm1/teleop/cmd", "{\"seq\": 1, \"takeover\": tru".getBytes(StandardCharsets.UTF_8), 1, false);
                op.publish("ppo_node/arm1/teleop/cmd", new OperatorCommand("alice", 2, System.currentTimeMillis(), true, Map.of("joint1", 0.2, "joint2", 0.2), null).toJson(), 1, false);
                op.publish("ppo_node/arm1/teleop/cmd", new OperatorCommand("alice", 3, System.currentTimeMillis(), true, Map.of("joint1", 0.2, "joint2", 0.2), "t0ken").toJson(), 1, false);
                await(() -> ch.received() >= 3, 5_000, "three operator messages");
                Thread.sleep(300);
                assertEquals(3, ch.received(), "the viewer's command was not delivered");
                assertEquals(1, a.accepted());
                assertEquals(2, a.rejectedCount(), a.rejections().toString());
                assertTrue(a.rejections().keySet().stream().anyMatch(k -> k.startsWith("malformed JSON")), a.rejections().toString());
                assertTrue(a.rejections().keySet().stream().anyMatch(k -> k.startsWith("unauthenticated")), a.rejections().toString());
                op.disconnect();
                op.close();
                viewer.disconnect();
                viewer.close();
            }
        }
    }
}
