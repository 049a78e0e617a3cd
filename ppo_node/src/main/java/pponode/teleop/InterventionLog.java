package pponode.teleop;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pponode.runner.Supervisor;

/**
 * Every supervised step, on disk: who acted, the observation, the executed action and the
 * operator's own action. An append-only file of frames {@code [length][crc32][payload]}, the first
 * a JSON header (task, joints, sizes). Each frame is one {@code write} call, so a crash leaves at
 * most one torn frame at the end; it fails its length or CRC check and is cut off when the log is
 * next opened. The file is fsync'd whenever an intervention segment ends and on close.
 */
public final class InterventionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InterventionLog.class);
    private static final int MAX_FRAME = 1 << 20;

    /** One executed step. {@code demonstration} is null unless the operator acted. */
    public record Step(long step, long stampMs, int episode, Supervisor.Actor actor, float[] obs, float[] executed, float[] demonstration) {}

    private final FileChannel ch;
    private final int obsDim, actDim;
    private final ByteBuffer buf;
    private final CRC32 crc = new CRC32();
    private long appended;

    /** Opens (creating or continuing) the log at {@code file}; an existing log must describe the same task and joints. */
    public InterventionLog(Path file, String task, List<String> joints, int obsDim) throws IOException {
        this.obsDim = obsDim;
        this.actDim = joints.size();
        buf = ByteBuffer.allocate(8 + 8 + 8 + 8 + 4 + 1 + 4 * (obsDim + 2 * actDim)); // frame header + payload
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", "ppo_node.interventions");
        header.put("version", 1);
        header.put("task", task);
        header.put("joints", joints);
        header.put("obs_dim", obsDim);
        header.put("action_dim", actDim);
        if (Files.exists(file) && Files.size(file) > 0) {
            Scan s = scan(file);
            if (!s.header.equals(header)) throw new IOException(file + " is a log of " + s.header + ", not of " + header);
            ch = FileChannel.open(file, StandardOpenOption.WRITE);
            if (s.goodBytes < Files.size(file)) {
                LOG.warn("{}: cut {} bytes of a torn last write (a crash while appending); {} steps kept", file, Files.size(file) - s.goodBytes, s.steps.size());
                ch.truncate(s.goodBytes);
                ch.force(true);
            }
            ch.position(s.goodBytes);
            appended = s.steps.size();
        } else {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            writeFrame(new ObjectMapper().writeValueAsBytes(header));
            ch.force(true);
        }
    }

    public synchronized void append(Step s) throws IOException {
        buf.clear();
        buf.position(8); // length and CRC go in front once the payload is known
        buf.putLong(s.step()).putLong(s.stampMs()).putLong(0).putInt(s.episode()).put((byte) s.actor().ordinal());
        for (int i = 0; i < obsDim; i++) buf.putFloat(s.obs()[i]);
        for (int i = 0; i < actDim; i++) buf.putFloat(s.executed()[i]);
        for (int i = 0; i < actDim; i++) buf.putFloat(s.demonstration() == null ? Float.NaN : s.demonstration()[i]);
        int len = buf.position() - 8;
        crc.reset();
        crc.update(buf.array(), 8, len);
        buf.putInt(0, len).putInt(4, (int) crc.getValue());
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        appended++;
    }

    /** Makes everything appended so far durable (end of an intervention segment). */
    public synchronized void sync() throws IOException {
        ch.force(false);
    }

    public synchronized long steps() {
        return appended;
    }

    private void writeFrame(byte[] payload) throws IOException {
        crc.reset();
        crc.update(payload);
        ByteBuffer f = ByteBuffer.allocate(8 + payload.length);
        f.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        while (f.hasRemaining()) ch.write(f);
    }

    @Override
    public synchronized void close() throws IOException {
        if (ch.isOpen()) {
            ch.force(true);
            ch.close();
        }
    }

    private record Scan(Map<String, Object> header, List<Step> steps, long goodBytes) {}

    /** Every complete step in the log (a torn last frame is ignored). */
    public static List<Step> read(Path file) throws IOException {
        return scan(file).steps;
    }

    @SuppressWarnings("unchecked")
    private static Scan scan(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all);
        byte[] h = frame(b);
        if (h == null) throw new IOException(file + ": not an intervention log (no valid header)");
        Map<String, Object> header;
        try {
            header = new ObjectMapper().readValue(h, LinkedHashMap.class);
        } catch (IOException e) {
            throw new IOException(file + ": not an intervention log (" + e.getMessage().split("\n")[0] + ")");
        }
        if (!"ppo_node.interventions".equals(header.get("format"))) throw new IOException(file + ": not an intervention log (format " + header.get("format") + ")");
        int od = ((Number) header.get("obs_dim")).intValue(), ad = ((Number) header.get("action_dim")).intValue();
        List<Step> steps = new ArrayList<>();
        long good = b.position();
        byte[] p;
        while ((p = frame(b)) != null) {
            if (p.length != 8 + 8 + 8 + 4 + 1 + 4 * (od + 2 * ad)) break;
            ByteBuffer q = ByteBuffer.wrap(p);
            long step = q.getLong(), stamp = q.getLong();
            q.getLong(); // reserved
            int episode = q.getInt();
            int actor = q.get();
            if (actor < 0 || actor >= Supervisor.Actor.values().length) break;
            float[] obs = new float[od], ex = new float[ad], demo = new float[ad];
            for (int i = 0; i < od; i++) obs[i] = q.getFloat();
            for (int i = 0; i < ad; i++) ex[i] = q.getFloat();
            for (int i = 0; i < ad; i++) demo[i] = q.getFloat();
            Supervisor.Actor a = Supervisor.Actor.values()[actor];
            steps.add(new Step(step, stamp, episode, a, obs, ex, a == Supervisor.Actor.OPERATOR ? demo : null));
            good = b.position();
        }
        return new Scan(header, steps, good);
    }

    private static byte[] frame(ByteBuffer b) {
        if (b.remaining() < 8) return null;
        int start = b.position();
        int len = b.getInt(), crc = b.getInt();
        if (len < 0 || len > MAX_FRAME || b.remaining() < len) {
            b.position(start);
            return null;
        }
        byte[] p = new byte[len];
        b.get(p);
        CRC32 c = new CRC32();
        c.update(p);
        if ((int) c.getValue() != crc) {
            b.position(start);
            return null;
        }
        return p;
    }

}
