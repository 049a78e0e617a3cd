package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** thread_priority: a thread really runs under SCHED_FIFO afterwards, or the reason it cannot is named. */
class RealtimeThreadsTest {
    @Test
    void aPromotedThreadRunsUnderSchedFifoOrTheReasonIsNamed() throws Exception {
        AtomicReference<String> problem = new AtomicReference<>();
        AtomicReference<String[]> stat = new AtomicReference<>();
        Thread t = new Thread(() -> {
            problem.set(RealtimeThreads.promoteCurrentThread(10));
            try {
                String s = Files.readString(Path.of("/proc/thread-self/stat"));
                stat.set(s.substring(s.lastIndexOf(')') + 2).split(" ")); // fields after "(comm)"
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        t.join();
        String[] f = stat.get();
        int rtPriority = Integer.parseInt(f[40 - 3]), policy = Integer.parseInt(f[41 - 3]); // stat fields 40 and 41, counted from field 3
        if (problem.get() == null) {
            assertEquals(1, policy, "SCHED_FIFO");
            assertEquals(10, rtPriority);
        } else {
            System.out.println("not allowed here: " + problem.get());
            assertTrue(problem.get().contains("not permitted") || problem.get().contains("Linux"), problem.get());
            assertEquals(0, policy, "left under SCHED_OTHER");
        }
        assertNull(RealtimeThreads.promoteCurrentThread(0), "0 means off");
    }

    @Test
    void aPriorityOutOfRangeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RosParams().apply(List.of("thread_priority=100")));
        assertTrue(e.getMessage().contains("thread_priority"), e.getMessage());
    }
}
