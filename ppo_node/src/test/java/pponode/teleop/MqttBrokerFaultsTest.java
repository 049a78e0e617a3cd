package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the node does when the MQTT broker is not as expected: down when the node starts (retried,
 * as after a drop), an ACL that forbids the command topic (an error) or telemetry (a warning), and
 * a broker that goes away (one log line, no stack trace).
 */
@Tag("slow") // drives an external peer (mosquitto): left out of -Pquick
class MqttBrokerFaultsTest {
    /** Collects what reaches the sink: the commands the node heard. */
    static final class Heard implements CommandSink {
        final List<String> payloads = new CopyOnWriteArrayList<>();

        @Override
        public String submit(byte[] payload, String channel) {
            payloads.add(new String(payload, StandardCharsets.UTF_8));
            return null;
        }
    }

    private static void await(BooleanSupplier c, long ms, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!c.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < end, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void aBrokerDownWhenTheNodeStartsIsRetriedUntilItComes(@TempDir Path dir) throws Exception {
        Mosquitto.require();
        int port = Mosquitto.freePort();
        TeleopConfig c = new TeleopConfig().apply(List.of("broker=tcp://127.0.0.1:" + port, "robot=arm1", "username=robot", "password=robot-pw", "client_id=node-" + port));
        Heard heard = new Heard();
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        MqttOperatorChannel ch;
        try {
            ch = new MqttOperatorChannel(c, heard);
        } finally {
            System.setErr(err);
        }
        try (ch; Mosquitto b = new Mosquitto(Files.createDirectories(dir.resolve("b")), TeleopMqttTest.USERS, TeleopMqttTest.ACL, port)) {
            String said = log.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("cannot be reached") && said.contains("retrying") && said.contains("tcp://127.0.0.1:" + port), said);
            await(ch::connected, 30_000, "the node connecting once the broker is up");
            MqttClient op = TeleopMqttTest.client(b, "operator", "op-pw");
            try {
                await(() -> {
                    try {
                        op.publish("ppo_node/arm1/teleop/cmd", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
                    } catch (Exception e) {
                        return false;
                    }
                    return !heard.payloads.isEmpty();
                }, 30_000, "the operator's command reaching the node");
            } finally {
                op.disconnect();
                op.close();
            }
            assertEquals("hello", heard.payloads.get(0));
        }
    }

    @Test
    void anAclThatForbidsTheCommandTopicIsAnErrorAndOneThatForbidsTelemetryAWarning(@TempDir Path dir) throws Exception {
        // the ACL file only filters deliveries (a subscription to a forbidden topic is granted and hears nothing);
        // dynamic security refuses it in the SUBACK, which the node reads
        try (Mosquitto b = Mosquitto.withDynamicSecurity(Files.createDirectories(dir.resolve("a")), TeleopMqttTest.USERS,
                Map.of("robot", List.of("pub ppo_node/+/telemetry"), "operator", List.of("pub ppo_node/+/teleop/cmd")))) {
            IOException e = assertThrows(IOException.class, () -> new MqttOperatorChannel(TeleopMqttTest.config(b), new Heard()));
            assertTrue(e.getMessage().contains("refused the subscription") && e.getMessage().contains("ppo_node/arm1/teleop/cmd")
                    && e.getMessage().contains("reason code 135") && e.getMessage().contains("ACL"), e.getMessage());
        }
        String noTelemetry = String.join("\n", "user robot", "topic read ppo_node/+/teleop/cmd", "user operator", "topic readwrite ppo_node/#", "");
        try (Mosquitto b = new Mosquitto(Files.createDirectories(dir.resolve("t")), TeleopMqttTest.USERS, noTelemetry)) {
            PrintStream err = System.err;
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try (MqttOperatorChannel ch = new MqttOperatorChannel(TeleopMqttTest.config(b, "telemetry_period_ms=50"), new Heard())) {
                ch.publishTelemetry(Map.of("update", 1, "mode", "policy"));
                await(() -> ch.telemetryRefused() >= 3, 30_000, "telemetry refused by the broker");
                assertTrue(ch.connected(), "the channel stays up: the operator can still take over");
            } finally {
                System.setErr(err);
            }
            String said = log.toString(StandardCharsets.UTF_8);
            assertEquals(1, said.lines().filter(l -> l.contains("refused telemetry")).count(), "one warning for a run of refusals: " + said);
            assertTrue(said.contains("reason code 135"), said);
        }
    }

    @Test
    void aBrokerThatGoesAwayIsOneLogLineNotAStackTrace(@TempDir Path dir) throws Exception {
        try (Mosquitto b = new Mosquitto(dir, TeleopMqttTest.USERS, TeleopMqttTest.ACL);
                MqttOperatorChannel ch = new MqttOperatorChannel(TeleopMqttTest.config(b), new Heard())) {
            assertTrue(ch.connected());
            PrintStream err = System.err;
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try {
                b.stop();
                await(() -> !ch.connected(), 30_000, "the node noticing the broker is gone");
                await(() -> log.toString(StandardCharsets.UTF_8).contains("disconnected"), 10_000, "the disconnection logged");
                b.start();
                await(ch::connected, 30_000, "the node reconnecting");
            } finally {
                System.setErr(err);
            }
            String said = log.toString(StandardCharsets.UTF_8);
            assertFalse(said.contains("\tat ") || said.contains("Exception\n") || said.contains("EOFException\n"), "no stack trace: " + said);
        }
    }
}
