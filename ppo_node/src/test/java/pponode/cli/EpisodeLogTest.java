package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A randomized task's training run logs every episode's draws in episodes.csv, and a resume continues it without repeating a step. */
class EpisodeLogTest {
    @TempDir
    Path dir;

    @Test
    void everyTrainingEpisodeAndItsDrawsAreARowAndAResumeCutsWhatComesAfterItsCheckpoint() throws Exception {
        String[] common = {"train", "--task", "reacher_2dof_randomized", "--out", dir.toString(), "--name", "r", "--no-progress", "--set", "num_envs=2", "--set",
            "rollout_steps=100", "--set", "minibatch_size=100", "--set", "n_epochs=1", "--set", "eval_episodes=1", "--set", "save_interval=2"};
        Cli.Result r = Cli.run(concat(common, "--steps", "1000"));
        assertEquals(0, r.code(), r.err());
        Path csv = dir.resolve("r").resolve("episodes.csv");
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",");
        assertEquals(List.of("step", "env", "return", "length"), List.of(header).subList(0, 4));
        int mass = List.of(header).indexOf("rand_mass_scale"), delay = List.of(header).indexOf("rand_action_delay_steps");
        assertTrue(mass > 0 && delay > 0, lines.get(0));
        assertEquals(2 * 1000 / 2 / 100, lines.size() - 1, "ten 100-step episodes of two environments: one row each");
        Set<String> draws = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            double m = Double.parseDouble(f[mass]), d = Double.parseDouble(f[delay]);
            assertTrue(m >= 0.8 && m <= 1.2 && d >= 0 && d <= 40, line);
            draws.add(f[mass]);
        }
        assertTrue(draws.size() >= 8, "each episode draws its own masses: " + draws);
        // resume from the checkpoint at step 400: the rows after it are cut and logged again once
        Cli.Result resumed = Cli.run("train", "--resume", dir.resolve("r").resolve("checkpoint_step400.ckpt").toString(), "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        Path branch = dir.resolve("r_from_step400").resolve("episodes.csv");
        List<String> again = Files.readAllLines(branch);
        assertEquals(lines.size(), again.size(), "as many episodes as the run it branched from, none twice: " + again);
        assertEquals(lines.subList(0, 5), again.subList(0, 5), "the episodes up to the checkpoint are the original's");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
