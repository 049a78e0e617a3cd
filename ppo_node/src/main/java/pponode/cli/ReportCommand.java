package pponode.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.benchmark.Report;
import pponode.benchmark.ReportRunner;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rerun the commands behind every figure the project quotes and rewrite the results page (docs/RESULTS.md) with them.",
            "Run from the project root. Sections not rerun (--only, or the quick mode's) keep their previous text."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "The same commands on smaller budgets (fewer seeds, episodes, calls and seconds; no training from scratch); under 10 minutes on 2 cores.")
    boolean quick;

    @Option(names = "--only", paramLabel = "ID", description = "Rerun only this section (repeatable): ${COMPLETION-CANDIDATES}.", completionCandidates = SectionIds.class)
    List<String> only = List.of();

    @Option(names = "--out", defaultValue = "docs/RESULTS.md", description = "The page to rewrite (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--peers", defaultValue = "../shared/peers", description = "The folder of CleanRL's harness, run_cleanrl.py (default: ${DEFAULT-VALUE}); its trees are named by PEER_TREES.")
    Path peers;

    @Option(names = "--logs", description = "Where every command's output is kept (default: a new folder under the temporary directory).")
    Path logs;

    static final class SectionIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Report.sectionIds().iterator();
        }
    }

    /** Exit code 1: the page was written but a section failed (its previous text kept). */
    @Override
    public Integer call() throws Exception {
        for (String id : only) {
            if (!Report.sectionIds().contains(id)) throw new IllegalArgumentException("--only " + id + ": no such section (sections: " + String.join(", ", Report.sectionIds()) + ")");
        }
        if (out.toAbsolutePath().getParent() == null || !Files.isDirectory(out.toAbsolutePath().getParent())) {
            throw new IllegalArgumentException("--out " + out + ": its folder does not exist (run the report from the project root, or name the page)");
        }
        String trees = System.getenv("PEER_TREES");
        Report.Options o = new Report.Options(quick, Set.copyOf(only), peers, trees == null || trees.isBlank() ? null : Path.of(trees));
        ReportRunner run = new ReportRunner(Path.of("."), logs != null ? logs : Files.createTempDirectory("ppo_node-report"));
        long t0 = System.nanoTime();
        Report.Outcome done = Report.write(out, o, run);
        System.err.printf("report: %s rewritten (%s rerun) in %.0f s; every command's output is in %s%n", out, String.join(", ", done.rerun()), (System.nanoTime() - t0) / 1e9,
                run.logs());
        for (String f : done.failed()) System.err.println("report: failed: " + f);
        return done.failed().isEmpty() ? 0 : 1; // the page is written either way; a script sees that a figure is missing

    }
}
