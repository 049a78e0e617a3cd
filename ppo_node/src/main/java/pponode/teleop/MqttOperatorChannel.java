package pponode.teleop;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator channel over MQTT v5 (Eclipse Paho): commands in on
 * {@code ppo_node/<robot>/teleop/cmd} at QoS 1, telemetry out on {@code ppo_node/<robot>/telemetry}.
 *
 * <p>The session survives disconnects: clean start off and a session expiry, so the broker keeps
 * the subscription and queues QoS 1 commands while the node is away, and delivers them after the
 * node reconnects (its own retry loop, 250 ms to 5 s apart). A command is acknowledged only after {@link TeleopArbiter#submit} has
 * returned, so an accepted command is never lost between broker and arbiter. (Commands queued
 * during an outage are usually stale by the time they arrive; the deadman rejects those, by design.)
 *
 * <p>A broker that cannot be reached when the node starts is retried the same way (the policy acts
 * meanwhile); one that refuses the node (credentials, an address that is no broker) is an error.
 * The broker's answers are read, not assumed: a SUBACK refusing the command topic (an ACL) is an
 * error, since the node would never hear its operator; a PUBACK refusing telemetry (it goes at QoS 1
 * for that) is a warning, counted in {@link #telemetryRefused()}.
 */
public final class MqttOperatorChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttOperatorChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TeleopConfig cfg;
    private final CommandSink sink;
    private final MqttAsyncClient client;
    private static final long WAIT_MS = 10_000;
    private final String commandTopic, telemetryTopic;
    private final AtomicLong received = new AtomicLong(), reconnects = new AtomicLong(), telemetryRefused = new AtomicLong();
    private final Object reconnectLock = new Object();
    private MqttConnectionOptions options;
    private Thread reconnecting;
    private volatile boolean connected, closing, telemetryWarned;
    private final AtomicReference<Map<String, ?>> latestTelemetry = new AtomicReference<>();
    private final ScheduledExecutorService telemetryTimer;

    /** Connects and subscribes; a broker that cannot be reached or refuses us is an IOException naming it. */
    public MqttOperatorChannel(TeleopConfig cfg, CommandSink sink) throws IOException {
        if (cfg.broker.isEmpty()) throw new IllegalArgumentException("teleop.broker is not set");
        this.cfg = cfg;
        this.sink = sink;
        commandTopic = cfg.topic(cfg.commandTopic);
        telemetryTopic = cfg.topic(cfg.telemetryTopic);
        try {
            client = new MqttAsyncClient(cfg.broker, cfg.clientIdOrDefault(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IOException("teleop.broker '" + cfg.broker + "' is not an MQTT broker address (tcp://host:port or ssl://host:port): " + e.getMessage());
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                connected = false;
                if (closing) return;
                // the cause as text: a Throwable argument would print Paho's stack trace (an EOFException) on every drop
                LOG.warn("teleop mqtt: disconnected from {} ({}); reconnecting", cfg.broker, r.getReasonString() != null ? r.getReasonString() : describe(r.getException()));
                startReconnecting();
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("teleop mqtt: {}", describe(e));
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                received.incrementAndGet();
                sink.submit(m.getPayload(), "mqtt " + topic);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String uri) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(cfg.sessionExpirySeconds);
        // Reconnection is ours, not Paho's: Paho 1.2.5's automatic reconnect can stop retrying after
        // an attempt that fails while the broker restarts, which left the node deaf to its operator.
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(10);
        o.setConnectionTimeout(10);
        if (!cfg.username.isEmpty()) o.setUserName(cfg.username);
        String pw = cfg.resolvedPassword();
        if (pw != null && !pw.isEmpty()) o.setPassword(pw.getBytes(StandardCharsets.UTF_8));
        if (!cfg.tlsTruststore.isEmpty() || !cfg.tlsKeystore.isEmpty()) {
            Properties ssl = new Properties(); // Paho's own TLS settings (JKS or PKCS12 stores)
            if (!cfg.tlsTruststore.isEmpty()) {
                ssl.setProperty("com.ibm.ssl.trustStore", cfg.tlsTruststore);
                ssl.setProperty("com.ibm.ssl.trustStorePassword", cfg.tlsTruststorePassword);
            }
            if (!cfg.tlsKeystore.isEmpty()) {
                ssl.setProperty("com.ibm.ssl.keyStore", cfg.tlsKeystore);
                ssl.setProperty("com.ibm.ssl.keyStorePassword", cfg.tlsKeystorePassword);
            }
            o.setSSLProperties(ssl);
        }
        options = o;
        try {
            connectAndSubscribe();
        } catch (MqttException e) {
            if (!unreachable(e)) {
                closeQuietly();
                throw new IOException("cannot connect to the MQTT broker " + cfg.broker + " (teleop.broker) as '"
                        + (cfg.username.isEmpty() ? "(anonymous)" : cfg.username) + "': " + describe(e) + ", reason code " + e.getReasonCode());
            }
            LOG.warn("teleop mqtt: the broker {} (teleop.broker) cannot be reached ({}); retrying every 0.25 to 5 s, the policy acts until then",
                    cfg.broker, describe(e));
            startReconnecting();
        } catch (SubscriptionRefused e) {
            closeQuietly();
            throw new IOException(e.getMessage());
        }
        telemetryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-telemetry");
            t.setDaemon(true);
            return t;
        });
        telemetryTimer.scheduleAtFixedRate(this::sendTelemetry, cfg.telemetryPeriodMs, cfg.telemetryPeriodMs, TimeUnit.MILLISECONDS);
        LOG.info("teleop mqtt: {} as {}; commands on {}, telemetry on {} every {} ms", cfg.broker, cfg.clientIdOrDefault(), commandTopic, telemetryTopic,
                cfg.telemetryPeriodMs);
    }

    /** The broker refused the subscription to the command topic (its SUBACK's reason code). */
    private static final class SubscriptionRefused extends Exception {
        SubscriptionRefused(String message) {
            super(message);
        }
    }

    private void connectAndSubscribe() throws MqttException, SubscriptionRefused {
        client.connect(options).waitForCompletion(WAIT_MS);
        // subscribing again is harmless when the broker kept the session, and needed when it lost it
        IMqttToken sub = client.subscribe(commandTopic, 1);
        sub.waitForCompletion(WAIT_MS);
        int[] codes = sub.getReasonCodes();
        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
            try {
                client.disconnect(1000).waitForCompletion(2000);
            } catch (MqttException ignored) {
                // refused either way
            }
            throw new SubscriptionRefused("the MQTT broker " + cfg.broker + " (teleop.broker) refused the subscription of '" + (cfg.username.isEmpty() ? "(anonymous)"
                    : cfg.username) + "' to " + commandTopic + " (reason code " + codes[0] + reason(codes[0]) + "): the node would never hear its operator; "
                    + "allow that topic in the broker's ACL");
        }
        connected = true;
    }

    /** Whether a failed connection is the broker being away (refused, timed out, dropped), which retrying can mend; not credentials or a bad address. */
    private static boolean unreachable(MqttException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) return false;
            if (c instanceof ConnectException || c instanceof SocketTimeoutException || c instanceof EOFException || c instanceof SocketException) return true;
        }
        return e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT || e.getReasonCode() == MqttClientException.REASON_CODE_CONNECTION_LOST
                || e.getReasonCode() == MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR || e.getReasonCode() == 136; // 136: server unavailable
    }

    /** An MQTT v5 reason code's meaning, for the ones an ACL or a broker gives. */
    private static String reason(int code) {
        return switch (code) {
            case 0x87 -> ", not authorized";
            case 0x8F -> ", topic filter invalid";
            case 0x90 -> ", topic name invalid";
            case 0x97 -> ", quota exceeded";
            case 0x80 -> ", unspecified error";
            default -> "";
        };
    }

    /** One line for a Paho exception: its message and its cause's, never a stack trace. */
    private static String describe(Throwable e) {
        if (e == null) return "no reason given";
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable c = e.getCause();
        return c == null || c == e ? m : m + " (" + c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "") + ")";
    }

    private void closeQuietly() {
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // already failed
        }
    }

    /**
     * Retries the connection until it is back or the channel closes: 250 ms after the loss, then
     * doubling up to 5 s between attempts. At most one such thread runs; it ends, under the lock,
     * only while connected, so a loss during its last attempt starts it again.
     */
    private void startReconnecting() {
        synchronized (reconnectLock) {
            if (closing || reconnecting != null) return;
            reconnecting = new Thread(this::reconnectLoop, "mqtt-reconnect");
            reconnecting.setDaemon(true);
            reconnecting.start();
        }
    }

    private void reconnectLoop() {
        long delayMs = 250;
        while (true) {
            synchronized (reconnectLock) {
                if (connected || closing) {
                    reconnecting = null;
                    return;
                }
                try {
                    reconnectLock.wait(delayMs);
                } catch (InterruptedException e) {
                    reconnecting = null;
                    return;
                }
                if (closing) {
                    reconnecting = null;
                    return;
                }
            }
            try {
                connectAndSubscribe();
                reconnects.incrementAndGet();
                LOG.info("teleop mqtt: reconnected to {}", cfg.broker);
            } catch (MqttException e) {
                LOG.debug("teleop mqtt: reconnect to {} failed: {}", cfg.broker, describe(e));
                try {
                    if (client.isConnected()) client.disconnect(1000).waitForCompletion(2000); // connected but not subscribed: start over
                } catch (MqttException ignored) {
                    // the next attempt reconnects from scratch
                }
                delayMs = Math.min(5_000, delayMs * 2);
            } catch (SubscriptionRefused e) {
                if (delayMs < 5_000) LOG.error("teleop mqtt: {}", e.getMessage()); // said once; retried in case the ACL is mended
                delayMs = 5_000;
            }
        }
    }

    /** The latest telemetry record: it goes out with the next telemetry period (teleop.telemetry_period_ms). */
    public void publishTelemetry(Map<String, ?> fields) {
        latestTelemetry.set(fields);
    }

    /**
     * Sends the latest record (JSON) at QoS 1, so the broker's PUBACK says whether it took it;
     * nothing while disconnected. A refusal (an ACL) is a warning, once per run of refusals.
     */
    private void sendTelemetry() {
        Map<String, ?> fields = latestTelemetry.get();
        if (fields == null || !connected) return;
        int code;
        try {
            IMqttToken t = client.publish(telemetryTopic, JSON.writeValueAsBytes(fields), 1, false);
            t.waitForCompletion(WAIT_MS);
            int[] codes = t.getReasonCodes();
            code = codes != null && codes.length > 0 ? codes[0] : 0;
        } catch (MqttException e) {
            code = e.getReasonCode();
            if (code < 0x80 || code > 0xFF) {
                LOG.debug("teleop mqtt: telemetry not sent: {}", describe(e));
                return;
            }
        } catch (IOException e) {
            LOG.debug("teleop mqtt: telemetry not encoded: {}", e.toString());
            return;
        }
        if (code >= 0x80) {
            telemetryRefused.incrementAndGet();
            if (!telemetryWarned) {
                LOG.warn("teleop mqtt: the broker {} refused telemetry on {} (reason code {}{}): the operator console sees none; allow that topic in the broker's ACL",
                        cfg.broker, telemetryTopic, code, reason(code));
                telemetryWarned = true;
            }
        } else {
            telemetryWarned = false;
        }
    }

    /** Telemetry messages the broker refused (a PUBACK reason code of 0x80 or more). */
    public long telemetryRefused() {
        return telemetryRefused.get();
    }

    public boolean connected() {
        return connected;
    }

    public long received() {
        return received.get();
    }

    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public void close() {
        telemetryTimer.shutdownNow();
        synchronized (reconnectLock) {
            closing = true;
            reconnectLock.notifyAll();
        }
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
        } catch (MqttException e) {
            LOG.debug("teleop mqtt: close: {}", describe(e));
        }
        closeQuietly();
    }
}
