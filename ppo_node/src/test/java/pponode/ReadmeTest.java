package pponode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's code blocks marked {@code <!-- runnable -->} work as written: each line is run as a
 * user would run it from the repository root (here a scratch directory that sees the repository's
 * docs/ and urdf/), {@code ./ppo-node} being this build's command line, a line ending in {@code &}
 * in the background, on a private ROS 2 domain.
 */
@Tag("slow") // trains and runs two processes over DDS: left out of -Pquick
class ReadmeTest {
    private static final Pattern RUNNABLE = Pattern.compile("<!-- runnable -->\\s*```bash\\n(.*?)```", Pattern.DOTALL);

    /** The lines of every runnable block, comments and blank lines dropped. */
    static List<String> runnableLines(String readme) {
        List<String> lines = new ArrayList<>();
        Matcher m = RUNNABLE.matcher(readme);
        while (m.find()) {
            for (String line : m.group(1).split("\n")) {
                int comment = line.indexOf(" #");
                String command = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!command.isEmpty()) lines.add(command);
            }
        }
        return lines;
    }

    @Test
    void theNewUsersPathInTheReadmeRunsAsWritten(@TempDir Path dir) throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        List<String> lines = runnableLines(Files.readString(repo.resolve("README.md")));
        assertFalse(lines.isEmpty(), "the README marks the new user's path runnable");
        for (String link : List.of("docs", "urdf")) Files.createSymbolicLink(dir.resolve(link), repo.resolve(link));
        String domain = String.valueOf(TestDomains.claim());
        List<Process> background = new ArrayList<>();
        String lastErr = "";
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                boolean behind = line.endsWith("&");
                String command = behind ? line.substring(0, line.length() - 1).trim() : line;
                assertTrue(command.startsWith("./ppo-node "), "a runnable line is a ppo-node command: " + line);
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                        "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main"));
                cmd.addAll(List.of(command.substring("./ppo-node ".length()).trim().split("\\s+")));
                Path err = dir.resolve("line" + i + ".err");
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(dir.resolve("line" + i + ".out").toFile()).redirectError(err.toFile());
                pb.environment().put("ROS_DOMAIN_ID", domain);
                Process p = pb.start();
                if (behind) {
                    background.add(p);
                    continue;
                }
                assertTrue(p.waitFor(10, TimeUnit.MINUTES), line + " did not finish");
                lastErr = Files.readString(err);
                assertEquals(0, p.exitValue(), line + " failed:\n" + lastErr);
                System.out.println("README: " + line + " -> exit 0");
            }
        } finally {
            for (Process p : background) {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
        // the last line is the deploy: its policy drove the simulated robot, not only the safe command
        Matcher summary = Pattern.compile("deploy: (\\d+) commands published \\((\\d+) safe\\)").matcher(lastErr);
        assertTrue(summary.find(), lastErr);
        long published = Long.parseLong(summary.group(1)), safe = Long.parseLong(summary.group(2));
        System.out.printf("README: deploy published %d commands, %d of them the safe command%n", published, safe);
        assertTrue(published - safe > 25, "the policy commanded the robot: " + summary.group() + "\n" + lastErr);
    }

    @Test
    void aRunnableBlockIsFoundAndItsCommentsDropped() throws IOException {
        assertEquals(List.of("./ppo-node train --steps 10", "./ppo-node sim --duration 5 &"),
                runnableLines("text\n<!-- runnable -->\n```bash\n./ppo-node train --steps 10   # a comment\n\n./ppo-node sim --duration 5 &\n```\n"
                        + "```bash\n./ppo-node not-runnable\n```\n"));
    }
}
