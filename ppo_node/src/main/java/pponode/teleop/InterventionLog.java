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
 * most one torn frame at the end, which is cut off when the log is next opened. A frame damaged
 * anywhere else (a bad sector, a flipped bit) is skipped and counted: the reader resynchronises on
 * the next frame whose length and CRC check out, so one bad byte loses one step, not the rest of
 * the log. The file is fsync'd whenever an intervention segment ends and on close.
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
            Contents c = read(file);
            if (!c.header.equals(header)) throw new IOException(file + " is a log of " + c.header + ", not of " + header);
            ch = FileChannel.open(file, StandardOpenOption.WRITE);
            long size = ch.size();
            if (c.tornBytes > 0) { // only the incomplete last frame goes; corrupt frames stay in place (the reader skips them)
                LOG.warn("{}: cut {} bytes of a torn last write (a crash while appending); {} steps kept", file, c.tornBytes, c.steps.size());
                size -= c.tornBytes;
                ch.truncate(size);
                ch.force(true);
            }
            ch.position(size);
            appended = c.steps.size();
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

    /**
     * What a log holds: its complete steps, the frames skipped because they failed their length or
     * CRC check (corruption in the middle of the file: the reader resynchronises on the next valid
     * frame), and the bytes of a torn last write (an incomplete frame at the very end).
     */
    public record Contents(Map<String, Object> header, List<Step> steps, int skippedFrames, long skippedBytes, long tornBytes) {}

    /** Every valid step in the log; corrupt frames are skipped and counted, a torn last frame is ignored. */
    public static Contents read(Path file) throws IOException {
        Contents c = scan(file);
        if (c.skippedFrames > 0) {
            LOG.warn("{}: skipped {} corrupt frame(s) ({} bytes) that failed their length or CRC check; {} valid steps read around them", file,
                    c.skippedFrames, c.skippedBytes, c.steps.size());
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Contents scan(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all);
        byte[] h = headerFrame(b);
        if (h == null) throw new IOException(file + ": not an intervention log (no valid header)");
        Map<String, Object> header;
        try {
            header = new ObjectMapper().readValue(h, LinkedHashMap.class);
        } catch (IOException e) {
            throw new IOException(file + ": not an intervention log (" + e.getMessage().split("\n")[0] + ")");
        }
        if (!"ppo_node.interventions".equals(header.get("format"))) throw new IOException(file + ": not an intervention log (format " + header.get("format") + ")");
        int od = ((Number) header.get("obs_dim")).intValue(), ad = ((Number) header.get("action_dim")).intValue();
        int payload = 8 + 8 + 8 + 4 + 1 + 4 * (od + 2 * ad);
        int frameSize = 8 + payload; // every step frame has this size, which is what makes resynchronising cheap and safe
        List<Step> steps = new ArrayList<>();
        int pos = b.position(), skippedFrames = 0;
        long skippedBytes = 0, torn = 0;
        CRC32 crc = new CRC32();
        while (pos < all.length) {
            if (all.length - pos < frameSize) { // an incomplete frame at the very end: a torn write
                torn = all.length - pos;
                break;
            }
            Step s = stepAt(all, pos, payload, od, ad, crc);
            if (s != null) {
                steps.add(s);
                pos += frameSize;
                continue;
            }
            int next = pos + 1;
            while (next + frameSize <= all.length && stepAt(all, next, payload, od, ad, crc) == null) next++;
            if (next + frameSize > all.length) { // no valid frame after the damage: all of it is corrupt unless it is shorter than a frame
                skippedBytes += all.length - pos;
                skippedFrames += Math.max(1, (all.length - pos) / frameSize);
                break;
            }
            skippedBytes += next - pos;
            skippedFrames += Math.max(1, Math.round((next - pos) / (float) frameSize));
            pos = next;
        }
        return new Contents(header, steps, skippedFrames, skippedBytes, torn);
    }

    /** The step framed at {@code pos}, or null unless its length, CRC and actor are valid. */
    private static Step stepAt(byte[] all, int pos, int payload, int od, int ad, CRC32 crc) {
        ByteBuffer q = ByteBuffer.wrap(all, pos, 8 + payload);
        if (q.getInt() != payload) return null;
        int expected = q.getInt();
        crc.reset();
        crc.update(all, pos + 8, payload);
        if ((int) crc.getValue() != expected) return null;
        long step = q.getLong(), stamp = q.getLong();
        q.getLong(); // reserved
        int episode = q.getInt();
        int actor = q.get();
        if (actor < 0 || actor >= Supervisor.Actor.values().length) return null;
        float[] obs = new float[od], ex = new float[ad], demo = new float[ad];
        for (int i = 0; i < od; i++) obs[i] = q.getFloat();
        for (int i = 0; i < ad; i++) ex[i] = q.getFloat();
        for (int i = 0; i < ad; i++) demo[i] = q.getFloat();
        Supervisor.Actor a = Supervisor.Actor.values()[actor];
        return new Step(step, stamp, episode, a, obs, ex, a == Supervisor.Actor.OPERATOR ? demo : null);
    }

    private static byte[] headerFrame(ByteBuffer b) {
        if (b.remaining() < 8) return null;
        int len = b.getInt(), crc = b.getInt();
        if (len < 0 || len > MAX_FRAME || b.remaining() < len) return null;
        byte[] p = new byte[len];
        b.get(p);
        CRC32 c = new CRC32();
        c.update(p);
        return (int) c.getValue() == crc ? p : null;
    }
}
