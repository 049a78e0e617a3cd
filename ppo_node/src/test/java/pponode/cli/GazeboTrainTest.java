package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.Peers;
import pponode.env.EnvRegistry;
import pponode.gazebo.GazeboWorlds;
import pponode.sim.gazebo.GazeboOptions;

/**
 * train --sim gazebo with num_envs 2 against two DART worlds as gazebo-world starts them: the two
 * worlds stepped concurrently (the default) give exactly the training that stepping them one after
 * the other gives, and a rerun repeats it; eval --sim gazebo judges the exported policy there.
 */
@Tag("slow") // builds and drives external C++ worlds
class GazeboTrainTest {
    @Test
    @SuppressWarnings("try")
    void twoWorldsSteppedConcurrentlyTrainExactlyAsOneAfterAnother(@TempDir Path dir) throws Exception {
        Peers.requireDartWorld();
        GazeboOptions o = GazeboOptions.fromEnvironment(Map.of()).withHostIp("127.0.0.1").withPartition("ppo_train2_" + Long.toHexString(System.nanoTime()));
        List<String> episodes = new ArrayList<>();
        try (GazeboWorlds worlds = GazeboWorlds.start(EnvRegistry.task("reacher_2dof"), 2, o)) {
            assertEquals(List.of("reacher_2dof_0", "reacher_2dof_1"), worlds.names());
            for (String run : List.of("concurrent", "one_after_another", "concurrent_again")) {
                List<String> args = new ArrayList<>(List.of("train", "--task", "reacher_2dof", "--sim", "gazebo", "--gazebo", "partition=" + o.partition(), "--gazebo",
                        "ip=127.0.0.1", "--set", "num_envs=2", "--steps", "1024", "--seed", "3", "--out", dir.toString(), "--name", run, "--no-progress", "--json"));
                if (run.equals("one_after_another")) args.addAll(List.of("--set", "vec_env=sync"));
                Cli.Result r = Cli.run(args.toArray(String[]::new));
                assertEquals(0, r.code(), r.err());
                assertTrue(r.out().contains("\"eval_final_distance\""), r.out());
                episodes.add(Files.readString(dir.resolve(run).resolve("episodes.csv")));
            }
            // the exported policy judged in one of the worlds, as eval judges it in the embedded simulator
            Cli.Result eval = Cli.run("eval", "--sim", "gazebo", "--gazebo", "partition=" + o.partition(), "--gazebo", "ip=127.0.0.1", "--gazebo", "world=reacher_2dof_1",
                    "--gazebo", "model=reacher_2dof_1", "--policy", dir.resolve("concurrent/policy.onnx").toString(), "--episodes", "2", "--json");
            assertEquals(0, eval.code(), eval.err());
            assertTrue(eval.out().contains("\"episodes\":2") && eval.out().contains("\"eval_final_distance\""), eval.out());
            // and gated there before it goes to a robot: 1 024 steps leave the fingertip far from its goal
            Cli.Result gate = Cli.run("sim2sim", "--sim", "gazebo", "--gazebo", "partition=" + o.partition(), "--gazebo", "ip=127.0.0.1", "--gazebo",
                    "world=reacher_2dof_0", "--gazebo", "model=reacher_2dof_0", "--policy", dir.resolve("concurrent/policy.onnx").toString(), "--episodes", "2",
                    "--fail-if", "eval_final_distance>0.02", "--json");
            assertEquals(1, gate.code(), gate.err());
            assertTrue(gate.out().contains("\"sim\":\"gazebo\"") && gate.out().contains("\"gates_failed\":1"), gate.out());
            assertTrue(gate.err().contains("sim2sim gate eval_final_distance > 0.02: FAILED"), gate.err());
        }
        assertTrue(episodes.get(0).lines().count() > 8, episodes.get(0)); // 1,024 steps: five episodes of 100 steps in each world
        assertEquals(episodes.get(1), episodes.get(0), "concurrent and one-after-another stepping trained differently");
        assertEquals(episodes.get(0), episodes.get(2), "a rerun trained differently");
    }
}
