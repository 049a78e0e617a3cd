package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestSupport;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.env.Space;
import pponode.onnx.Compatibility;
import pponode.onnx.Deployment;
import pponode.onnx.OnnxPolicy;

/**
 * Observation history is laid out the same in training and on the robot: the training
 * environment and the deploy node's assembler, fed one joint-state sequence, give identical
 * observation vectors, in both orders; a policy whose history the node cannot reproduce is refused.
 */
class ObservationHistoryParityTest {
    static final long MS = 1_000_000L;
    @TempDir
    Path dir;

    /** quadruped_forward (a fixed 0.5 m/s command) with {@code history} appended to its file. */
    private RobotTask quadrupedWith(String history, String name) throws Exception {
        String yaml = Files.readString(Path.of("../urdf/tasks/quadruped_forward.yaml"))
                .replace("robot: ../quadruped.urdf", "robot: " + Path.of("../urdf/quadruped.urdf").toAbsolutePath())
                .replace("standing: 0.2", "standing: 0.0");
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml + "\n" + history + "\n");
        return TaskFiles.load(file);
    }

    private void parity(RobotTask task, int expectedSize) throws Exception {
        assertEquals(expectedSize, task.observationSpace().flatDim());
        Random random = new Random(5);
        try (RobotEnv env = new RobotEnv(task, 7)) {
            env.evaluation(true); // no noise: the deploy node observes the clean signal
            float[] expected = env.reset(7L);
            JointStateAssembler a = new JointStateAssembler(task, new RosParams());
            Space.Box act = task.actionSpace();
            float[] lastAction = new float[12], action = new float[12], out = new float[expected.length];
            long t = 1_000 * MS;
            for (int k = 0; k <= 25; k++) {
                if (k > 0) {
                    for (int i = 0; i < 12; i++) action[i] = (float) (task.defaultJointPos[i] + 0.3 * random.nextGaussian());
                    expected = env.step(action).obs();
                    double[] sent = env.lastCommand();
                    for (int i = 0; i < 12; i++) lastAction[i] = act.normalized(i, sent[i]);
                }
                t += 20 * MS;
                DriverReadings.of(env).feed(env, a, t); // what the robot's drivers publish for this state, by name
                a.updateCommand(0.5, 0, 0, t);
                JointStateAssembler.Health h = a.assemble(t + MS, 60 * MS, null, lastAction, out);
                assertTrue(h.ok(), h.reason());
                assertArrayEquals(expected, out, 1e-5f, "period " + k + ": the deploy node's observation, history included, is the environment's");
            }
        }
    }

    @Test
    void termMajorHistoryIsTheSameInTrainingAndOnTheRobot() throws Exception {
        // frame: 3 + 3 + 3 + 3 + 12 + 12 + 12 = 48; joint_vel ×3 and last_action ×2 add 24 + 12
        parity(quadrupedWith("history:\n  terms: {joint_vel: 3, last_action: 2}", "term_major"), 48 + 24 + 12);
    }

    @Test
    void timeMajorHistoryIsTheSameInTrainingAndOnTheRobot() throws Exception {
        parity(quadrupedWith("history:\n  length: 3\n  order: time_major", "time_major"), 3 * 48);
    }

    @Test
    void aPolicyWhoseHistoryTheTaskDoesNotKeepIsRefusedNamingBoth() throws Exception {
        RobotTask withHistory = quadrupedWith("history:\n  length: 2", "with_history");
        Path task = dir.resolve("with_history.yaml");
        Path onnx = TestSupport.exportedPolicy(task.toString(), dir.resolve("p.onnx"), "num_envs=2", "rollout_steps=16", "minibatch_size=32", "n_epochs=1",
                "total_timesteps=32", "seed=1");
        try (OnnxPolicy p = OnnxPolicy.load(onnx)) {
            assertEquals(2 * 48, p.observationSize());
            assertTrue(p.metadata().get("ppo_node.observation_layout").contains("\"history\":2"), p.metadata().get("ppo_node.observation_layout"));
            Compatibility.check(p, withHistory, Deployment.metadata(task.toString())); // its own task: accepted
            RobotTask without = TaskFiles.load(Path.of("../urdf/tasks/quadruped_forward.yaml"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Compatibility.check(p, without, Deployment.metadata("quadruped_forward")));
            assertTrue(e.getMessage().contains("observation layout differ: policy [") && e.getMessage().contains("\"history\":2") && e.getMessage().contains(", robot ["),
                    e.getMessage());
            RobotTask timeMajor = quadrupedWith("history:\n  length: 2\n  order: time_major", "time_major_2");
            e = assertThrows(IllegalArgumentException.class, () -> Compatibility.check(p, timeMajor, Deployment.metadata(dir.resolve("time_major_2.yaml").toString())));
            assertTrue(e.getMessage().contains("observation history order differs: policy term_major, robot time_major"), e.getMessage());
        }
    }
}
