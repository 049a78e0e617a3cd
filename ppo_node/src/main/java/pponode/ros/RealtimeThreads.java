package pponode.ros;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real-time scheduling for the threads a control loop's latency runs through, as ros2_control's
 * controller manager does ({@code thread_priority}, default 50): SCHED_FIFO via
 * {@code sched_setscheduler}, where the system allows it (root, CAP_SYS_NICE, or an {@code rtprio}
 * limit in /etc/security/limits.conf). On a loaded machine an ordinary thread woken by a message
 * can wait a whole scheduler tick (4 ms at 250 Hz) for a core; a FIFO thread runs at once.
 * Where it is not allowed the node runs as before and says why.
 */
public final class RealtimeThreads {
    private static final int SCHED_FIFO = 1;

    private RealtimeThreads() {}

    private interface CLib extends Library {
        int sched_setscheduler(int pid, int policy, int[] param); // struct sched_param { int sched_priority; }
    }

    private static CLib libc;

    private static synchronized CLib libc() {
        if (libc == null) libc = Native.load("c", CLib.class);
        return libc;
    }

    /** Puts this process's DDS threads (Fast DDS names them {@code dds.*}) under SCHED_FIFO at {@code priority}; null on success, else why not. */
    public static String promoteDds(int priority) {
        if (priority <= 0) return null;
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) return "real-time priorities are set on Linux only";
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String name;
                try {
                    name = Files.readString(t.resolve("comm")).trim();
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                if (!name.startsWith("dds.")) continue;
                String problem = set(Integer.parseInt(t.getFileName().toString()), priority);
                if (problem != null) return problem;
            }
        } catch (IOException | UnsatisfiedLinkError e) {
            return "cannot list or change threads: " + e.getMessage();
        }
        return null;
    }

    /** Puts the calling thread under SCHED_FIFO at {@code priority}; null on success, else why not. */
    public static String promoteCurrentThread(int priority) {
        if (priority <= 0) return null;
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            return set(Integer.parseInt(self.getFileName().toString()), priority);
        } catch (IOException | UnsupportedOperationException | UnsatisfiedLinkError e) {
            return "cannot change this thread's scheduling: " + e.getMessage();
        }
    }

    private static String set(int tid, int priority) {
        if (libc().sched_setscheduler(tid, SCHED_FIFO, new int[] {priority}) != 0) {
            int errno = Native.getLastError();
            return errno == 1 ? "not permitted (EPERM): run as root, grant CAP_SYS_NICE, or raise the rtprio limit (ulimit -r)"
                    : "sched_setscheduler failed with errno " + errno;
        }
        return null;
    }
}
