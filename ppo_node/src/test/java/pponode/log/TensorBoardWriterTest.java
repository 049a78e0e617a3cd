package pponode.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardWriterTest {
    @Test
    void crc32cAndMaskMatchTheTfRecordSpec() {
        CRC32C c = new CRC32C();
        c.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xE3069283L, c.getValue()); // the standard CRC-32C check value
        int crc = 0xE3069283;
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, TensorBoardWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
    }

    @Test
    void writtenEventsParseBackWithValidChecksums(@TempDir Path dir) throws Exception {
        Path file;
        try (TensorBoardWriter w = new TensorBoardWriter(dir)) {
            w.scalar("charts/mean_reward", 123.5, 4096);
            w.scalar("train/approx_kl", 0.0125, 8192);
            file = w.file();
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        while (b.hasRemaining()) {
            long len = b.getLong();
            byte[] lenBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(len).array();
            assertEquals(TensorBoardWriter.maskedCrc(lenBytes, 0, 8), b.getInt(), "length crc");
            byte[] data = new byte[(int) len];
            b.get(data);
            assertEquals(TensorBoardWriter.maskedCrc(data, 0, data.length), b.getInt(), "data crc");
            records.add(data);
        }
        assertEquals(3, records.size());
        assertEquals("brain.Event:2", field(records.get(0), 3));
        Object[] tv = scalar(records.get(1));
        assertEquals("charts/mean_reward", tv[0]);
        assertEquals(123.5f, (float) tv[1]);
        assertEquals(4096L, (long) tv[2]);
    }

    private static String field(byte[] event, int num) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(event);
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag >>> 3 == num) return in.readString();
            in.skipField(tag);
        }
        return null;
    }

    /** {tag, value, step} of a scalar Event. */
    private static Object[] scalar(byte[] event) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(event);
        Object[] out = new Object[3];
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (tag >>> 3) {
                case 2 -> out[2] = in.readInt64();
                case 5 -> {
                    CodedInputStream summary = CodedInputStream.newInstance(in.readByteArray());
                    summary.readTag();
                    CodedInputStream value = CodedInputStream.newInstance(summary.readByteArray());
                    int t;
                    while ((t = value.readTag()) != 0) {
                        if (t >>> 3 == 1) out[0] = value.readString();
                        else if (t >>> 3 == 2) out[1] = value.readFloat();
                        else value.skipField(t);
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return out;
    }
}
