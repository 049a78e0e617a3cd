package pponode.settings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pponode.settings.Settings.Allowed;

/** The settings schema every kind of setting is read with: types, ranges, choices, forms, null, suggestions, and checks of values set in code. */
class SettingsTest {
    public static final class Example {
        @Allowed(min = 0, aboveMin = true, max = 1)
        public double rate = 0.5;
        public Double clip = 10.0;
        @Allowed(min = 1)
        public int count = 1;
        public long seed = 0;
        public boolean enabled = false;
        @Allowed(oneOf = {"a", "b"})
        public String mode = "a";
        @Allowed(pattern = "[a-z]+", means = "lower-case letters")
        public String name = "x";
        @Allowed(min = 1, max = 8)
        public int[] sizes = {2};
        public List<String> topics = List.of();
        @Allowed(nullable = true)
        public String resume = null;
        public transient Map<String, String> notASetting = Map.of();
    }

    private static final Settings<Example> S = Settings.of(Example.class, "example key");

    private static String refused(String key, Object value) {
        return assertThrows(IllegalArgumentException.class, () -> S.set(new Example(), "", key, value)).getMessage();
    }

    @Test
    void valuesOfEveryTypeAreReadFromYamlOrText() {
        Example e = new Example();
        S.apply(e, Map.of("rate", 0.25, "clip", "none", "count", "1e3", "enabled", true, "mode", "b", "sizes", List.of(4, 8)), "");
        S.apply(e, List.of("seed=7", "name=abc", "topics=[a, b]", "resume=run.ckpt"), "");
        assertEquals(0.25, e.rate);
        assertNull(e.clip);
        assertEquals(1000, e.count);
        assertEquals(7, e.seed);
        assertTrue(e.enabled);
        assertEquals("b", e.mode);
        assertEquals("abc", e.name);
        assertArrayEquals(new int[] {4, 8}, e.sizes);
        assertEquals(List.of("a", "b"), e.topics);
        assertEquals("run.ckpt", e.resume);
        assertEquals(List.of("rate", "clip", "count", "seed", "enabled", "mode", "name", "sizes", "topics", "resume"), List.copyOf(S.keys()), "transient fields are not settings");
        assertEquals(List.of(4, 8), S.toMap(e).get("sizes"));
    }

    @Test
    void badValuesAreRefusedByKey() {
        assertEquals("unknown example key 'rat', did you mean 'rate'?", refused("rat", 1));
        String unknown = refused("zzzz", 1);
        assertTrue(unknown.endsWith("known: [clip, count, enabled, mode, name, rate, resume, seed, sizes, topics]"), unknown);
        assertEquals("example key 'enabled' must be true or false, got 'yes'", refused("enabled", "yes"));
        assertEquals("example key 'rate' must be > 0 and <= 1, got 0", refused("rate", 0));
        assertEquals("example key 'rate' must be finite, got Infinity", refused("rate", Double.POSITIVE_INFINITY));
        assertEquals("example key 'rate' must be a number, got 'fast'", refused("rate", "fast"));
        assertEquals("example key 'count' must be an integer, got '1.5'", refused("count", 1.5));
        assertEquals("example key 'count' must be >= 1, got 0", refused("count", 0));
        assertEquals("example key 'mode' must be one of [a, b], got 'c'", refused("mode", "c"));
        assertEquals("example key 'name' must be lower-case letters, got 'A1'", refused("name", "A1"));
        assertEquals("example key 'sizes' must be >= 1 and <= 8, got 9", refused("sizes", "2,9"));
        assertEquals("example key 'sizes' has an empty element: '2,,3'", refused("sizes", "2,,3"));
        assertEquals("example key 'mode' cannot be empty", refused("mode", null));
    }

    @Test
    void checkSeesValuesSetInCode() {
        Example e = new Example();
        S.check(e, "section.");
        e.sizes = new int[] {0};
        String m = assertThrows(IllegalArgumentException.class, () -> S.check(e, "section.")).getMessage();
        assertEquals("example key 'section.sizes' must be >= 1 and <= 8, got 0", m);
    }
}
