package pponode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * ROS 2 domain ids for tests, each used once and held by this JVM alone: a file lock per id under
 * java.io.tmpdir, released when the JVM exits. DDS discovery reaches every process on the host, so
 * two suites at once (a developer's beside CI's, or two clones) or two test classes of one suite
 * on the same id would hear each other's robots. Ids stay in 1..101, whose ports (7400 + 250·id)
 * are below Linux's ephemeral range; 0 is left to real ROS 2 systems.
 */
public final class TestDomains {
    private static final int FIRST = 1, LAST = 101;
    private static final List<FileChannel> HELD = new ArrayList<>();
    private static int next = FIRST;

    private TestDomains() {}

    /** A domain id no other test, in this JVM or another, is using. */
    public static synchronized int claim() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ppo_node-test-domains");
        try {
            Files.createDirectories(dir);
            for (; next <= LAST; next++) {
                FileChannel ch = FileChannel.open(dir.resolve(next + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock != null) {
                    HELD.add(ch); // kept open: the lock lasts as long as this JVM
                    return next++;
                }
                ch.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot claim a ROS 2 domain id under " + dir, e);
        }
        throw new IllegalStateException("every ROS 2 domain id in " + FIRST + ".." + LAST + " is held by a test process (see " + dir + ")");
    }
}
