package pponode.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results page is written by the commands it quotes, and a partial rerun loses nothing measured before. */
class ReportTest {
    @TempDir
    Path dir;

    @Test
    @Tag("slow") // starts two ppo-node processes that time a policy for seconds each: left out of -Pquick
    void aSectionIsRerunByItsCommandsAndTheOthersKeepTheirText() throws Exception {
        Path page = dir.resolve("RESULTS.md");
        String kept = "## Training throughput against CleanRL\n\n*2026-01-01, commit `0000000`, an older machine.*\n\n| env | ratio |\n| --- | --- |\n| CartPole-v1 | 16.3× |\n";
        Files.writeString(page, "# Results\n\n<!-- section: throughput -->\n" + kept + "\n<!-- section: policy_latency -->\n## Policy latency\n\nold figures\n\n<!-- section: end -->\n");

        Report.Outcome done = Report.write(page, new Report.Options(true, Set.of("policy_latency"), null, null), new ReportRunner(Path.of(".."), dir.resolve("logs")));

        assertEquals(List.of("policy_latency"), done.rerun());
        assertEquals(List.of(), done.failed());
        String text = Files.readString(page);
        System.out.println(text);
        assertTrue(text.contains(kept), "the section not rerun keeps its text and stamp:\n" + text);
        assertTrue(!text.contains("old figures"), "the rerun section is replaced");
        Map<String, String> sections = Report.previousSections(text);
        assertEquals(Report.sectionIds(), sections.keySet().stream().filter(id -> !id.equals("end")).toList(), "every section, in order, under its marker");
        String latency = sections.get("policy_latency");
        assertTrue(latency.contains("commit ") && latency.contains(" cores, ") && latency.contains("quick mode"), "stamped with the commit and the machine: " + latency);
        assertTrue(latency.contains("`./ppo-node bench --policy urdf/policies/reacher_2dof.onnx --calls 50000`"), "headed by the command a user reruns: " + latency);
        // both runtimes of both shipped policies, each a measured latency
        Matcher row = Pattern.compile("\\| (reacher_2dof|quadruped_forward) \\| ([0-9.]+) µs \\| ([0-9.]+) µs \\| ([0-9.]+) µs \\| ([0-9.]+) µs \\|").matcher(latency);
        int rows = 0;
        while (row.find()) {
            rows++;
            for (int g = 2; g <= 5; g++) assertTrue(Double.parseDouble(row.group(g)) > 0, row.group());
            assertTrue(Double.parseDouble(row.group(3)) >= Double.parseDouble(row.group(2)), "p99 ≥ p50: " + row.group());
        }
        assertEquals(2, rows, latency);
        String never = sections.get("seeds");
        assertTrue(never.contains("Not measured yet: `./ppo-node report --only seeds`"), "a section never measured says how to measure it: " + never);
    }

    @Test
    void tablesAreMarkdown() {
        assertEquals("| a | b |\n| --- | --- |\n| 1 | x y |\n| 2 | z |\n", new Report.Table("a", "b").row(1, "x y").row(2, "z").toString());
    }

    @Test
    void sectionsAreFoundByTheirMarkers() {
        Map<String, String> s = Report.previousSections("# R\n\n<!-- section: a_b -->\none\n<!-- section: c -->\ntwo\n<!-- section: end -->\nfooter\n");
        assertEquals(Map.of("a_b", "\none\n", "c", "\ntwo\n"), s);
    }
}
