package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;

/**
 * Every task in urdf/tasks/ trains with nothing but its name: the learner settings come from the
 * task (continuous actions onto the command limits for a robot), not from flags. One rollout of the defaults each (2048 steps)
 * (--steps and --out only bound the run and keep it out of the working directory).
 */
class EveryTaskTrainsTest {
    @TempDir
    Path dir;

    @Test
    void everyShippedTaskTrainsOneRolloutWithOnlyItsName() throws Exception {
        List<String> tasks = TaskFiles.shippedNames();
        assertTrue(tasks.containsAll(List.of("arm_6dof_reach", "cartpole_balance", "pendulum_lift", "reacher_2dof")), tasks.toString());
        for (String task : tasks) {
            Cli.Result r = Cli.run("train", "--task", task, "--steps", "2048", "--out", dir.toString(), "--name", task, "--no-progress", "--json");
            assertEquals(0, r.code(), task + ": " + r.err());
            String json = r.lastLine();
            assertTrue(json.contains("\"env\":\"" + task + "\""), json);
            assertTrue(Files.exists(dir.resolve(task).resolve("policy.onnx")), task + ": exported");
            System.out.println(task + ": " + json);
        }
    }

    /** docs/ARCHITECTURE.md's worked example: a robot no Java code knows, from its URDF and task file alone. */
    @Test
    void theWorkedExampleRobotTrainsFromItsFiles() {
        String task = Path.of("../docs/examples/planar_3dof_reach.yaml").toString();
        Cli.Result r = Cli.run("train", "--task", task, "--steps", "2048", "--out", dir.toString(), "--name", "planar", "--no-progress", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.lastLine().contains("\"eval_final_distance\""), r.lastLine());
        assertTrue(Files.exists(dir.resolve("planar").resolve("policy.onnx")), "exported");
        System.out.println("planar_3dof_reach: " + r.lastLine());
    }
}
