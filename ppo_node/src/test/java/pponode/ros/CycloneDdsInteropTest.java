package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.TestDomains;
import pponode.TestSupport;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.OnnxPolicy;

/**
 * ROS 2 wire compatibility with an independent DDS: a C program built here from CycloneDDS
 * ({@code idlc} generates the ROS 2 message types from src/test/resources/cyclonedds/ros2_types.idl)
 * publishes JointState with the joints shuffled and one extra joint, and the target; the deploy
 * node's commands must reach it, lie within the joint limits and equal the ONNX policy's output
 * for that observation.
 */
class CycloneDdsInteropTest {
    @TempDir
    Path dir;

    @Test
    void independentDdsPeerDrivesTheDeployNode() throws Exception {
        Path robotPeer = CycloneDdsPeer.build(dir, "robot_peer");

        Path onnx = TestSupport.exportedPolicy("reacher_2dof", dir.resolve("policy.onnx"), "num_envs=2", "rollout_steps=128", "minibatch_size=128", "n_epochs=2",
                "total_timesteps=512", "seed=4");
        RobotTask task = EnvRegistry.task("reacher_2dof");
        RosParams p = new RosParams();
        p.domainId = TestDomains.claim();
        p.task = "reacher_2dof";
        p.standbyS = 0.1; // five periods: the peer's 30 commands end with the policy's
        // what the policy must answer: the same joint state and target, assembled by name
        JointStateAssembler a = new JointStateAssembler(task, new RosParams());
        a.update(List.of("joint2", "gripper_joint", "joint1"), new double[] {0.4, 0.0, -0.7}, new double[3], 1);
        float[] obs = new float[10];
        assertTrue(a.assemble(1, 1, new double[] {0.12, -0.08, 0.0}, new float[2], obs).ok());
        List<double[]> commands = new ArrayList<>();
        float[] expected;
        try (OnnxPolicy op = OnnxPolicy.load(onnx); DeployNode node = new DeployNode(p, op, task).start()) {
            expected = op.act(obs);
            Process peer = new ProcessBuilder(robotPeer.toString(), String.valueOf(p.domainId), "30",
                    p.resolve(p.commandTopic(task.commandInterface)), "joint2=0.4", "gripper_joint=0.0", "joint1=-0.7").redirectErrorStream(true).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(peer.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.startsWith("CMD ")) continue;
                    String[] f = line.substring(4).trim().split(" ");
                    double[] v = new double[f.length];
                    for (int i = 0; i < f.length; i++) v[i] = Double.parseDouble(f[i]);
                    commands.add(v);
                }
            }
            assertTrue(peer.waitFor(30, TimeUnit.SECONDS), "peer did not finish");
            assertEquals(0, peer.exitValue(), "the CycloneDDS peer did not receive 30 commands");
        }
        double[] last = commands.get(commands.size() - 1);
        System.out.printf("CycloneDDS peer received %d commands; last %s, policy says %s%n", commands.size(), Arrays.toString(last),
                Arrays.toString(expected));
        for (double[] cmd : commands) {
            assertEquals(2, cmd.length);
            assertTrue(cmd[0] >= -3.1 && cmd[0] <= 3.1 && cmd[1] >= -2.6 && cmd[1] <= 2.6, "command within the joint limits: " + Arrays.toString(cmd));
        }
        assertArrayEquals(new double[] {expected[0], expected[1]}, last, 1e-6, "the command is the policy's action for that joint state");
    }
}
