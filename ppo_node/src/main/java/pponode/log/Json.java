package pponode.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** The one-line machine-readable summary that {@code --json} prints last. */
public final class Json {
    private static final ObjectMapper M = new ObjectMapper();

    private Json() {}

    public static String line(Map<String, Object> summary) {
        try {
            return M.writeValueAsString(summary);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static double round(double v, int digits) {
        if (!Double.isFinite(v)) return v;
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
