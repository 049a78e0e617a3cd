package pponode.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;

/**
 * A seed fixes a run, whatever the garbage collector does. DJL turns {@code x.mul(0.5f)} into a
 * product with a tensor over a direct buffer that it closes at once; PyTorch's backward keeps that
 * tensor, so a collection between forward and backward left the gradient reading freed memory
 * (pponode.modules.Scalars). The learning tests then passed or failed with the heap's state.
 */
@Tag("slow") // trains for minutes or drives external peers: left out of -Pquick
class GcIndependenceTest {
    static List<Double> run(boolean collectAllTheTime) throws Exception {
        Thread gc = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gc-every-10ms");
        gc.setDaemon(true);
        if (collectAllTheTime) gc.start();
        try {
            PPOConfig cfg = new PPOConfig();
            Presets.apply(cfg, "Pendulum-v1");
            cfg.apply(List.of("seed=1", "total_timesteps=16384"));
            List<Double> trace = new ArrayList<>();
            try (OnPolicyRunner r = new OnPolicyRunner(cfg, s -> EnvRegistry.make("Pendulum-v1", s), null)) {
                r.runUpdates(8, (u, total, step, stats) -> {
                    trace.add(stats.get("charts/mean_reward"));
                    trace.add(stats.get("train/critic_loss"));
                    trace.add(stats.get("train/approx_kl"));
                });
            }
            return trace;
        } finally {
            gc.interrupt();
            gc.join();
        }
    }

    @Test
    void collectionsDuringUpdatesDoNotChangeTheRun() throws Exception {
        assertEquals(run(false), run(true));
    }
}
