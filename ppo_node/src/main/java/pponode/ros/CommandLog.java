package pponode.ros;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * A robot's actuators as the deploy node sees them, for fitting an actuator network
 * ({@code ppo-node fit-actuator}): one CSV row per joint state received, with the time, and per
 * actuated joint the command in force (the last one sent; NaN before the first), the measured
 * position, velocity and effort (NaN where the robot sends none). A file that exists is never
 * overwritten.
 */
public final class CommandLog implements AutoCloseable {
    private final BufferedWriter out;
    private final long t0 = System.nanoTime();
    private final StringBuilder row = new StringBuilder();
    private long rows;

    public CommandLog(Path file, List<String> joints) throws IOException {
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("--record " + file + ": the file exists; a log is never overwritten, name another");
        }
        StringBuilder h = new StringBuilder("t_s");
        for (String j : joints) h.append(',').append(j).append("_command,").append(j).append("_position,").append(j).append("_velocity,").append(j).append("_effort");
        out.write(h.append('\n').toString());
    }

    /** One joint state, received at {@code nanos} (System.nanoTime), with the command in force for each joint. */
    public synchronized void write(long nanos, double[] command, double[] position, double[] velocity, double[] effort) {
        row.setLength(0);
        row.append(String.format(Locale.ROOT, "%.6f", (nanos - t0) / 1e9));
        for (int i = 0; i < position.length; i++) {
            row.append(',').append(command == null ? Double.NaN : command[i]).append(',').append(position[i]).append(',').append(velocity[i]).append(',').append(effort[i]);
        }
        row.append('\n');
        try {
            out.write(row.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rows++;
    }

    public synchronized long rows() {
        return rows;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
