package pponode.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;

/** bench times training on the task as it trains: a randomized task too (its timer forwards randomization and pushes to the simulator). */
@Tag("slow") // trains the quadruped for seconds, twice: left out of -Pquick
class SimBenchTest {
    @Test
    void aRandomizedTaskIsTimedAsItTrains() throws Exception {
        RobotTask task = EnvRegistry.task("quadruped_forward");
        assertTrue(task.randomization != null, "the shipped quadruped task randomizes its robot");
        Map<String, Object> j = SimBench.training("quadruped_forward", task, 12_288);
        System.out.println(j);
        double shares = 0;
        for (String k : new String[] {"share_physics", "share_env_rest", "share_inference", "share_update"}) shares += ((Number) j.get(k)).doubleValue();
        assertTrue(((Number) j.get("train_sps_one_core")).doubleValue() > 0 && ((Number) j.get("train_sps_all_cores")).doubleValue() > 0, j.toString());
        assertTrue(((Number) j.get("share_physics")).doubleValue() > 0, "the physics was timed: " + j);
        assertEquals(1.0, shares, 0.2, "the shares are of the wall time: " + j);
    }
}
