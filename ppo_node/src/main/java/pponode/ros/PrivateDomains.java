package pponode.ros;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * ROS 2 domain ids for a node and a simulated robot that must hear only each other (sim2sim, the
 * tests): each held by one user at a time through a file lock under java.io.tmpdir, which ends
 * with the lease or the JVM. DDS discovery reaches every process on the host, so two such runs at
 * once on one id would drive each other's robots. Ids stay in 1..101, whose ports (7400 + 250·id)
 * are below Linux's ephemeral range; 0, the default, is left to real ROS 2 systems.
 */
public final class PrivateDomains {
    private static final int FIRST = 1, LAST = 101;

    private PrivateDomains() {}

    /** A domain id held until {@link #close()}. */
    public record Lease(int id, FileChannel channel) implements AutoCloseable {
        @Override
        public void close() {
            try {
                channel.close(); // releases the lock
            } catch (IOException e) {
                // the JVM's exit releases it
            }
        }
    }

    /** A domain id no other lease, in this JVM or another, holds. */
    public static synchronized Lease lease() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ppo_node-domains");
        try {
            Files.createDirectories(dir);
            for (int id = FIRST; id <= LAST; id++) {
                FileChannel ch = FileChannel.open(dir.resolve(id + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock != null) return new Lease(id, ch);
                ch.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot claim a ROS 2 domain id under " + dir, e);
        }
        throw new IllegalStateException("every private ROS 2 domain id in " + FIRST + ".." + LAST + " is held (see " + dir + ")");
    }
}
