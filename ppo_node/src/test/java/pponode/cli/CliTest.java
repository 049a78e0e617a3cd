package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    private static String[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter pout = new PrintWriter(out, true), perr = new PrintWriter(err, true);
        cl.setOut(pout);
        cl.setErr(perr);
        java.io.PrintStream oldOut = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true));
        int code;
        try {
            code = cl.execute(args);
        } finally {
            System.setOut(oldOut);
            pout.flush();
            perr.flush();
        }
        return new String[] {String.valueOf(code), out + captured.toString(), err.toString()};
    }

    @Test
    void badConfigKeyExitsWithAnErrorNamingIt() {
        String[] r = run("train", "--set", "lerning_rate=0.1", "--no-progress");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("'lerning_rate'"), r[2]);
    }

    @Test
    @SuppressWarnings("try")
    void trainSimGazeboTrainsEvaluatesAndExportsAgainstTheCppWorld(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        pponode.Peers.require(pponode.sim.gazebo.PendulumWorldFixture.unavailableReason() == null,
                "the Gazebo pendulum world (" + pponode.sim.gazebo.PendulumWorldFixture.unavailableReason() + ")",
                "apt-get install g++ pkg-config libignition-transport-dev libignition-msgs-dev");
        var o = pponode.sim.gazebo.GazeboOptions.fromEnvironment(java.util.Map.of()).withHostIp("127.0.0.1").withPartition("ppo_cli_" + Long.toHexString(System.nanoTime()));
        try (var world = pponode.sim.gazebo.PendulumWorldFixture.start(o)) {
            String[] r = run("train", "--task", "pendulum_lift", "--sim", "gazebo", "--gazebo", "partition=" + o.partition(), "--gazebo", "ip=127.0.0.1",
                    "--steps", "2048", "--seed", "1", "--out", dir.toString(), "--no-progress", "--json");
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("\"env\":\"pendulum_lift\"") && r[1].contains("\"eval_mean_return\""), r[1]);
            assertTrue(java.nio.file.Files.exists(dir.resolve("ppo_run/policy.onnx")), "policy.onnx exported");
        }
        String[] bad = run("train", "--task", "pendulum_lift", "--sim", "gz", "--no-progress");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("--sim must be 'embedded' or 'gazebo'"), bad[2]);
    }

    @Test
    void helpListsSubcommands() {
        assertEquals("0", run("--help")[0]);
        String usage = Main.commandLine().getUsageMessage();
        assertTrue(usage.contains("train") && usage.contains("eval") && usage.contains("bench"), usage);
    }

    @Test
    void trainWritesArtifactsAndEvalReadsThemBack(@TempDir Path dir) throws Exception {
        String[] r = run("train", "--env", "CartPole-v1", "--steps", "2048", "--seed", "4", "--out", dir.toString(), "--name", "t",
                "--no-progress", "--json");
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].trim().split("\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> j = new ObjectMapper().readValue(lines[lines.length - 1], Map.class);
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
        String[] e = run("eval", "--checkpoint", run.resolve("policy.ckpt").toString(), "--episodes", "3", "--json");
        assertEquals("0", e[0], e[2]);
        assertTrue(e[1].contains("\"eval_mean_return\""), e[1]);
        String[] bad = run("eval", "--checkpoint", run.resolve("training_log.csv").toString());
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("training_log.csv"), bad[2]);
    }
}
