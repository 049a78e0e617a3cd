package pponode.runner;

import ai.djl.Device;
import ai.djl.engine.Engine;
import pponode.config.PPOConfig;

/** Starts DJL's PyTorch engine offline, with its natives from the jar, and picks the device. */
public final class Engines {
    private Engines() {}

    /** Defaults that must be set before the engine loads; explicit -D flags win. */
    public static Engine pytorch() {
        setDefault("ai.djl.offline", "true");
        // The networks are small: one intra-op thread is fastest and keeps results bit-reproducible.
        setDefault("ai.djl.pytorch.num_threads", "1");
        setDefault("ai.djl.pytorch.num_interop_threads", "1");
        setDefault("ai.djl.pytorch.graph_optimizer", "false");
        return Engine.getEngine("PyTorch");
    }

    private static void setDefault(String k, String v) {
        if (System.getProperty(k) == null) System.setProperty(k, v);
    }

    /** auto → first GPU when DJL sees one (CUDA natives on the classpath), else CPU. */
    public static Device device(String spec) {
        Engine e = pytorch();
        int gpus = e.getGpuCount();
        if (spec.equals("auto")) return gpus > 0 ? Device.gpu(0) : Device.cpu();
        if (spec.equals("cpu")) return Device.cpu();
        int idx = spec.contains(":") ? Integer.parseInt(spec.substring(spec.indexOf(':') + 1)) : 0;
        if (idx >= gpus) {
            throw new PPOConfig.ConfigException("'device' is " + spec + " but DJL sees " + gpus
                    + " CUDA device(s); on a GPU machine put ai.djl.pytorch:pytorch-native-cu* on the classpath (see docs/TRAINING.md, 'GPU')");
        }
        return Device.gpu(idx);
    }
}
