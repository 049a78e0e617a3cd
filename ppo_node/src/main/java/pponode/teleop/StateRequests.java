package pponode.teleop;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deploy node's states requested over the teleop channel (MQTT), beside the ROS 2 mode and
 * e-stop topics. One JSON object per message, checked as every operator message is (token,
 * sequence, stamp):
 * <pre>{"operator": "alice", "seq": 7, "stamp_ms": 1732460000123, "mode": "damping", "token": "…"}
 * {"operator": "alice", "seq": 8, "stamp_ms": 1732460000456, "estop": true}</pre>
 * {@code mode} is passive, standby, policy or damping; {@code estop} engages (true) or releases
 * (false) the e-stop. A message that only stops the robot (an e-stop, damping) is obeyed however
 * old its stamp; one that starts it must be fresh. Takeovers are fine-tuning's, refused here.
 */
public final class StateRequests implements CommandSink {
    private static final Logger LOG = LoggerFactory.getLogger(StateRequests.class);
    private static final Set<String> KEYS = Set.of("operator", "seq", "stamp_ms", "mode", "estop", "token");
    private static final Set<String> STATES = Set.of("passive", "standby", "policy", "damping");

    /** Where accepted requests go; {@code source} names the operator and the channel. */
    public interface Listener {
        void mode(String state, String source);

        /** The e-stop of {@code channel} engaged or released. */
        void estop(boolean engaged, String channel, String source);
    }

    private final OperatorCheck check;
    private final Listener listener;
    private long accepted, rejected;

    public StateRequests(TeleopConfig cfg, LongSupplier clockMs, Listener listener) {
        check = new OperatorCheck(cfg, clockMs);
        this.listener = listener;
    }

    @Override
    public synchronized String submit(byte[] payload, String channel) {
        String operator = "?";
        try {
            JsonNode n = OperatorCommand.object(payload, KEYS);
            operator = n.has("operator") ? OperatorCommand.text(n, "operator") : "operator";
            long seq = OperatorCommand.integer(n, "seq"), stamp = OperatorCommand.integer(n, "stamp_ms");
            String mode = n.has("mode") ? OperatorCommand.text(n, "mode") : null;
            JsonNode e = n.get("estop");
            if (e != null && !e.isBoolean()) return reject(channel, "'estop' must be true or false");
            if (mode == null && e == null) return reject(channel, "a state request needs 'mode' (passive, standby, policy, damping) or 'estop' (true, false)");
            if (mode != null && !STATES.contains(mode)) return reject(channel, "'mode' must be passive, standby, policy or damping, got '" + mode + "'");
            boolean stops = (e != null && e.booleanValue()) || "damping".equals(mode);
            String token = n.has("token") ? OperatorCommand.text(n, "token") : null;
            String refused = check.check(operator, seq, stamp, token, !stops);
            if (refused != null) return reject(channel, refused);
            check.accept(operator, seq);
            accepted++;
            String source = "teleop '" + operator + "' on " + channel;
            if (e != null) listener.estop(e.booleanValue(), channel, source);
            if (mode != null) listener.mode(mode, source);
            return null;
        } catch (OperatorCommand.Rejected e) {
            String why = e.getMessage().startsWith("unknown field 'takeover'") || e.getMessage().startsWith("unknown field 'actions'")
                    ? "deploy takes state requests ('mode', 'estop'); a takeover is for fine-tuning" : e.getMessage();
            return reject(channel, why);
        }
    }

    private String reject(String channel, String reason) {
        rejected++;
        LOG.warn("teleop: rejected a state request on {}: {}", channel, reason);
        return reason;
    }

    public synchronized long accepted() {
        return accepted;
    }

    public synchronized long rejected() {
        return rejected;
    }
}
