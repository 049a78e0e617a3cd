package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.runner.Supervisor;

/** One damaged byte costs one step of the intervention log, not every demonstration after it. */
class InterventionLogTest {
    private static final List<String> JOINTS = List.of("joint1", "joint2");
    private static final int OBS = 3, FRAME = 8 + 8 + 8 + 8 + 4 + 1 + 4 * (OBS + 2 * 2);

    private static long writeLog(Path file, int steps) throws IOException {
        try (InterventionLog log = new InterventionLog(file, "reacher_2dof", JOINTS, OBS)) {
            for (int i = 0; i < steps; i++) {
                boolean op = i % 2 == 0;
                log.append(new InterventionLog.Step(i, 1000L + i, 0, op ? Supervisor.Actor.OPERATOR : Supervisor.Actor.POLICY, new float[] {i, i, i},
                        new float[] {0.1f * i, -0.1f * i}, op ? new float[] {0.2f, 0.3f} : null));
            }
        }
        return Files.size(file) - (long) steps * FRAME; // the header's size
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    @Test
    void aCorruptFrameInTheMiddleIsSkippedAndTheReaderResynchronises(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("interventions.log");
        long header = writeLog(file, 100);
        flip(file, header + 40L * FRAME + 20); // inside step 40's payload: its CRC fails
        InterventionLog.Contents c = InterventionLog.read(file);
        assertEquals(99, c.steps().size(), "every step but the damaged one");
        assertEquals(1, c.skippedFrames());
        assertEquals(FRAME, c.skippedBytes());
        assertEquals(0, c.tornBytes(), "a damaged middle frame is not a torn write");
        assertEquals(39, c.steps().get(39).step());
        assertEquals(41, c.steps().get(40).step(), "resynchronised on the frame after the damage");
        assertEquals(99, c.steps().get(98).step());

        flip(file, header + 70L * FRAME + 1); // a length field: the frame's size is wrong, not only its CRC
        assertEquals(98, InterventionLog.read(file).steps().size());
        assertEquals(2, InterventionLog.read(file).skippedFrames());
    }

    @Test
    void onlyAnIncompleteLastFrameIsATornWriteAndAppendingKeepsEverythingElse(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("interventions.log");
        long header = writeLog(file, 10);
        flip(file, header + 3L * FRAME + 30);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() + FRAME / 2); // a crash in the middle of appending one more frame
        }
        InterventionLog.Contents c = InterventionLog.read(file);
        assertEquals(9, c.steps().size());
        assertEquals(FRAME / 2, c.tornBytes());
        try (InterventionLog log = new InterventionLog(file, "reacher_2dof", JOINTS, OBS)) { // a restarted fine-tuning run
            assertEquals(9, log.steps());
            log.append(new InterventionLog.Step(10, 2000, 1, Supervisor.Actor.POLICY, new float[3], new float[2], null));
        }
        InterventionLog.Contents after = InterventionLog.read(file);
        assertEquals(10, after.steps().size(), "the torn tail is cut, the damaged frame stays skipped, the new step is read");
        assertEquals(10, after.steps().get(9).step());
        assertEquals(1, after.skippedFrames());
        assertEquals(0, after.tornBytes());
    }
}
