package pponode.cli;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Policy p = Policy.load(checkpoint, Device.cpu())) {
            OnnxExporter.write(p, Deployment.metadata(p.cfg.envId), out);
            System.err.printf("exported %s → %s (%s, %d observations → %d actions)%n", checkpoint, out, p.cfg.envId, p.net.obsDim, p.net.dist.envDim());
            if (json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("env", p.cfg.envId);
                j.put("onnx", out.toString());
                j.put("bytes", java.nio.file.Files.size(out));
                System.out.println(Json.line(j));
            }
        }
        return 0;
    }
}
