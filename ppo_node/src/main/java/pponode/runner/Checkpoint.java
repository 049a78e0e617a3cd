package pponode.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
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
import pponode.ppo.PPOConfig;

/**
 * A checkpoint file: a zip of {@code meta.json} (config, counters, normalizers, RNG and env state)
 * and named float32 arrays (weights, optimizer moments). Written through {@link AtomicFile}, so a
 * crash never leaves a half-written checkpoint.
 */
public final class Checkpoint {
    public static final String FORMAT = "ppo_node.checkpoint.v1";
    private static final ObjectMapper JSON = new ObjectMapper();
    public final Map<String, Object> meta;
    public final Map<String, float[]> arrays;

    public Checkpoint(Map<String, Object> meta, Map<String, float[]> arrays) {
        this.meta = meta;
        this.arrays = arrays;
    }

    public void write(Path path) throws IOException {
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

    @SuppressWarnings("unchecked")
    public static Checkpoint read(Path path) throws IOException {
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
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException(path + " is not a ppo_node checkpoint (corrupt or truncated zip: " + e.getMessage() + ")", e);
        }
        if (meta == null || !FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + " is not a ppo_node checkpoint (no meta.json with format " + FORMAT + ")");
        }
        return new Checkpoint(meta, arrays);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        in.transferTo(bos);
        return bos.toByteArray();
    }

    /** The run's configuration saved in this checkpoint. */
    public PPOConfig config() throws IOException {
        return RunState.config(this);
    }

    public float[] array(String name) throws IOException {
        float[] a = arrays.get(name);
        if (a == null) throw new IOException("checkpoint has no array '" + name + "'");
        return a;
    }
}
