package pponode.log;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learning curve of a run shorter than its first episode (a quadruped's 20 s episode, 2048 steps) is still written. */
class LearningCurveTest {
    @TempDir
    Path dir;

    @Test
    void aRunWithoutAFinishedEpisodeStillGetsItsCurve() throws IOException {
        Path png = dir.resolve("learning_curve.png");
        LearningCurve.write(png, "quadruped_walk", List.of(new double[] {1024, Double.NaN}, new double[] {2048, Double.NaN}), List.of());
        assertTrue(Files.size(png) > 0);
        Path partly = dir.resolve("partly.png");
        LearningCurve.write(partly, "t", List.of(new double[] {1024, Double.NaN}, new double[] {2048, 3.5}), List.of(new double[] {2048, 4.0}));
        assertTrue(Files.size(partly) > 0);
    }
}
