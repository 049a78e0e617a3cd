package pponode.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import pponode.sim.actuator.ActuatorNet;

/**
 * An actuator network on disk (JSON, written by {@code ppo-node fit-actuator}): the net, the time
 * between its input samples (the log's joint-state period, a whole number of physics steps in the
 * task that uses it), and how it was fitted (the log, the joints, the held-out error).
 */
public record ActuatorNetFile(ActuatorNet net, double spacingSeconds, Map<String, Object> fit) {
    static final String FORMAT = "ppo_node.actuator_net";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static ActuatorNetFile read(Path file) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not an actuator net file (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) throw new IOException(file + ": not an actuator net file (no \"format\": \"" + FORMAT + "\")");
        try {
            int history = n.get("history").asInt();
            double[] scale = JSON.treeToValue(n.get("input_scale"), double[].class);
            double[][][] w = JSON.treeToValue(n.get("weights"), double[][][].class);
            double[][] b = JSON.treeToValue(n.get("biases"), double[][].class);
            ActuatorNet net = new ActuatorNet(history, scale, n.get("output_scale").asDouble(), w, b);
            @SuppressWarnings("unchecked")
            Map<String, Object> fit = n.has("fit") ? JSON.treeToValue(n.get("fit"), Map.class) : Map.of();
            return new ActuatorNetFile(net, n.get("spacing_s").asDouble(), fit);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException(file + ": a malformed actuator net: " + (e.getMessage() == null ? "a field is missing" : e.getMessage()));
        }
    }

    public void write(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("history", net.history());
        m.put("spacing_s", spacingSeconds);
        m.put("input_scale", net.inputScale());
        m.put("output_scale", net.outputScale());
        m.put("activation", "softsign");
        m.put("weights", net.weights());
        m.put("biases", net.biases());
        m.put("fit", fit);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), m);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
