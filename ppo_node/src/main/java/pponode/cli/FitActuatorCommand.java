package pponode.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pponode.log.Json;
import pponode.actuator.ActuatorFit;
import pponode.actuator.ActuatorLog;
import pponode.env.ActuatorNetFile;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;

@Command(name = "fit-actuator", mixinStandardHelpOptions = true,
        description = {"Fit an actuator network (Hwangbo et al. 2019) to a log that deploy --record wrote on the robot: an MLP from a joint's recent position "
                + "errors and velocities to the effort it applied. Reports its error on the log's held-out tail beside ideal PD's; a task uses the file as "
                + "actuators: [{joints: [...], model: network, file: <net>.json}]."})
final class FitActuatorCommand implements Callable<Integer> {
    @Option(names = "--log", required = true, description = "The CSV deploy --record (or sim2sim --sim mujoco --record) wrote.")
    Path log;

    @Option(names = {"--task", "--env"}, required = true, description = "The task the net is for: its physics step (the net's samples must be whole steps apart) and its PD gains (the baseline).")
    String task;

    @Option(names = "--joints", split = ",", description = "The joints whose samples fit one net (default: every joint in the log).")
    List<String> joints = new ArrayList<>();

    @Option(names = "--out", required = true, description = "The actuator net file to write (a new file).")
    Path out;

    @Option(names = "--history", defaultValue = "4", description = "Samples of error and velocity per input (default: ${DEFAULT-VALUE}).")
    int history;

    @Option(names = "--hidden", split = ",", defaultValue = "32,32", description = "Hidden layer sizes, softsign (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--epochs", defaultValue = "40", description = "Passes over the training samples (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--held-out", defaultValue = "0.2", description = "The share of the log, its tail, held out to measure the net (default: ${DEFAULT-VALUE}).")
    double heldOut;

    @Option(names = "--seed", defaultValue = "1", description = "Initial weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print a one-line JSON summary last.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(log)) throw new IllegalArgumentException("--log " + log + ": no such file");
        if (Files.exists(out)) throw new IllegalArgumentException("--out " + out + ": the file exists; a net is never overwritten, name another");
        if (history < 1 || history > 50) throw new IllegalArgumentException("--history must be in 1..50, got " + history);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (!(heldOut > 0 && heldOut < 0.9)) throw new IllegalArgumentException("--held-out must be in (0, 0.9), got " + heldOut);
        RobotTask t = EnvRegistry.task(task);
        if (t == null) throw new IllegalArgumentException("--task '" + task + "' is not a robot task");
        long t0 = System.nanoTime();
        ActuatorLog.Split data = ActuatorLog.read(log, joints, history, heldOut);
        double steps = data.medianSpacing() / t.physicsDt;
        long k = Math.max(1, Math.round(steps));
        if (Math.abs(steps - k) > 0.25) {
            throw new IllegalArgumentException("--log " + log + ": its joint states are " + data.medianSpacing() + " s apart, not a whole number of " + t.name
                    + "'s physics steps (" + t.physicsDt + " s): the net could not run in its simulator");
        }
        ActuatorFit.Pd pd = null;
        if (t.kp != null) {
            int n = data.joints().size();
            double[] kp = new double[n], kd = new double[n], limit = new double[n];
            for (int j = 0; j < n; j++) {
                int i = t.actuatedJoints.indexOf(data.joints().get(j));
                if (i < 0) throw new IllegalArgumentException("joint '" + data.joints().get(j) + "' of the log is not actuated in task " + t.name);
                kp[j] = t.kp[i];
                kd[j] = t.kd[i];
                limit[j] = t.robot.joint(data.joints().get(j)).effort();
            }
            pd = new ActuatorFit.Pd(kp, kd, limit);
        }
        ActuatorFit.Result r = ActuatorFit.fit(data, history, hidden, epochs, 512, 1e-3, seed, pd);
        Map<String, Object> fit = new LinkedHashMap<>();
        fit.put("log", log.toString());
        fit.put("joints", data.joints());
        fit.put("task", t.name);
        fit.put("rows", data.rows());
        fit.put("train_samples", data.train().size());
        fit.put("held_out_samples", data.heldOut().size());
        fit.put("train_rmse", Json.round(r.trainRmse(), 4));
        fit.put("held_out_rmse", Json.round(r.heldOutRmse(), 4));
        fit.put("held_out_r2", Json.round(r.heldOutR2(), 4));
        fit.put("ideal_pd_held_out_rmse", Json.round(r.pdHeldOutRmse(), 4));
        new ActuatorNetFile(r.net(), k * t.physicsDt, fit).write(out);
        System.err.printf("fit-actuator: %d rows of %d joints, samples %.1f ms apart (%d physics steps); %d training, %d held-out samples%n", data.rows(),
                data.joints().size(), data.medianSpacing() * 1e3, k, data.train().size(), data.heldOut().size());
        System.err.printf("fit-actuator: held-out effort error %.3f N·m (R² %.3f; training %.3f), ideal PD with %s's gains %.3f N·m; wrote %s%n", r.heldOutRmse(),
                r.heldOutR2(), r.trainRmse(), t.name, r.pdHeldOutRmse(), out);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>(fit);
            j.put("out", out.toString());
            j.put("wall_s", Json.round((System.nanoTime() - t0) / 1e9, 2));
            System.out.println(Json.line(j));
        }
        return 0;
    }
}
