package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small seed sweep through the CLI: one train process per seed, and the table, CSV, curves and summary they make. */
@Tag("slow") // starts a JVM per seed
class BenchmarkCommandTest {
    @Test
    void aSweepTrainsEverySeedAndReportsTheirStatistics(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("benchmark", "--env", "CartPole-v1", "--seeds", "1-3", "--steps", "2048", "--workers", "2", "--out", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> j = new ObjectMapper().readValue(r.lastLine(), Map.class);
        assertEquals(List.of(1, 2, 3), j.get("seeds"));
        assertEquals(475.0, j.get("threshold"));
        Path sweep = dir.resolve("benchmark_CartPole-v1");
        List<String> csv = Files.readAllLines(sweep.resolve("benchmark.csv"));
        assertEquals(4, csv.size(), csv.toString());
        double sum = 0;
        for (int s = 1; s <= 3; s++) {
            String[] row = csv.get(s).split(",");
            assertEquals(String.valueOf(s), row[0]);
            assertTrue(Files.exists(sweep.resolve("seed_" + s).resolve("checkpoint_final.ckpt")), "seed " + s + " ran in its own directory");
            assertTrue(Files.readString(sweep.resolve("seed_" + s).resolve("config.yaml")).contains("seed: " + s));
            sum += Double.parseDouble(row[1]);
        }
        assertEquals(sum / 3, ((Number) j.get("return_mean")).doubleValue(), 1e-3);
        String md = Files.readString(sweep.resolve("benchmark.md"));
        assertTrue(md.contains("| seed | final return |") && md.contains("IQM") && md.contains("of 3 seeds"), md);
        assertTrue(Files.size(sweep.resolve("learning_curves.png")) > 1000);
        Cli.Result again = Cli.run("benchmark", "--env", "CartPole-v1", "--seeds", "1", "--steps", "2048", "--out", dir.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.exists(dir.resolve("benchmark_CartPole-v1_2/benchmark.md")), "a second sweep never reuses the first's directory");
        Cli.Result bad = Cli.run("benchmark", "--env", "CartPole-v1", "--seeds", "ten", "--out", dir.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--seeds"), bad.err());
    }
}
