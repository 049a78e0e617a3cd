package pponode.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import pponode.log.AtomicFile;
import pponode.state.StateDict;

/**
 * A checkpoint file: the {@link StateDict} every component of a run saved itself into, as a zip of
 * {@code meta.json} (its values: config, counters, normalizers, RNG and env state) and one float32
 * entry per array (weights, optimizer moments). Written through {@link AtomicFile}, so a crash
 * never leaves a half-written checkpoint.
 */
public final class Checkpoint {
    public static final String FORMAT = "ppo_node.checkpoint.v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    public static void write(StateDict state, Path path) throws IOException {
        Map<String, Object> meta = state.values();
        Map<String, float[]> arrays = state.arrays();
        AtomicFile.write(path, os -> {
            try (ZipOutputStream zip = new ZipOutputStream(os)) {
                zip.putNextEntry(new ZipEntry("meta.json"));
                zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
                zip.closeEntry();
                for (Map.Entry<String, float[]> e : arrays.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey() + ".f32"));
                    ByteBuffer b = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(e.getValue());
                    zip.write(b.array());
                    zip.closeEntry();
                }
            }
        });
    }

    /** The state saved in {@code path}; anything that is not a ppo_node checkpoint is an error naming the file. */
    @SuppressWarnings("unchecked")
    public static StateDict read(Path path) throws IOException {
        Map<String, Object> meta = null;
        Map<String, float[]> arrays = new LinkedHashMap<>();
        try (InputStream is = Files.newInputStream(path); ZipInputStream zip = new ZipInputStream(is)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                byte[] data = readAll(zip);
                if (e.getName().equals("meta.json")) {
                    meta = JSON.readValue(data, LinkedHashMap.class);
                } else if (e.getName().endsWith(".f32")) {
                    if (data.length % 4 != 0) throw new IOException(path + ": entry " + e.getName() + " is truncated (" + data.length + " bytes)");
                    float[] f = new float[data.length / 4];
                    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                    arrays.put(e.getName().substring(0, e.getName().length() - 4), f);
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint not found: " + path, e);
        } catch (ZipException | EOFException e) {
            throw new IOException(path + " is not a ppo_node checkpoint (corrupt or truncated zip: " + e.getMessage() + ")", e);
        }
        if (meta == null || !FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + " is not a ppo_node checkpoint (no meta.json with format " + FORMAT + ")");
        }
        return new StateDict(meta, arrays, path.toString());
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        in.transferTo(bos);
        return bos.toByteArray();
    }
}
