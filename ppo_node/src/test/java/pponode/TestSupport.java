package pponode;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import pponode.runner.Engines;

/** Shared helpers for tests that touch the engine. */
public final class TestSupport {
    private TestSupport() {}

    public static NDManager cpuManager() {
        return NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName());
    }
}
