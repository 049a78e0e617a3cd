package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure a user can cause ends with one line naming the file, key or address, exit code 2,
 * and no stack trace: each case is run through the CLI entry point.
 */
class ErrorTableTest {
    /** Asserts exit code 2, one "error:" line naming {@code named}, and no exception or stack frame anywhere on stderr. */
    private static void refused(Cli.Result r, String... named) {
        assertEquals(2, r.code(), r.err());
        String[] errorLines = r.err().lines().filter(l -> l.startsWith("error: ")).toArray(String[]::new);
        assertEquals(1, errorLines.length, "one error line: " + r.err());
        for (String n : named) assertTrue(errorLines[0].contains(n), "names " + n + ": " + errorLines[0]);
        assertFalse(r.err().contains("Exception"), "no exception: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    private static Cli.Result train(Path out, String... args) {
        String[] a = new String[args.length + 4];
        a[0] = "train";
        System.arraycopy(args, 0, a, 1, args.length);
        a[args.length + 1] = "--out";
        a[args.length + 2] = out.toString();
        a[args.length + 3] = "--no-progress";
        return Cli.run(a);
    }

    @Test
    void configurationAndNamingErrors(@TempDir Path dir) throws Exception {
        refused(train(dir, "--env", "CartPole-v1", "--set", "hidden_sizes=100000,100000"), "'hidden_sizes'", "4096");
        Cli.Result zero = train(dir, "--env", "CartPole-v1", "--set", "hidden_sizes=0");
        refused(zero, "'hidden_sizes'", "got 0");
        assertFalse(zero.err().contains("integer"), zero.err());
        refused(train(dir, "--env", "CartPole-v1", "--config", dir.resolve("missing.yaml").toString()), "config file not found: " + dir.resolve("missing.yaml"));
        refused(train(dir, "--env", "NoSuchEnv"), "'NoSuchEnv'", "CartPole-v1", "Pendulum-v1", "reacher_2dof", "cartpole_balance", "arm_6dof_reach", "pendulum_lift");
        Files.writeString(dir.resolve("taken"), "a file, not a run");
        refused(train(dir, "--env", "CartPole-v1", "--name", "taken"), dir.resolve("taken").toString(), "not a directory");
        refused(Cli.run("train", "--env", "CartPole-v1", "--out", "/", "--no-progress"), "--out /");
        refused(train(dir, "--env", "CartPole-v1", "--name", ""), "--name");
        refused(train(dir, "--env", "CartPole-v1", "--name", "../.."), "'../..'");
        assertFalse(Files.exists(dir.resolve("ppo_run")), "nothing was written for a refused run");
    }

    @Test
    void underJsonARefusalEndsWithAJsonErrorLine(@TempDir Path dir) {
        Cli.Result bad = train(dir, "--env", "NoSuchEnv", "--json");
        refused(bad, "'NoSuchEnv'");
        assertTrue(bad.lastLine().startsWith("{\"error\":\"unknown environment or task 'NoSuchEnv'"), bad.out());
        Cli.Result badOption = Cli.run("eval", "--episodes", "many", "--json");
        assertEquals(2, badOption.code());
        assertTrue(badOption.lastLine().startsWith("{\"error\":") && badOption.lastLine().contains("many"), badOption.out());
        assertFalse(train(dir, "--env", "NoSuchEnv").out().contains("{"), "without --json, stdout stays empty");
    }

    @Test
    void taskAndRobotFileErrors(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("big.yaml");
        byte[] noise = new byte[10 << 20];
        new Random(1).nextBytes(noise);
        Files.write(binary, noise);
        refused(train(dir, "--task", binary.toString()), binary.toString());
        Path small = dir.resolve("small.yaml");
        Files.write(small, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        refused(train(dir, "--task", small.toString()), small.toString(), "not UTF-8");

        Path repo = Path.of(System.getProperty("user.dir")).getParent();
        String task = Files.readString(repo.resolve("urdf/tasks/reacher_2dof.yaml"));
        Path robotDir = dir.resolve("robots");
        Files.createDirectories(robotDir);
        Path dirTask = dir.resolve("dir_robot.yaml");
        Files.writeString(dirTask, task.replace("robot: ../reacher_2dof.urdf", "robot: robots"));
        refused(train(dir, "--task", dirTask.toString()), dirTask.toString(), "'robot'", "directory");

        String urdf = Files.readString(repo.resolve("urdf/reacher_2dof.urdf"));
        String flat = urdf.replace("<inertia ixx=\"2e-6\" ixy=\"0\" ixz=\"0\" iyy=\"1.01e-4\" iyz=\"0\" izz=\"1.01e-4\"/>",
                "<inertia ixx=\"0\" ixy=\"0\" ixz=\"0\" iyy=\"0\" iyz=\"0\" izz=\"0\"/>");
        assertFalse(flat.equals(urdf), "the test edits link2's inertia");
        Files.writeString(dir.resolve("flat.urdf"), flat);
        Path flatTask = dir.resolve("flat.yaml");
        Files.writeString(flatTask, task.replace("robot: ../reacher_2dof.urdf", "robot: flat.urdf"));
        refused(train(dir, "--task", flatTask.toString()), "flat.urdf", "link 'link2'", "inertia");
    }

    @Test
    void diskFullWhileWritingTheMetricsLog(@TempDir Path dir) throws Exception {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.exists(full), "/dev/full (Linux) simulates a full disk");
        assertEquals(0, train(dir, "--env", "CartPole-v1", "--steps", "1024", "--name", "r", "--set", "save_interval=1").code());
        Path csv = dir.resolve("r/training_log.csv");
        Files.delete(csv);
        Files.createSymbolicLink(csv, full); // every write to the log now fails with ENOSPC
        refused(Cli.run("train", "--resume", dir.resolve("r/checkpoint_final.ckpt").toString(), "--steps", "2048", "--no-progress"), csv.toString(),
                "No space left on device");
    }

    @Test
    void aBrokerAddressThatIsNoMqttAddress(@TempDir Path dir) throws Exception {
        assertEquals(0, train(dir, "--task", "reacher_2dof", "--steps", "2048", "--name", "p").code());
        Path policy = dir.resolve("p/policy.onnx");
        // (a broker that is down is retried: MqttBrokerFaultsTest)
        refused(Cli.run("finetune", "--policy", policy.toString(), "--operator", "remote", "--teleop", "broker=localhost:1883", "--out", dir.toString(),
                "--steps", "2048"), "localhost:1883", "teleop.broker");
    }
}
