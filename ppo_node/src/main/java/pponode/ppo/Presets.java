package pponode.ppo;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Tuned hyper-parameters shipped per environment (resources/presets/&lt;env&gt;.yaml). */
public final class Presets {
    private Presets() {}

    /** Applies the preset for {@code envId} if one ships; returns whether it did. */
    public static boolean apply(PPOConfig cfg, String envId) {
        String res = "/presets/" + envId + ".yaml";
        try (InputStream in = Presets.class.getResourceAsStream(res)) {
            if (in == null) return false;
            cfg.applyYaml(new InputStreamReader(in, StandardCharsets.UTF_8), "preset " + envId);
            return true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read preset " + res, e);
        }
    }
}
