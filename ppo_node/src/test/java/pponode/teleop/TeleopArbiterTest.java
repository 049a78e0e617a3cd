package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pponode.runner.Supervisor.Actor;

/** Takeover rules and command checks, on a manual clock. */
class TeleopArbiterTest {
    final long[] now = {10_000};
    final float[] policy = {0.1f, -0.2f}, exec = new float[2], demo = new float[2];

    TeleopArbiter arbiter(String... settings) {
        TeleopConfig c = new TeleopConfig().apply(List.of(settings));
        return new TeleopArbiter(c, List.of("joint1", "joint2"), new double[] {-2, -1}, new double[] {2, 1}, "position", () -> now[0]);
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    String cmd(long seq, boolean takeover, double a1, double a2) {
        return "{\"seq\":" + seq + ",\"stamp_ms\":" + now[0] + ",\"takeover\":" + takeover + ",\"actions\":{\"joint2\":" + a2 + ",\"joint1\":" + a1 + "}}";
    }

    @Test
    void takeoverHandBackAndDeadman() {
        TeleopArbiter a = arbiter();
        assertEquals(Actor.POLICY, a.decide(0, null, policy, exec, demo));
        assertNull(a.submit(json(cmd(1, true, 0.5, -1.0)), "test"));
        assertEquals(Actor.OPERATOR, a.decide(0, null, policy, exec, demo));
        assertArrayEquals(new float[] {1.0f, -1.0f}, exec, 1e-6f, "joints by name, [-1, 1] onto the range");
        assertArrayEquals(exec, demo);
        now[0] += 250; // still within the 250 ms deadman
        assertEquals(Actor.OPERATOR, a.decide(0, null, policy, exec, demo));
        now[0] += 1;
        assertEquals(Actor.POLICY, a.decide(0, null, policy, exec, demo), "deadman lapsed: back to the policy");
        assertNull(a.submit(json(cmd(2, true, 0, 0)), "test"));
        assertEquals(Actor.OPERATOR, a.decide(0, null, policy, exec, demo));
        assertNull(a.submit(json("{\"seq\":3,\"stamp_ms\":" + now[0] + ",\"takeover\":false}"), "test"));
        assertEquals(Actor.POLICY, a.decide(0, null, policy, exec, demo), "released at once");
    }

    @Test
    void blendAndSafeOnLapse() {
        TeleopArbiter a = arbiter("mode=blend", "blend_alpha=0.25", "on_lapse=safe");
        a.submit(json(cmd(1, true, 1.0, 1.0)), "test");
        assertEquals(Actor.OPERATOR, a.decide(0, null, policy, exec, demo));
        assertEquals(0.25 * 2 + 0.75 * 0.1, exec[0], 1e-6);
        assertEquals(2.0, demo[0], 1e-6, "the demonstration is the operator's own action");
        float held = exec[0];
        now[0] += 300;
        assertEquals(Actor.SAFE, a.decide(0, null, policy, exec, demo), "lapse → safe command");
        assertEquals(held, exec[0], 1e-6, "position interface: hold the last command");
        now[0] += 5_000;
        assertEquals(Actor.SAFE, a.decide(0, null, policy, exec, demo), "safe until the operator releases");
        a.submit(json("{\"seq\":2,\"stamp_ms\":" + now[0] + ",\"takeover\":false}"), "test");
        assertEquals(Actor.POLICY, a.decide(0, null, policy, exec, demo));
    }

    @Test
    void badCommandsAreRejectedWithTheirReason() {
        TeleopArbiter a = arbiter("token=s3cret");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("not json {", "malformed JSON");
        bad.put("[1,2]", "expected a JSON object");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"actions\":{\"joint1\":0,\"joint2\":0}}", "unauthenticated");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"wrong\",\"actions\":{\"joint1\":0,\"joint2\":0}}", "unauthenticated");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":1.5,\"joint2\":0}}", "outside [-1, 1]");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":0}}", "missing joint 'joint2'");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":0,\"joint2\":0,\"elbow\":0}}", "unknown joint 'elbow'");
        bad.put("{\"seq\":1,\"stamp_ms\":" + (now[0] - 1000) + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":0,\"joint2\":0}}", "stale");
        bad.put("{\"seq\":1,\"stamp_ms\":" + (now[0] + 60_000) + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":0,\"joint2\":0}}", "in the future");
        bad.put("{\"seq\":\"one\",\"stamp_ms\":" + now[0] + ",\"takeover\":true}", "'seq' must be an integer");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":\"fast\",\"joint2\":0}}", "not a number");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":\"yes\"}", "'takeover' must be true or false");
        bad.put("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"speed\":3}", "unknown field 'speed'");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String why = a.submit(json(e.getKey()), "test");
            assertTrue(why != null && why.contains(e.getValue()), e.getKey() + " → " + why);
            assertEquals(Actor.POLICY, a.decide(0, null, policy, exec, demo), "a rejected command never acts: " + e.getKey());
        }
        // NaN cannot be written in JSON; Infinity-like overflow is caught as out of range
        assertTrue(a.submit(json("{\"seq\":1,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":1e999,\"joint2\":0}}"), "t") != null);
        assertNull(a.submit(json("{\"seq\":5,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":0,\"joint2\":0}}"), "t"));
        String dup = a.submit(json("{\"seq\":5,\"stamp_ms\":" + now[0] + ",\"takeover\":true,\"token\":\"s3cret\",\"actions\":{\"joint1\":0,\"joint2\":0}}"), "t");
        assertTrue(dup.contains("duplicate"), dup);
        assertEquals(bad.size() + 2, a.rejectedCount());
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arbiter("mode=joystick"));
        assertTrue(e.getMessage().contains("teleop.mode"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> arbiter("deadman_timout_ms=5"));
        assertTrue(e.getMessage().contains("unknown teleop setting"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> arbiter("broker=localhost:1883"));
        assertTrue(e.getMessage().contains("teleop.broker"), e.getMessage());
    }
}
