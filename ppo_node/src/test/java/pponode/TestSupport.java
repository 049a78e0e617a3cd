package pponode;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxExporter;
import pponode.runner.Engines;
import pponode.runner.OnPolicyRunner;

/** Shared helpers for tests that touch the engine. */
public final class TestSupport {
    private TestSupport() {}

    /** Trains {@code task} from its preset with {@code overrides} and exports the policy to {@code onnx}. */
    public static Path exportedPolicy(String task, Path onnx, String... overrides) throws IOException {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, task);
        c.apply(List.of(overrides));
        try (OnPolicyRunner r = new OnPolicyRunner(c, s -> EnvRegistry.make(task, s), null)) {
            r.learn(null);
            OnnxExporter.write(r.policy(), Deployment.metadata(task), onnx);
        }
        return onnx;
    }

    public static NDManager cpuManager() {
        return NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName());
    }
}
