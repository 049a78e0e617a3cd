package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.Peers;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.gazebo.GazeboWorlds;
import pponode.sim.gazebo.GazeboOptions;

class CliTest {
    @Test
    void badConfigKeyExitsWithAnErrorNamingIt() {
        Cli.Result r = Cli.run("train", "--set", "lerning_rate=0.1", "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'lerning_rate'"), r.err());
    }

    @Test
    @SuppressWarnings("try")
    void trainSimGazeboTrainsEvaluatesAndExportsAgainstADartWorld(@TempDir Path dir) throws Exception {
        Peers.requireDartWorld();
        var o = GazeboOptions.fromEnvironment(Map.of()).withHostIp("127.0.0.1").withPartition("ppo_cli_" + Long.toHexString(System.nanoTime()));
        try (var world = GazeboWorlds.start(EnvRegistry.task("pendulum_lift"), 1, o)) { // world pendulum_lift, model pendulum: the defaults train looks for
            Cli.Result r = Cli.run("train", "--task", "pendulum_lift", "--sim", "gazebo", "--gazebo", "partition=" + o.partition(), "--gazebo", "ip=127.0.0.1",
                    "--steps", "2048", "--seed", "1", "--out", dir.toString(), "--no-progress", "--json");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("\"env\":\"pendulum_lift\"") && r.out().contains("\"eval_mean_return\""), r.out());
            assertTrue(Files.exists(dir.resolve("ppo_run/policy.onnx")), "policy.onnx exported");
        }
        Cli.Result bad = Cli.run("train", "--task", "pendulum_lift", "--sim", "gz", "--no-progress");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--sim 'gz': no such backend; known: embedded, gazebo, ros"), bad.err());
    }

    @Test
    void helpListsSubcommands() {
        assertEquals(0, Cli.run("--help").code());
        String usage = Main.commandLine().getUsageMessage();
        assertTrue(usage.contains("train") && usage.contains("eval") && usage.contains("bench"), usage);
        String train = Main.commandLine().getSubcommands().get("train").getUsageMessage().replaceAll("\\s+", " ");
        for (String task : TaskFiles.shippedNames()) assertTrue(train.contains(task), "train --help lists every shipped task, " + task + ": " + train);
        assertTrue(train.contains("quadruped_walk"), train);
    }

    @Test
    void everySubcommandsHelpRendersWithoutAFormatWarning() {
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            Cli.Result r = Cli.run(name, "--help");
            assertEquals(0, r.code(), name);
            // picocli formats descriptions with String.format: a bare '%' prints a WARN and the raw text
            assertTrue(!r.err().contains("WARN") && !r.out().contains("WARN"), name + ": " + r.err());
        }
    }

    @Test
    void trainWritesArtifactsAndEvalReadsThemBack(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("train", "--env", "CartPole-v1", "--steps", "2048", "--seed", "4", "--out", dir.toString(), "--name", "t",
                "--no-progress", "--json");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> j = new ObjectMapper().readValue(r.lastLine(), Map.class);
        assertEquals("CartPole-v1", j.get("env"));
        assertEquals(2048, ((Number) j.get("steps")).intValue());
        for (String k : new String[] {"sps", "eval_mean_return", "eval_std_return", "wall_s"}) assertTrue(j.containsKey(k), k);
        Path run = dir.resolve("t");
        for (String f : new String[] {"checkpoint_final.ckpt", "policy.ckpt", "learning_curve.png", "training_log.csv", "config.yaml"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        try (var tb = Files.list(run.resolve("tensorboard"))) {
            assertTrue(tb.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")));
        }
        Cli.Result e = Cli.run("eval", "--checkpoint", run.resolve("policy.ckpt").toString(), "--episodes", "3", "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("\"eval_mean_return\""), e.out());
        Cli.Result bad = Cli.run("eval", "--checkpoint", run.resolve("training_log.csv").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("training_log.csv"), bad.err());
        Cli.Result commanded = Cli.run("eval", "--checkpoint", run.resolve("policy.ckpt").toString(), "--command", "0.5,0,0");
        assertEquals(2, commanded.code());
        assertTrue(commanded.err().contains("--command applies to robot tasks with 'commands:'; 'CartPole-v1' is not a robot task"), commanded.err());
        Cli.Result twoNumbers = Cli.run("eval", "--checkpoint", run.resolve("policy.ckpt").toString(), "--command", "0.5,0");
        assertEquals(2, twoNumbers.code());
        assertTrue(twoNumbers.err().contains("--command takes v_x,v_y,yaw_rate (3 numbers), got 2"), twoNumbers.err());
    }

    /** eval reports falls and yaw-rate tracking for a legged policy, and refuses a command the task never trains on. */
    @Test
    @SuppressWarnings("unchecked")
    void evalReportsFallsAndYawTrackingAndRefusesUntrainedCommands() throws Exception {
        String policy = Path.of("../urdf/policies/quadruped_forward.onnx").toString();
        Cli.Result huge = Cli.run("eval", "--policy", policy, "--command", "1e9,0,0", "--episodes", "1", "--json");
        assertEquals(2, huge.code());
        assertTrue(huge.err().contains("lin_vel_x 1.0E9 is outside") && huge.err().contains("[0.0, 0.5]"), huge.err());
        Cli.Result turn = Cli.run("eval", "--policy", policy, "--command", "0,0,1", "--episodes", "1");
        assertEquals(2, turn.code(), "quadruped_forward never turns: a yaw command is refused, not scored as tracked");
        assertTrue(turn.err().contains("ang_vel_yaw 1.0 is outside"), turn.err());

        Cli.Result stand = Cli.run("eval", "--policy", policy, "--command", "0,0,0", "--episodes", "1", "--json");
        assertEquals(0, stand.code(), stand.err());
        Map<String, Object> j = new ObjectMapper().readValue(stand.lastLine(), Map.class);
        assertEquals(0, ((Number) j.get("falls")).intValue(), stand.out());
        for (String k : new String[] {"eval_mean_yaw_rate", "eval_mean_yaw_rate_error", "eval_mean_vx", "eval_mean_velocity_error"}) assertTrue(j.containsKey(k), k);
        assertTrue(((Number) j.get("eval_mean_yaw_rate_error")).doubleValue() < 0.2, stand.out());
        assertTrue(stand.err().contains("0 ended by a termination (fall)"), stand.err());
    }

    /** sim2sim judges an exported policy under the stated perturbation set and gates on its metrics. */
    @Test
    @SuppressWarnings("unchecked")
    void sim2simGatesAPolicyUnderThePerturbationSet() throws Exception {
        String policy = Path.of("../urdf/policies/reacher_2dof.onnx").toString();
        Cli.Result pass = Cli.run("sim2sim", "--policy", policy, "--episodes", "4", "--fail-if", "eval_final_distance>1", "--fail-if", "falls>0", "--json");
        assertEquals(0, pass.code(), pass.err());
        Map<String, Object> j = new ObjectMapper().readValue(pass.lastLine(), Map.class);
        assertEquals("perturbed", j.get("sim"));
        assertEquals(0, ((Number) j.get("gates_failed")).intValue());
        double delay = ((Number) j.get("eval_rand_action_delay_steps")).doubleValue(), mass = ((Number) j.get("eval_rand_mass_scale")).doubleValue();
        assertTrue(delay >= 20 && delay <= 40 && mass >= 0.8 && mass <= 1.2, "1-2 control periods of delay, mass ±20 %: " + pass.lastLine());
        assertTrue(pass.err().contains("sim2sim gate eval_final_distance > 1.0: passed"), pass.err());

        Cli.Result fail = Cli.run("sim2sim", "--policy", policy, "--episodes", "4", "--fail-if", "eval_final_distance<1", "--json");
        assertEquals(1, fail.code(), "a gate passed exits 1: " + fail.err());
        assertTrue(fail.err().contains("FAILED"), fail.err());
        Cli.Result unknown = Cli.run("sim2sim", "--policy", policy, "--episodes", "1", "--fail-if", "eval_mean_vx<0.4");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("no metric 'eval_mean_vx'") && unknown.err().contains("eval_final_distance"), unknown.err());
        Cli.Result malformed = Cli.run("sim2sim", "--policy", policy, "--fail-if", "falls=0");
        assertEquals(2, malformed.code());
        assertTrue(malformed.err().contains("METRIC<VALUE"), malformed.err());
    }
}
