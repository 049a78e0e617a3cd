package pponode.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.config.PPOConfig;
import pponode.config.Presets;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.runner.EvalResult;
import pponode.runner.Evaluator;
import pponode.runner.OnPolicyRunner;
import pponode.runner.Policy;

class OnnxDeploymentTest {
    @TempDir
    static Path dir;
    static Path onnx, ckpt;

    /** A briefly trained reacher policy, as checkpoint and ONNX file. */
    @BeforeAll
    static void train() throws IOException {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "reacher_2dof");
        c.apply(List.of("num_envs=4", "rollout_steps=128", "minibatch_size=128", "n_epochs=2", "total_timesteps=2048", "seed=8"));
        onnx = dir.resolve("reacher.onnx");
        ckpt = dir.resolve("reacher.ckpt");
        try (OnPolicyRunner r = new OnPolicyRunner(c, s -> EnvRegistry.make("reacher_2dof", s), null)) {
            r.learn(null);
            Policy p = r.policy();
            p.save(ckpt);
            OnnxExporter.write(p, Deployment.metadata("reacher_2dof"), onnx);
        }
    }

    static EvalResult evalOnnx(Path file, String taskId) throws IOException {
        try (OnnxPolicy p = OnnxPolicy.load(file)) {
            RobotTask t = EnvRegistry.task(taskId);
            Compatibility.Remap remap = Compatibility.check(p, t, Deployment.metadata(taskId));
            float[] po = new float[p.observationSize()], pa = new float[p.actionSize()];
            return Evaluator.run(s -> EnvRegistry.make(taskId, s), 10, 500, new Evaluator.Actor() {
                @Override
                public void reset() {
                    p.resetState();
                }

                @Override
                public float[] act(float[] obs) {
                    remap.observation(obs, po);
                    p.act(po, pa);
                    float[] out = new float[pa.length];
                    remap.action(pa, out);
                    return out;
                }
            });
        }
    }

    @Test
    void onnxAndCheckpointEvaluateToTheSameReturns() throws IOException {
        EvalResult fromOnnx = evalOnnx(onnx, "reacher_2dof");
        EvalResult fromCkpt;
        try (Policy p = Policy.load(ckpt, Device.cpu())) {
            fromCkpt = p.evaluate(s -> EnvRegistry.make("reacher_2dof", s), 10, 500);
        }
        for (int k = 0; k < 10; k++) assertEquals(fromCkpt.returns()[k], fromOnnx.returns()[k], 1e-3 * Math.abs(fromCkpt.returns()[k]) + 1e-4);
        System.out.printf("eval: checkpoint %.5f, onnx %.5f%n", fromCkpt.mean(), fromOnnx.mean());
    }

    @Test
    void metadataDescribesTheRobot() throws IOException {
        try (OnnxPolicy p = OnnxPolicy.load(onnx)) {
            var m = p.metadata();
            assertEquals(List.of("joint1", "joint2"), p.stringList("ppo_node.actuated_joints"));
            assertEquals(List.of("joint1", "joint2"), p.stringList("ppo_node.observed_joints"));
            assertEquals("position", m.get("ppo_node.command_interface"));
            assertEquals("50.0", m.get("ppo_node.control_rate_hz"));
            assertEquals("20", m.get("ppo_node.decimation"));
            assertEquals("tanh_affine", m.get("ppo_node.action_scaling"));
            assertEquals("baked", m.get("ppo_node.obs_normalization"));
            assertEquals(EnvRegistry.task("reacher_2dof").robot.sha256(), m.get("ppo_node.urdf_sha256"));
            assertTrue(m.get("ppo_node.joint_limits").contains("\"lower\":-3.1"), m.get("ppo_node.joint_limits"));
            assertTrue(m.get("ppo_node.observation_layout").contains("tip_to_target"));
        }
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertEquals(8, model.getIrVersion());
        assertEquals(17, model.getOpsetImport(0).getVersion());
    }

    @Test
    void exportImportExportGivesIdenticalInitializers() throws IOException {
        Path again = dir.resolve("again.onnx");
        try (Policy p = OnnxImporter.read(onnx, Device.cpu())) {
            OnnxExporter.write(p, Deployment.metadata("reacher_2dof"), again);
        }
        var a = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx)).getGraph().getInitializerList();
        var b = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(again)).getGraph().getInitializerList();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).getName(), b.get(i).getName());
            assertEquals(a.get(i).getRawData(), b.get(i).getRawData(), a.get(i).getName());
        }
    }

    @Test
    void fineTuningStartsFromTheOnnxWeights() throws IOException {
        PPOConfig c = new PPOConfig();
        Presets.apply(c, "reacher_2dof");
        c.apply(List.of("num_envs=4", "rollout_steps=128", "minibatch_size=128", "n_epochs=2", "total_timesteps=2048", "seed=99"));
        float[] obs = {0.3f, -0.9f, 0.95f, 0.1f, 0.5f, -0.2f, 0.1f, 0.12f, -0.05f, 0.02f};
        try (OnPolicyRunner r = new OnPolicyRunner(c, s -> EnvRegistry.make("reacher_2dof", s), null);
             Policy init = OnnxImporter.read(onnx, Device.cpu()); OnnxPolicy op = OnnxPolicy.load(onnx)) {
            r.initFrom(init);
            assertArrayEquals(op.act(obs), r.policy().predict(obs, true, null), 1e-5f);
        }
    }

    @Test
    void jointOrderIsRemappedByName() throws IOException {
        // the same robot and task, but the task lists its joints in the other order
        Files.copy(Path.of("../urdf/reacher_2dof.urdf"), dir.resolve("reacher_2dof.urdf"), StandardCopyOption.REPLACE_EXISTING);
        String yaml = Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("../reacher_2dof.urdf", "reacher_2dof.urdf")
                .replace("actuated_joints: [joint1, joint2]", "actuated_joints: [joint2, joint1]")
                .replace("observed_joints: [joint1, joint2]", "observed_joints: [joint2, joint1]")
                .replace("kp: [2.0, 2.0]", "kp: [2.0, 2.0]");
        Path swapped = dir.resolve("reacher_swapped.yaml");
        Files.writeString(swapped, yaml);
        EvalResult a = evalOnnx(onnx, "reacher_2dof"), b = evalOnnx(onnx, swapped.toString());
        for (int k = 0; k < 10; k++) assertEquals(a.returns()[k], b.returns()[k], 1e-3 * Math.abs(a.returns()[k]) + 1e-4);
    }

    @Test
    void mismatchesAreRefusedNamingTheDifference() throws IOException {
        try (OnnxPolicy p = OnnxPolicy.load(onnx)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Compatibility.check(p, EnvRegistry.task("cartpole_balance"), Deployment.metadata("cartpole_balance")));
            assertTrue(e.getMessage().contains("joint1"), e.getMessage());
            Files.copy(Path.of("../urdf/reacher_2dof.urdf"), dir.resolve("reacher_2dof.urdf"), StandardCopyOption.REPLACE_EXISTING);
            String yaml = Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("../reacher_2dof.urdf", "reacher_2dof.urdf");
            Path rate = dir.resolve("reacher_100hz.yaml");
            Files.writeString(rate, yaml.replace("control_rate_hz: 50", "control_rate_hz: 100"));
            e = assertThrows(IllegalArgumentException.class, () -> Compatibility.check(p, EnvRegistry.task(rate.toString()), Deployment.metadata(rate.toString())));
            assertTrue(e.getMessage().contains("control rate"), e.getMessage());
            Path urdf = dir.resolve("reacher_tight.urdf");
            Files.writeString(urdf, Files.readString(Path.of("../urdf/reacher_2dof.urdf")).replace("lower=\"-2.6\" upper=\"2.6\"", "lower=\"-2.0\" upper=\"2.0\""));
            Path limits = dir.resolve("reacher_tight.yaml");
            Files.writeString(limits, yaml.replace("reacher_2dof.urdf", "reacher_tight.urdf"));
            e = assertThrows(IllegalArgumentException.class, () -> Compatibility.check(p, EnvRegistry.task(limits.toString()), Deployment.metadata(limits.toString())));
            assertTrue(e.getMessage().contains("joint limits"), e.getMessage());
            var nan = assertThrows(IllegalArgumentException.class, () -> p.act(new float[] {0, 0, 0, 0, Float.NaN, 0, 0, 0, 0, 0}));
            assertTrue(nan.getMessage().contains("element 4"), nan.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.act(new float[3]));
        }
    }

    @Test
    void corruptForeignAndMisnamedFilesAreRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(onnx);
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 3));
        var e = assertThrows(IOException.class, () -> OnnxPolicy.load(truncated));
        assertTrue(e.getMessage().contains("truncated.onnx") && e.getMessage().contains("not a valid ONNX model"), e.getMessage());
        // a valid ONNX model whose input is called "x" instead of "obs"
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(bytes);
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setInput(0, g.getInput(0).toBuilder().setName("x"));
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto.Builder n = g.getNode(i).toBuilder();
            for (int k = 0; k < n.getInputCount(); k++) if (n.getInput(k).equals("obs")) n.setInput(k, "x");
            g.setNode(i, n);
        }
        Path renamed = dir.resolve("renamed.onnx");
        Files.write(renamed, m.toBuilder().setGraph(g).build().toByteArray());
        e = assertThrows(IOException.class, () -> OnnxPolicy.load(renamed));
        assertTrue(e.getMessage().contains("no input 'obs'"), e.getMessage());
        Path foreign = dir.resolve("foreign.onnx");
        Files.write(foreign, m.toBuilder().clearMetadataProps().build().toByteArray());
        e = assertThrows(IOException.class, () -> OnnxPolicy.load(foreign));
        assertTrue(e.getMessage().contains("not a ppo_node policy"), e.getMessage());
        e = assertThrows(IOException.class, () -> OnnxPolicy.load(dir.resolve("missing.onnx")));
        assertTrue(e.getMessage().contains("missing.onnx"));
    }
}
