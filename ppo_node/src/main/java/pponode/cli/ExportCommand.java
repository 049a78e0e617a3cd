package pponode.cli;

import ai.djl.Device;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.log.Json;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.runner.Policy;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a checkpoint or policy file as an ONNX model with its deployment metadata (docs/ONNX.md).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A training checkpoint or policy file.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "Where to write the .onnx file.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing --out file (never a checkpoint, never the input).")
    boolean overwrite;

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        checkOutput();
        try (Policy p = Policy.load(checkpoint, Device.cpu())) {
            OnnxExporter.write(p, Deployment.metadata(p.cfg.envId), out);
            System.err.printf("exported %s → %s (%s, %d observations → %d actions)%n", checkpoint, out, p.cfg.envId, p.net.obsDim, p.net.dist.envDim());
            if (json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("env", p.cfg.envId);
                j.put("onnx", out.toString());
                j.put("bytes", Files.size(out));
                System.out.println(Json.line(j));
            }
        }
        return 0;
    }

    /** The ONNX file must not replace the input, any checkpoint, or (unless asked) any existing file. */
    private void checkOutput() throws IOException {
        if (out.getFileName() != null && out.getFileName().toString().endsWith(".ckpt")) {
            throw new IOException("--out " + out + " names a checkpoint file (.ckpt); export writes ONNX: choose a .onnx path");
        }
        if (!Files.exists(out)) return;
        if (Files.exists(checkpoint) && Files.isSameFile(checkpoint, out)) {
            throw new IOException("--out " + out + " is the input checkpoint " + checkpoint + "; export never replaces its input: choose another path");
        }
        if (Files.isDirectory(out)) throw new IOException("--out " + out + " is a directory; give the .onnx file's path");
        if (looksLikeCheckpoint(out)) throw new IOException("--out " + out + " is a ppo_node checkpoint; export never overwrites a checkpoint with ONNX");
        if (!overwrite) throw new IOException("--out " + out + " exists; pass --overwrite to replace it");
    }

    /** A checkpoint is a zip (its first bytes are "PK"); an ONNX model is a protobuf and never starts so. */
    private static boolean looksLikeCheckpoint(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == 'P' && head[1] == 'K';
        }
    }
}
