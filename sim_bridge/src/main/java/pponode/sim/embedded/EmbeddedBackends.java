package pponode.sim.embedded;

import java.util.Map;
import java.util.function.Function;
import pponode.sim.BackendSpec;
import pponode.sim.RobotBackend;
import pponode.sim.RobotBackends;

/** Registers the embedded simulator as {@value RobotBackends#EMBEDDED} (listed in this jar's META-INF/services). */
public final class EmbeddedBackends implements RobotBackends.Provider {
    @Override
    public Map<String, Function<BackendSpec, RobotBackend>> backends() {
        return Map.of(RobotBackends.EMBEDDED, EmbeddedBackend::new);
    }
}
