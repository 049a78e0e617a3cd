package pponode.teleop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One operator message, the same on MQTT and ROS 2 (a JSON object):
 * <pre>{"operator": "alice", "seq": 42, "stamp_ms": 1732460000123, "takeover": true,
 *  "actions": {"joint1": 0.25, "joint2": -1.0}, "token": "…"}</pre>
 * {@code actions} are per joint, by name, normalised to [−1, 1] over the joint's command range;
 * {@code stamp_ms} is the operator's wall clock (the deadman: a command older than the timeout no
 * longer holds control); {@code seq} increases per operator, so redelivered (QoS 1) or reordered
 * messages are recognised; {@code takeover: false} hands control back at once.
 */
public record OperatorCommand(String operator, long seq, long stampMs, boolean takeover, Map<String, Double> actions, String token) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("operator", "seq", "stamp_ms", "takeover", "actions", "token");

    /** A command that must not reach the robot, and why. */
    public static final class Rejected extends Exception {
        public Rejected(String reason) {
            super(reason);
        }
    }

    public static OperatorCommand parse(byte[] payload) throws Rejected {
        JsonNode n = object(payload, KEYS);
        String operator = n.has("operator") ? text(n, "operator") : "operator";
        long seq = integer(n, "seq");
        long stamp = integer(n, "stamp_ms");
        JsonNode t = n.get("takeover");
        if (t == null || !t.isBoolean()) throw new Rejected("'takeover' must be true or false");
        Map<String, Double> actions = new LinkedHashMap<>();
        JsonNode a = n.get("actions");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) throw new Rejected("'actions' must be an object of joint name → value in [-1, 1]");
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNumber()) throw new Rejected("action for joint '" + e.getKey() + "' is not a number: " + e.getValue());
                actions.put(e.getKey(), e.getValue().doubleValue());
            }
        }
        if (t.booleanValue() && actions.isEmpty()) throw new Rejected("a takeover command needs 'actions'");
        String token = n.has("token") ? text(n, "token") : null;
        return new OperatorCommand(operator, seq, stamp, t.booleanValue(), actions, token);
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operator", operator);
        m.put("seq", seq);
        m.put("stamp_ms", stampMs);
        m.put("takeover", takeover);
        m.put("actions", actions);
        if (token != null) m.put("token", token);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The message as a JSON object of only {@code keys}, or why it is not one. */
    static JsonNode object(byte[] payload, Set<String> keys) throws Rejected {
        if (payload == null || payload.length == 0) throw new Rejected("empty message");
        if (payload.length > 64 * 1024) throw new Rejected("message of " + payload.length + " bytes (limit 65536)");
        JsonNode n;
        try {
            n = JSON.readTree(payload);
        } catch (IOException e) {
            throw new Rejected("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) throw new Rejected("expected a JSON object, got " + (n == null ? "nothing" : n.getNodeType()));
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) throw new Rejected("unknown field '" + k + "' (fields: " + keys + ")");
        }
        return n;
    }

    static String text(JsonNode n, String k) throws Rejected {
        JsonNode v = n.get(k);
        if (!v.isTextual()) throw new Rejected("'" + k + "' must be a string");
        return v.textValue();
    }

    static long integer(JsonNode n, String k) throws Rejected {
        JsonNode v = n.get(k);
        if (v == null) throw new Rejected("missing '" + k + "'");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new Rejected("'" + k + "' must be an integer, got " + v);
        return v.longValue();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    @Override
    public String toString() {
        return new String(toJson(), StandardCharsets.UTF_8).replaceAll("\"token\":\"[^\"]*\"", "\"token\":\"***\"");
    }
}
