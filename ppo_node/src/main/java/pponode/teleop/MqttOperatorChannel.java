package pponode.teleop;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import org.eclipse.paho.mqttv5.client.MqttClient;
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
 */
public final class MqttOperatorChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttOperatorChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TeleopConfig cfg;
    private final CommandSink sink;
    private final MqttClient client;
    private final String commandTopic, telemetryTopic;
    private final AtomicLong received = new AtomicLong(), reconnects = new AtomicLong();
    private final Object reconnectLock = new Object();
    private MqttConnectionOptions options;
    private Thread reconnecting;
    private volatile boolean connected, closing;
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
            client = new MqttClient(cfg.broker, cfg.clientIdOrDefault(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IOException("teleop.broker '" + cfg.broker + "' is not an MQTT broker address (tcp://host:port or ssl://host:port): " + e.getMessage());
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                connected = false;
                if (closing) return;
                LOG.warn("teleop mqtt: disconnected from {} ({}); reconnecting", cfg.broker, r.getReasonString() != null ? r.getReasonString() : r.getException());
                startReconnecting();
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("teleop mqtt: {}", e.toString());
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
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // already failed
            }
            String cause = e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage() + ")" : "";
            throw new IOException("cannot connect to the MQTT broker " + cfg.broker + " (teleop.broker) as '"
                    + (cfg.username.isEmpty() ? "(anonymous)" : cfg.username) + "': " + e.getMessage() + cause + ", reason code " + e.getReasonCode());
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

    private void connectAndSubscribe() throws MqttException {
        client.connect(options);
        // subscribing again is harmless when the broker kept the session, and needed when it lost it
        client.subscribe(commandTopic, 1);
        connected = true;
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
                LOG.debug("teleop mqtt: reconnect to {} failed: {}", cfg.broker, e.toString());
                try {
                    if (client.isConnected()) client.disconnect(1000); // connected but not subscribed: start over
                } catch (MqttException ignored) {
                    // the next attempt reconnects from scratch
                }
                delayMs = Math.min(5_000, delayMs * 2);
            }
        }
    }

    /** The latest telemetry record: it goes out with the next telemetry period (teleop.telemetry_period_ms). */
    public void publishTelemetry(Map<String, ?> fields) {
        latestTelemetry.set(fields);
    }

    /** Sends the latest record (JSON, QoS 0: the next one supersedes it); nothing while disconnected. */
    private void sendTelemetry() {
        Map<String, ?> fields = latestTelemetry.get();
        if (fields == null || !connected) return;
        try {
            client.publish(telemetryTopic, JSON.writeValueAsBytes(fields), 0, false);
        } catch (Exception e) {
            LOG.debug("teleop mqtt: telemetry not sent: {}", e.toString());
        }
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
            if (client.isConnected()) client.disconnect(2000);
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("teleop mqtt: close: {}", e.toString());
        }
    }
}
