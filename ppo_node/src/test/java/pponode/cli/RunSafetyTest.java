package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.runner.Checkpoint;
import pponode.runner.RunDirectory;

/** A user's runs, checkpoints and logs are never overwritten, clobbered or duplicated by ordinary use of the CLI. */
class RunSafetyTest {
    private static Cli.Result train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--env", "CartPole-v1", "--steps", "2048", "--out", out.toString(), "--no-progress"));
        a.addAll(List.of(extra));
        return Cli.run(a.toArray(String[]::new));
    }

    @Test
    void aSecondRunWithTheDefaultNameGetsItsOwnDirectoryAndANamedOneIsRefused(@TempDir Path out) throws IOException {
        assertEquals(0, train(out).code());
        Path first = out.resolve("ppo_run");
        byte[] ckpt = Files.readAllBytes(first.resolve("checkpoint_final.ckpt"));
        byte[] onnx = Files.readAllBytes(first.resolve("policy.onnx"));
        List<String> csv = Files.readAllLines(first.resolve("training_log.csv"));
        Cli.Result second = train(out, "--seed", "4");
        assertEquals(0, second.code(), second.err());
        assertTrue(Files.exists(out.resolve("ppo_run_2/checkpoint_final.ckpt")), "the second run went to ppo_run_2");
        assertArrayEquals(ckpt, Files.readAllBytes(first.resolve("checkpoint_final.ckpt")), "first run's checkpoint untouched");
        assertArrayEquals(onnx, Files.readAllBytes(first.resolve("policy.onnx")), "first run's policy untouched");
        assertEquals(csv, Files.readAllLines(first.resolve("training_log.csv")), "first run's log untouched");

        Cli.Result named = train(out, "--name", "ppo_run");
        assertEquals(2, named.code());
        assertTrue(named.err().contains("already holds a run") && named.err().contains("--resume " + first.resolve("checkpoint_final.ckpt"))
                && named.err().contains("--overwrite"), named.err());
        assertArrayEquals(ckpt, Files.readAllBytes(first.resolve("checkpoint_final.ckpt")));

        Cli.Result replaced = train(out, "--name", "ppo_run", "--overwrite", "--seed", "5");
        assertEquals(0, replaced.code(), replaced.err());
        List<String> newCsv = Files.readAllLines(first.resolve("training_log.csv"));
        assertEquals(csv.size(), newCsv.size(), "--overwrite starts a fresh log, not an appended one");
        assertFalse(Arrays.equals(ckpt, Files.readAllBytes(first.resolve("checkpoint_final.ckpt"))), "replaced on request");
        try (Stream<Path> tb = Files.list(first.resolve("tensorboard"))) {
            assertEquals(1, tb.count(), "the replaced run's TensorBoard events are gone");
        }
    }

    /** A start that fails after its directory was made (here: --init-from a file that is no policy) leaves no empty run behind. */
    @Test
    void aRunThatFailsToStartLeavesNoDirectoryBehind(@TempDir Path out) throws IOException {
        Path junk = Files.writeString(out.resolve("junk.onnx"), "not a policy");
        Cli.Result r = train(out, "--init-from", junk.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("ppo_run")), "the failed start's directory is gone: " + r.err());
        assertEquals(0, train(out).code(), "the default name is free for the next run");
        assertTrue(Files.exists(out.resolve("ppo_run/checkpoint_final.ckpt")), "not moved on to ppo_run_2");
        // a directory the user made stays, even empty
        Files.createDirectories(out.resolve("mine"));
        assertEquals(2, train(out, "--name", "mine", "--init-from", junk.toString()).code());
        assertTrue(Files.isDirectory(out.resolve("mine")), "the user's directory stays");
        Cli.Result missing = train(out, "--init-from", out.resolve("nothing.onnx").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--init-from " + out.resolve("nothing.onnx") + ": no such file"), missing.err());
    }

    @Test
    void overwriteNeverDeletesFilesPpoNodeDidNotWrite(@TempDir Path out) throws IOException {
        Files.createDirectories(out.resolve("mine"));
        Files.writeString(out.resolve("mine/notes.txt"), "the user's");
        Files.writeString(out.resolve("mine/config.yaml"), "the user's too");
        Cli.Result r = train(out, "--name", "mine", "--overwrite");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("notes.txt") && r.err().contains("not replacing it"), r.err());
        assertEquals("the user's too", Files.readString(out.resolve("mine/config.yaml")));
    }

    @Test
    void aRunDirectoryInUseIsRefusedAndAKilledHoldersLockIsTakenOver(@TempDir Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main",
                "train", "--env", "CartPole-v1", "--steps", "100000000", "--out", out.toString(), "--name", "busy", "--no-progress")
                .redirectErrorStream(true).redirectOutput(out.resolve("holder.log").toFile()).start();
        try {
            Path lock = out.resolve("busy").resolve(RunDirectory.LOCK_FILE);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!(Files.exists(lock) && Files.readString(lock).trim().equals(String.valueOf(holder.pid())))) {
                assertTrue(holder.isAlive(), "the first run is training: " + Files.readString(out.resolve("holder.log")));
                assertTrue(System.nanoTime() < deadline, "the first run took its lock");
                Thread.sleep(50);
            }
            Cli.Result second = train(out, "--name", "busy", "--overwrite");
            assertEquals(2, second.code());
            assertTrue(second.err().contains("in use by process " + holder.pid()) && second.err().contains(lock.toString()), second.err());
            assertTrue(holder.isAlive(), "the first run goes on");
        } finally {
            holder.destroyForcibly(); // SIGKILL: its lock file stays behind, naming it
            holder.waitFor();
        }
        Cli.Result after = train(out, "--name", "busy", "--overwrite");
        assertEquals(0, after.code(), after.err());
        assertTrue(after.err().contains("taking over the lock of process " + holder.pid()), after.err());
    }

    @Test
    void exportNeverReplacesItsInputOrACheckpoint(@TempDir Path out) throws IOException {
        assertEquals(0, train(out, "--name", "r").code());
        Path ck = out.resolve("r/checkpoint_final.ckpt");
        byte[] before = Files.readAllBytes(ck);
        Cli.Result same = Cli.run("export", "--checkpoint", ck.toString(), "--out", ck.toString());
        assertEquals(2, same.code());
        assertTrue(same.err().contains(ck.toString()), same.err());
        Path link = out.resolve("link.onnx");
        Files.createSymbolicLink(link, ck);
        Cli.Result viaLink = Cli.run("export", "--checkpoint", ck.toString(), "--out", link.toString(), "--overwrite");
        assertEquals(2, viaLink.code());
        assertTrue(viaLink.err().contains("is the input checkpoint"), viaLink.err());
        Cli.Result otherCkpt = Cli.run("export", "--checkpoint", ck.toString(), "--out", out.resolve("r/policy.ckpt").toString(), "--overwrite");
        assertEquals(2, otherCkpt.code());
        assertArrayEquals(before, Files.readAllBytes(ck), "the checkpoint is intact");
        Path onnx = out.resolve("p.onnx");
        assertEquals(0, Cli.run("export", "--checkpoint", ck.toString(), "--out", onnx.toString()).code());
        Cli.Result again = Cli.run("export", "--checkpoint", ck.toString(), "--out", onnx.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--overwrite"), again.err());
        assertEquals(0, Cli.run("export", "--checkpoint", ck.toString(), "--out", onnx.toString(), "--overwrite").code());
    }

    @Test
    void resumeRefusesAConflictingTaskOrConfig(@TempDir Path out) throws IOException {
        assertEquals(0, train(out, "--name", "r").code());
        String ck = out.resolve("r/checkpoint_final.ckpt").toString();
        Cli.Result task = Cli.run("train", "--resume", ck, "--task", "reacher_2dof", "--no-progress");
        assertEquals(2, task.code());
        assertTrue(task.err().contains("'CartPole-v1'") && task.err().contains("'reacher_2dof'"), task.err());
        Path cfg = out.resolve("my.yaml");
        Files.writeString(cfg, "lr_actor: 0.5\n");
        Cli.Result config = Cli.run("train", "--resume", ck, "--config", cfg.toString(), "--no-progress");
        assertEquals(2, config.code());
        assertTrue(config.err().contains("'lr_actor'") && config.err().contains(cfg.toString()), config.err());
        Files.writeString(cfg, "total_timesteps: 2304\nenv_id: CartPole-v1\n"); // what a resume may change, and what it keeps
        Cli.Result longer = Cli.run("train", "--resume", ck, "--config", cfg.toString(), "--no-progress", "--json");
        assertEquals(0, longer.code(), longer.err());
        assertTrue(longer.lastLine().contains("\"steps\":2304"), longer.out());
    }

    @Test
    void resumeCutsTheLogBackToItsCheckpointAndRemovesCrashResidue(@TempDir Path out) throws IOException {
        // A run checkpointed at every update and "killed" after it logged past its step-1024 checkpoint:
        // that is the state the finished run leaves when resumed from checkpoint_step1024.
        assertEquals(0, train(out, "--name", "r", "--set", "save_interval=1").code());
        Path run = out.resolve("r");
        for (String later : List.of("checkpoint_step1280.ckpt", "checkpoint_step1536.ckpt", "checkpoint_step1792.ckpt", "checkpoint_step2048.ckpt",
                "checkpoint_final.ckpt", "policy.ckpt", "policy.onnx")) {
            Files.delete(run.resolve(later)); // what a kill after the step-1024 checkpoint leaves: only its log rows went further
        }
        Path residue = run.resolve("checkpoint_step1280.ckpt8113927723155337245.tmp");
        Files.write(residue, new byte[100]); // a checkpoint write interrupted by a kill
        Path usersTmp = run.resolve("notes.tmp");
        Files.writeString(usersTmp, "not ours");
        Cli.Result r = Cli.run("train", "--resume", run.resolve("checkpoint_step1024.ckpt").toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(residue), "crash residue removed");
        assertTrue(Files.exists(usersTmp), "only ppo_node's temporary files are removed");

        List<String> rows = Files.readAllLines(run.resolve("training_log.csv"));
        List<Long> steps = rows.subList(1, rows.size()).stream().map(l -> Long.parseLong(l.substring(0, l.indexOf(',')))).toList();
        List<Long> training = steps.subList(0, steps.size() - 1); // the last row is the final evaluation, at the last step
        for (int i = 1; i < training.size(); i++) assertTrue(training.get(i) > training.get(i - 1), "each step logged once: " + steps);
        assertEquals(2048L, training.get(training.size() - 1));
        assertEquals(8, training.size(), "8 updates of 256 steps, none twice: " + steps);

        try (Stream<Path> s = Files.list(run.resolve("tensorboard"))) {
            List<Path> files = s.sorted().toList();
            assertEquals(2, files.size(), "the resumed run writes a new event file");
            assertEquals(1025L, sessionStartStep(files.get(1)), "which first tells TensorBoard to drop the interrupted run's steps after the checkpoint");
        }
    }

    @Test
    void resumingACheckpointThatTheRunWentOnPastBranchesAndNeverRewritesTheFinishedRun(@TempDir Path out) throws IOException {
        assertEquals(0, train(out, "--name", "r", "--set", "save_interval=1").code());
        Path run = out.resolve("r");
        byte[] ckpt = Files.readAllBytes(run.resolve("checkpoint_final.ckpt"));
        byte[] onnx = Files.readAllBytes(run.resolve("policy.onnx"));
        List<String> csv = Files.readAllLines(run.resolve("training_log.csv"));

        Cli.Result branch = Cli.run("train", "--resume", run.resolve("checkpoint_step1024.ckpt").toString(), "--steps", "3072", "--no-progress", "--json");
        assertEquals(0, branch.code(), branch.err());
        Path branched = out.resolve("r_from_step1024");
        assertTrue(branch.err().contains("went on to step 2048") && branch.err().contains(branched.toString()), branch.err());
        assertTrue(branch.lastLine().contains(branched.resolve("checkpoint_final.ckpt").toString()) && branch.lastLine().contains("\"steps\":3072"), branch.out());
        assertArrayEquals(ckpt, Files.readAllBytes(run.resolve("checkpoint_final.ckpt")), "the finished run's final checkpoint is untouched");
        assertArrayEquals(onnx, Files.readAllBytes(run.resolve("policy.onnx")), "and its policy");
        assertEquals(csv, Files.readAllLines(run.resolve("training_log.csv")), "and its log");
        List<String> rows = Files.readAllLines(branched.resolve("training_log.csv"));
        List<Long> steps = rows.subList(1, rows.size() - 1).stream().map(l -> Long.parseLong(l.substring(0, l.indexOf(',')))).toList();
        assertEquals(List.of(256L, 512L, 768L, 1024L, 1280L, 1536L, 1792L, 2048L, 2304L, 2560L, 2816L, 3072L), steps,
                "the branch's log is the history up to its checkpoint, then its own steps, each once");

        Cli.Result again = Cli.run("train", "--resume", run.resolve("checkpoint_step1024.ckpt").toString(), "--steps", "2048", "--no-progress");
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.exists(out.resolve("r_from_step1024_2/checkpoint_final.ckpt")), "a second branch from the same checkpoint gets its own directory");

        Cli.Result nothingLeft = Cli.run("train", "--resume", run.resolve("checkpoint_step1792.ckpt").toString(), "--steps", "1900", "--no-progress");
        assertEquals(2, nothingLeft.code());
        assertTrue(nothingLeft.err().contains("nothing is left to train") && nothingLeft.err().contains("--steps"), nothingLeft.err());
        assertArrayEquals(ckpt, Files.readAllBytes(run.resolve("checkpoint_final.ckpt")));

        Cli.Result extend = Cli.run("train", "--resume", run.resolve("checkpoint_final.ckpt").toString(), "--steps", "2560", "--no-progress", "--json");
        assertEquals(0, extend.code(), extend.err());
        assertTrue(extend.lastLine().contains(run.resolve("checkpoint_final.ckpt").toString()), "the run's newest checkpoint continues the run itself: " + extend.out());

        for (String[] extra : List.of(new String[] {"--no-preset"}, new String[] {"--init-from", run.resolve("policy.onnx").toString()})) {
            List<String> a = new ArrayList<>(List.of("train", "--resume", run.resolve("checkpoint_final.ckpt").toString(), "--steps", "4096", "--no-progress"));
            a.addAll(List.of(extra));
            Cli.Result refused = Cli.run(a.toArray(String[]::new));
            assertEquals(2, refused.code(), extra[0]);
            assertTrue(refused.err().contains(extra[0]), refused.err());
        }
    }

    @Test
    void aTaskFileEditedSinceTheCheckpointIsRefusedNamingTheSettingsOrAcceptedOnRequest(@TempDir Path dir) throws IOException {
        Path tasks = Files.createDirectories(dir.resolve("tasks"));
        Files.copy(Path.of("../urdf/reacher_2dof.urdf"), dir.resolve("reacher_2dof.urdf"));
        Path task = tasks.resolve("reach.yaml");
        String text = Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml"));
        Files.writeString(task, text);
        Path out = dir.resolve("runs");
        Cli.Result first = Cli.run("train", "--task", task.toString(), "--steps", "512", "--set", "num_envs=2", "--set", "rollout_steps=64",
                "--set", "minibatch_size=64", "--set", "eval_episodes=1", "--out", out.toString(), "--name", "r", "--no-progress");
        assertEquals(0, first.code(), first.err());
        Path ck = out.resolve("r/checkpoint_final.ckpt");
        byte[] before = Files.readAllBytes(ck);

        Files.writeString(task, text.replace("distance: -1.0", "distance: -2.0").replace("episode_steps: 100", "episode_steps: 50"));
        Cli.Result refused = Cli.run("train", "--resume", ck.toString(), "--steps", "1024", "--no-progress");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("reward.distance: -1.0 → -2.0") && refused.err().contains("episode_steps: 100.0 → 50.0")
                && refused.err().contains("--accept-task-change"), refused.err());
        assertArrayEquals(before, Files.readAllBytes(ck));

        Cli.Result stray = Cli.run("train", "--task", task.toString(), "--accept-task-change", "--out", out.toString(), "--no-progress");
        assertEquals(2, stray.code());
        assertTrue(stray.err().contains("--accept-task-change applies to --resume"), stray.err());
        Cli.Result accepted = Cli.run("train", "--resume", ck.toString(), "--steps", "1024", "--accept-task-change", "--no-progress", "--json");
        assertEquals(0, accepted.code(), accepted.err());
        assertTrue(accepted.err().contains("resuming on a changed task"), accepted.err());
        List<?> recorded = Checkpoint.read(ck).list("task_changes");
        assertEquals(1, recorded.size());
        assertTrue(recorded.get(0).toString().contains("reward.distance: -1.0 → -2.0") && recorded.get(0).toString().contains("step=512"),
                "the change is recorded in the run's checkpoint: " + recorded);
    }

    @Test
    void aStopSignalSavesACheckpointAndThePolicyAndTheRunResumesFromThem(@TempDir Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process run = new ProcessBuilder(java, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "pponode.cli.Main",
                "train", "--env", "CartPole-v1", "--steps", "100000000", "--set", "save_interval=100000", "--out", out.toString(), "--name", "long",
                "--no-progress", "--json").redirectError(out.resolve("err.log").toFile()).redirectOutput(out.resolve("out.log").toFile()).start();
        Path log = out.resolve("long/training_log.csv");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(log) && Files.readAllLines(log).size() >= 3)) {
            assertTrue(run.isAlive(), "training: " + Files.readString(out.resolve("err.log")));
            assertTrue(System.nanoTime() < deadline, "the run logged two updates");
            Thread.sleep(50);
        }
        run.destroy(); // SIGTERM, as a launch file's shutdown sends
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the run stopped");
        String err = Files.readString(out.resolve("err.log"));
        assertEquals(0, run.exitValue(), err);
        String summary = Files.readAllLines(out.resolve("out.log")).get(0);
        assertTrue(summary.contains("\"interrupted\":true"), summary);
        Matcher m = Pattern.compile("stopped at step (\\d+)").matcher(err);
        assertTrue(m.find(), err);
        long step = Long.parseLong(m.group(1));
        Path ckpt = out.resolve("long/checkpoint_step" + step + ".ckpt");
        assertTrue(step > 0 && Files.exists(ckpt) && Files.exists(out.resolve("long/policy.onnx")), err);
        List<String> rows = Files.readAllLines(log);
        assertEquals(step, Long.parseLong(rows.get(rows.size() - 1).split(",")[0]), "the checkpoint holds the last update the log shows");
        assertTrue(err.contains("--resume " + ckpt), err);

        Cli.Result resumed = Cli.run("train", "--resume", ckpt.toString(), "--steps", String.valueOf(step + 512), "--no-progress", "--json");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.lastLine().contains(out.resolve("long/checkpoint_final.ckpt").toString()), "continued in its own directory: " + resumed.out());
    }

    /** The step of the first SessionLog START event in a TensorBoard event file, or -1. */
    private static long sessionStartStep(Path events) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(events)).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() > 12) {
            int len = (int) b.getLong();
            b.getInt();
            byte[] data = new byte[len];
            b.get(data);
            b.getInt();
            CodedInputStream in = CodedInputStream.newInstance(data);
            long step = 0;
            boolean start = false;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag >>> 3 == 2) step = in.readInt64();
                else if (tag >>> 3 == 7) {
                    CodedInputStream sessionLog = CodedInputStream.newInstance(in.readByteArray());
                    start = sessionLog.readTag() == 8 && sessionLog.readEnum() == 1; // SessionLog.status = START
                }
                else in.skipField(tag);
            }
            if (start) return step;
        }
        return -1;
    }
}
