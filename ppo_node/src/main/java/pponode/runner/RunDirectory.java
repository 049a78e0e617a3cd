package pponode.runner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory a run writes to ({@code <out>/<name>}), held exclusively while the run lives.
 *
 * <p>A user's runs are never overwritten by accident: a default name never reuses a directory
 * ({@code ppo_run}, {@code ppo_run_2}, … as TensorBoard and SB3 users expect), an explicitly named
 * run that exists is refused unless it is continued ({@link Mode#CONTINUE}) or replaced on
 * request ({@link Mode#OVERWRITE}, which deletes only files ppo_node writes). The lock is an OS
 * file lock on {@code run.lock} naming the holder's PID, so the kernel releases it when a process
 * dies: a killed run's lock is taken over (its PID is still in the file; a run that ended
 * cleanly emptied it), a live one's refuses the second process. Temporary
 * files that a crash left mid-write are removed once the lock is held (never before: they may be a
 * live writer's).
 */
public final class RunDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);
    public static final String LOCK_FILE = "run.lock";
    /** What a run writes before its first update: a directory holding only these never trained. */
    private static final Set<String> STARTUP_FILES = Set.of(LOCK_FILE, "config.yaml");
    /** What ppo_node writes into a run directory; --overwrite deletes these and nothing else. */
    private static final Pattern ARTIFACT = Pattern.compile(
            "run\\.lock|config\\.yaml|training_log\\.csv|episodes\\.csv|learning_curve\\.png|interventions\\.log|tensorboard"
                    + "|checkpoint_(step\\d+|final)\\.ckpt|policy\\.ckpt|policy(_v\\d+)?\\.onnx");
    /** Files.createTempFile(dir, target, ".tmp") names: the target's name, random digits, .tmp. */
    private static final Pattern RESIDUE = Pattern.compile("(checkpoint_.*\\.ckpt|policy.*\\.(ckpt|onnx)|training_log\\.csv|episodes\\.csv)-?\\d+\\.tmp");

    /** What to do when the directory already holds a run. */
    public enum Mode {
        /** A new run: refuse an explicitly named existing run. */
        NEW,
        /** Replace an explicitly named existing run (--overwrite). */
        OVERWRITE,
        /** Continue the run in it (--resume, fine-tuning sessions). */
        CONTINUE
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Whether this process made the directory (a failed start then leaves nothing behind). */
    private boolean created;

    private RunDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public Path path() {
        return dir;
    }

    /**
     * Opens {@code out/name} for a run. {@code nameGiven} says whether the user chose the name: a
     * default name moves on to {@code name_2}, {@code name_3}, … rather than reuse a directory.
     */
    public static RunDirectory open(Path out, String name, boolean nameGiven, Mode mode) throws IOException {
        checkOut(out);
        checkName(name);
        if (!nameGiven && mode == Mode.NEW) return openFresh(out, name);
        Path dir = out.resolve(name);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("run directory " + dir + " exists and is not a directory; choose another --name or --out");
        }
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        RunDirectory rd = lock(dir);
        rd.created = created;
        try {
            List<Path> run = entries(dir).stream().filter(p -> !p.getFileName().toString().equals(LOCK_FILE)).toList();
            if (mode == Mode.NEW && !run.isEmpty()) {
                String latest = latestCheckpoint(dir);
                throw new IOException("run directory " + dir + " already holds a run; continue it with --resume "
                        + (latest != null ? latest : dir.resolve("checkpoint_final.ckpt")) + ", replace it with --overwrite, or choose another --name");
            }
            if (mode == Mode.OVERWRITE && !run.isEmpty()) rd.deleteArtifacts(run);
            rd.removeResidue();
            rd.recordHolder();
            return rd;
        } catch (IOException | RuntimeException e) {
            rd.close();
            throw e;
        }
    }

    /** The first of name, name_2, name_3, … that does not exist yet, created atomically (two runs started at once get two). */
    private static RunDirectory openFresh(Path out, String name) throws IOException {
        Files.createDirectories(out);
        for (int k = 1; k < 100_000; k++) {
            Path dir = out.resolve(k == 1 ? name : name + "_" + k);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            RunDirectory rd = lock(dir);
            rd.created = true;
            rd.recordHolder();
            if (k > 1) LOG.info("{} holds an earlier run; this run writes to {}", out.resolve(name), dir);
            return rd;
        }
        throw new IOException(out + " already holds 100000 runs named " + name + "_N; choose another --name");
    }

    private static void checkOut(Path out) throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        if (abs.getParent() == null) throw new IOException("--out " + out + " is the file system root; runs need a directory of their own (e.g. --out ppo_logs)");
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IOException("--out " + out + " exists and is not a directory");
    }

    private static void checkName(String name) throws IOException {
        if (name == null || name.isBlank()) throw new IOException("--name (experiment_name) is empty; a run needs a directory name");
        if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw new IOException("--name (experiment_name) '" + name + "' must be one directory name inside --out, without '/' or '..'");
        }
    }

    private static RunDirectory lock(Path dir) throws IOException {
        Path file = dir.resolve(LOCK_FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by another run in this JVM
        }
        if (l == null) {
            String holder = readHolder(ch);
            ch.close();
            throw new IOException("run directory " + dir + " is in use by " + (holder.isEmpty() ? "another process" : "process " + holder)
                    + " (lock " + file + "); wait for it to finish or choose another --name");
        }
        String previous = readHolder(ch);
        if (!previous.isEmpty() && !previous.equals(String.valueOf(ProcessHandle.current().pid()))) {
            LOG.info("{}: taking over the lock of process {}, which is no longer running", file, previous);
        }
        return new RunDirectory(dir, ch, l);
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64);
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    }

    private void recordHolder() throws IOException {
        lockChannel.truncate(0);
        lockChannel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        lockChannel.force(false);
    }

    /** --overwrite: deletes what ppo_node wrote, but refuses a directory holding anything else (it may be the user's). */
    private void deleteArtifacts(List<Path> run) throws IOException {
        List<String> foreign = run.stream().map(p -> p.getFileName().toString())
                .filter(n -> !ARTIFACT.matcher(n).matches() && !RESIDUE.matcher(n).matches()).sorted().toList();
        if (!foreign.isEmpty()) {
            throw new IOException("--overwrite: " + dir + " holds files ppo_node did not write (" + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? ", ..." : "") + "); not replacing it");
        }
        for (Path p : run) deleteTree(p);
        LOG.info("--overwrite: deleted the earlier run in {}", dir);
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
            }
        } else {
            Files.delete(p);
        }
    }

    /** Removes temporary files of writes a crash interrupted (checkpoints, policies); the files they were to replace are intact. */
    private void removeResidue() throws IOException {
        int removed = 0;
        for (Path p : entries(dir)) {
            if (RESIDUE.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                Files.delete(p);
                removed++;
            }
        }
        if (removed > 0) LOG.info("{}: removed {} temporary file(s) left by an interrupted write", dir, removed);
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.toList());
        }
    }

    /** The step of the newest training checkpoint in run directory {@code dir} (the final one included), or -1 if it holds none. */
    public static long newestCheckpointStep(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return -1;
        long newest = -1;
        for (Path p : entries(dir)) {
            var m = STEP_CHECKPOINT.matcher(p.getFileName().toString());
            if (m.matches()) newest = Math.max(newest, Long.parseLong(m.group(1)));
        }
        Path fin = dir.resolve("checkpoint_final.ckpt");
        if (Files.isRegularFile(fin)) newest = Math.max(newest, Checkpoint.read(fin).integer("global_step"));
        return newest;
    }

    private static final Pattern STEP_CHECKPOINT = Pattern.compile("checkpoint_step(\\d+)\\.ckpt");

    /** The run's newest training checkpoint (final, else the highest step), or null. */
    static String latestCheckpoint(Path dir) throws IOException {
        Path fin = dir.resolve("checkpoint_final.ckpt");
        if (Files.isRegularFile(fin)) return fin.toString();
        return entries(dir).stream().filter(p -> STEP_CHECKPOINT.matcher(p.getFileName().toString()).matches())
                .max(Comparator.comparingLong(p -> {
                    var m = STEP_CHECKPOINT.matcher(p.getFileName().toString());
                    return m.matches() ? Long.parseLong(m.group(1)) : -1;
                })).map(Path::toString).orElse(null);
    }

    /**
     * Closes a run that failed to start: a directory this process made, holding nothing but what a
     * start writes (its lock and config.yaml), is removed, so a start that could not reach its
     * simulator leaves no empty run behind (and the next default name is not moved on for it).
     * Anything else stays, as {@link #close} leaves it.
     */
    public void abandon() throws IOException {
        List<Path> in = entries(dir);
        boolean unstarted = created && lock.isValid() && in.stream().allMatch(p -> STARTUP_FILES.contains(p.getFileName().toString()));
        if (unstarted) {
            for (Path p : in) if (!p.getFileName().toString().equals(LOCK_FILE)) Files.deleteIfExists(p);
            Files.deleteIfExists(dir.resolve(LOCK_FILE)); // still held: no other process is inside
        }
        close();
        if (unstarted) Files.deleteIfExists(dir);
    }

    @Override
    public void close() throws IOException {
        // The lock file stays (deleting it would race with a process that has opened it), emptied
        // while still held: a PID found in it later means its holder died without closing.
        if (lockChannel.isOpen()) {
            try {
                if (lock.isValid()) {
                    lockChannel.truncate(0);
                    lock.release();
                }
            } finally {
                lockChannel.close();
            }
        }
    }
}
