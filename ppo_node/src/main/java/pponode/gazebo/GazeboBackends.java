package pponode.gazebo;

import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import pponode.env.Backends;
import pponode.env.Env;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;

/**
 * {@code gazebo}: the task's robot in Gazebo worlds over Gazebo Transport, set up by
 * {@link GazeboSettings} ({@code --gazebo key=value}). A batch of N steps the worlds
 * {@code <world>_0 … <world>_{N-1}} (models {@code <model>_i}), as {@code gazebo-world --worlds N}
 * names them; one environment steps {@code <world>} itself.
 */
public final class GazeboBackends implements Backends.Provider {
    @Override
    public Map<String, Backends.Backend> backends() {
        return Map.of("gazebo", new Backends.Backend() {
            @Override
            public void check(List<String> settings) {
                new GazeboSettings().apply(settings);
            }

            @Override
            public LongFunction<Env> environments(RobotTask task, List<String> settings, Backends.Batch batch) {
                check(settings);
                return s -> {
                    GazeboSettings g = new GazeboSettings().apply(settings).forTask(task);
                    if (batch.count() > 1) {
                        String suffix = "_" + Math.floorMod(s - batch.firstSeed(), batch.count());
                        g.world += suffix;
                        g.model += suffix;
                    }
                    return RobotEnv.make(task, new GazeboBackend(task, g), s);
                };
            }

            @Override
            public boolean remote() {
                return true;
            }
        });
    }
}
