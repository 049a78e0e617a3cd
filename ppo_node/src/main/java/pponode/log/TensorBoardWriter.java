package pponode.log;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard event files ({@code events.out.tfevents.*}) that {@code tensorboard --logdir}
 * reads: TFRecord framing (length, masked CRC32C of the length, payload, masked CRC32C of the
 * payload) around serialized {@code tensorflow.Event} protos with scalar summaries.
 *
 * <p>The few proto fields needed are encoded with protobuf-java's {@link CodedOutputStream}:
 * Event{wall_time=1 double, step=2 int64, file_version=3 string, summary=5}, Summary{value=1},
 * Summary.Value{tag=1 string, simple_value=2 float}, session_log=7 SessionLog{status=1}.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private final OutputStream out;
    private final Path file;

    /** A new event file in {@code dir}; never an existing one (TensorBoard reads every file in a run's directory). */
    public TensorBoardWriter(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        String stem = "events.out.tfevents." + (System.currentTimeMillis() / 1000) + "." + host + "." + ProcessHandle.current().pid() + ".ppo_node";
        Path f = dir.resolve(stem);
        OutputStream o = null;
        for (int k = 2; o == null; k++) {
            try {
                o = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                f = dir.resolve(stem + k);
            }
        }
        file = f;
        out = o;
        writeRecord(event(System.currentTimeMillis() / 1000.0, 0, "brain.Event:2", null, 0f));
    }

    /**
     * Marks a restart (a resumed run) at {@code step}: TensorBoard's SessionLog START, on which it
     * purges the events of earlier files from this step on, so steps logged after the checkpoint
     * by the interrupted process are not shown twice.
     */
    public void sessionStart(long step) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(bos);
        c.writeDouble(1, System.currentTimeMillis() / 1000.0);
        c.writeInt64(2, step);
        ByteArrayOutputStream sl = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(sl);
        s.writeEnum(1, 1); // SessionLog.status = START
        s.flush();
        c.writeByteArray(7, sl.toByteArray()); // Event.session_log
        c.flush();
        writeRecord(bos.toByteArray());
    }

    public Path file() {
        return file;
    }

    public void scalar(String tag, double value, long step) throws IOException {
        writeRecord(event(System.currentTimeMillis() / 1000.0, step, null, tag, (float) value));
    }

    public void flush() throws IOException {
        out.flush();
    }

    static byte[] event(double wallTime, long step, String fileVersion, String tag, float value) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(bos);
        c.writeDouble(1, wallTime);
        c.writeInt64(2, step);
        if (fileVersion != null) c.writeString(3, fileVersion);
        if (tag != null) {
            ByteArrayOutputStream vb = new ByteArrayOutputStream();
            CodedOutputStream v = CodedOutputStream.newInstance(vb);
            v.writeString(1, tag);
            v.writeFloat(2, value);
            v.flush();
            ByteArrayOutputStream sb = new ByteArrayOutputStream();
            CodedOutputStream s = CodedOutputStream.newInstance(sb);
            s.writeByteArray(1, vb.toByteArray());
            s.flush();
            c.writeByteArray(5, sb.toByteArray());
        }
        c.flush();
        return bos.toByteArray();
    }

    private void writeRecord(byte[] data) throws IOException {
        out.write(frame(data));
    }

    /** One TFRecord: uint64 length, masked crc of it, the data, masked crc of the data (little endian). */
    static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc(data, 0, data.length));
        return b.array();
    }

    /** TFRecord's masked CRC32C: rotate right by 15 and add 0xa282ead8. */
    static int maskedCrc(byte[] d, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(d, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
