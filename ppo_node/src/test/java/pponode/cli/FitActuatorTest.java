package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.ActuatorNetFile;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.sim.actuator.ActuatorModel;

/**
 * fit-actuator learns what ideal PD cannot: a motor that acts on the command of two samples ago.
 * The log is the deploy node's format; the net's held-out error must be well under ideal PD's, and
 * a task that names the net trains on it.
 */
class FitActuatorTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aNetFittedFromALogBeatsIdealPdOnHeldOutDataAndATaskRunsIt() throws Exception {
        double kp = 2.0, kd = 0.1, limit = 5, dt = 0.002; // reacher_2dof's gains; 2 ms between joint states (2 of its physics steps)
        Random r = new Random(3);
        StringBuilder csv = new StringBuilder("t_s,joint1_command,joint1_position,joint1_velocity,joint1_effort,joint2_command,joint2_position,joint2_velocity,joint2_effort\n");
        int rows = 12_000;
        double[][] cmd = new double[2][rows], q = new double[2][rows], qd = new double[2][rows];
        for (int j = 0; j < 2; j++) {
            double a = 0.5 + r.nextDouble(), w = 2 + 3 * r.nextDouble(), c = 0;
            for (int k = 0; k < rows; k++) {
                if (k % 10 == 0) c = 2 * r.nextDouble() - 1; // a new command every 20 ms, as a 50 Hz policy sends
                cmd[j][k] = c;
                q[j][k] = a * Math.sin(w * k * dt) + 0.1 * Math.sin(7.3 * w * k * dt);
                qd[j][k] = a * w * Math.cos(w * k * dt) + 0.73 * w * Math.cos(7.3 * w * k * dt);
            }
        }
        for (int k = 0; k < rows; k++) {
            csv.append(String.format(Locale.ROOT, "%.6f", k * dt));
            for (int j = 0; j < 2; j++) {
                double acting = cmd[j][Math.max(0, k - 2)]; // the motor acts on the command of two samples ago
                double tau = Math.max(-limit, Math.min(limit, kp * (acting - q[j][k]) - kd * qd[j][k]));
                csv.append(',').append(cmd[j][k]).append(',').append(q[j][k]).append(',').append(qd[j][k]).append(',').append(tau);
            }
            csv.append('\n');
        }
        Path log = dir.resolve("robot.csv"), net = dir.resolve("net.json");
        Files.writeString(log, csv);
        Cli.Result fit = Cli.run("fit-actuator", "--log", log.toString(), "--task", "reacher_2dof", "--out", net.toString(), "--history", "4", "--epochs", "15",
                "--json");
        assertEquals(0, fit.code(), fit.err());
        Map<String, Object> j = new ObjectMapper().readValue(fit.lastLine(), Map.class);
        double netError = ((Number) j.get("held_out_rmse")).doubleValue(), pdError = ((Number) j.get("ideal_pd_held_out_rmse")).doubleValue();
        System.out.printf("fit-actuator on a 2-sample command delay: held-out %.4f N·m (R² %s), ideal PD %.4f N·m%n", netError, j.get("held_out_r2"), pdError);
        assertTrue(netError < 0.5 * pdError, "the net learns the delay ideal PD does not know: " + fit.lastLine());
        assertTrue(((Number) j.get("held_out_r2")).doubleValue() > 0.9, fit.lastLine());
        assertEquals(0.002, ActuatorNetFile.read(net).spacingSeconds(), 1e-12);

        Cli.Result again = Cli.run("fit-actuator", "--log", log.toString(), "--task", "reacher_2dof", "--out", net.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("the file exists; a net is never overwritten"), again.err());

        // a task names the net for its joints; its simulator runs it (2 physics steps between the net's samples)
        String task = Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml")).replace("robot: ../reacher_2dof.urdf", "robot: "
                + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath()) + "\nactuators:\n  - joints: [joint1, joint2]\n    model: network\n    file: net.json\n";
        Path taskFile = dir.resolve("reacher_net.yaml");
        Files.writeString(taskFile, task);
        RobotTask t = TaskFiles.load(taskFile);
        assertTrue(t.actuators.get(0) instanceof ActuatorModel.Network n && n.spacingSteps() == 2, String.valueOf(t.actuators));
        try (RobotEnv env = new RobotEnv(t, 1)) {
            env.reset(1L);
            for (int k = 0; k < 20; k++) env.step(new float[] {0.5f, -0.5f});
            double[] pos = new double[2];
            env.backend().positions(pos);
            assertTrue(Double.isFinite(pos[0]) && Double.isFinite(pos[1]) && Math.abs(pos[0]) > 1e-3, "the arm moves under the net's efforts: " + pos[0]);
        }
    }
}
