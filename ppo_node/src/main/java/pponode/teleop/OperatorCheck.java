package pponode.teleop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What every operator message passes on any channel before it acts: its token (when the node
 * requires one), its sequence number (increasing per operator, so a redelivered or reordered
 * message is refused) and its stamp (not older than the deadman timeout, not further ahead than
 * the clock skew allows).
 */
final class OperatorCheck {
    private final TeleopConfig cfg;
    private final LongSupplier clockMs;
    private final Map<String, Long> lastSeq = new HashMap<>();

    OperatorCheck(TeleopConfig cfg, LongSupplier clockMs) {
        this.cfg = cfg;
        this.clockMs = clockMs;
    }

    /**
     * Null if the message may act, else why not. {@code mustBeFresh}: its stamp must be within the
     * deadman timeout (a message that only stops the robot need not be).
     */
    String check(String operator, long seq, long stampMs, String token, boolean mustBeFresh) {
        if (!cfg.token.isEmpty() && (token == null || !MessageDigest.isEqual(cfg.token.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8)))) {
            return "unauthenticated: missing or wrong token from '" + operator + "'";
        }
        Long prev = lastSeq.get(operator);
        if (prev != null && seq <= prev) return "duplicate or out of order: seq " + seq + " after " + prev + " from '" + operator + "'";
        long now = clockMs.getAsLong();
        if (mustBeFresh && now - stampMs > cfg.deadmanTimeoutMs) return "stale: stamped " + (now - stampMs) + " ms ago (deadman " + cfg.deadmanTimeoutMs + " ms)";
        if (stampMs - now > cfg.maxClockSkewMs) return "stamped " + (stampMs - now) + " ms in the future (max clock skew " + cfg.maxClockSkewMs + " ms)";
        return null;
    }

    /** Records an accepted message's sequence number. */
    void accept(String operator, long seq) {
        lastSeq.put(operator, seq);
    }
}
