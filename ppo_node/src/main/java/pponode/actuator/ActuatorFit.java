package pponode.actuator;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import pponode.runner.Engines;
import pponode.sim.actuator.ActuatorNet;

/**
 * Fits an actuator network to a log's samples (DJL on PyTorch; Adam on the mean squared error of
 * the standardised effort), and measures it, in the plain-Java forward pass the simulator runs, on
 * the held-out samples beside what ideal PD with the task's gains would have predicted.
 */
public final class ActuatorFit {
    /** The task's PD for each logged joint (the baseline the net must beat): gains and effort limits. */
    public record Pd(double[] kp, double[] kd, double[] effortLimit) {}

    /** The fitted net and its errors (N·m): on the training and held-out samples, ideal PD's on the held-out ones, and the net's R² there. */
    public record Result(ActuatorNet net, double trainRmse, double heldOutRmse, double heldOutR2, double pdHeldOutRmse) {}

    private ActuatorFit() {}

    public static Result fit(ActuatorLog.Split data, int history, int[] hidden, int epochs, int batch, double lr, long seed, Pd pd) {
        ActuatorLog.Samples train = data.train();
        if (train.size() < 100 || data.heldOut().size() < 10) {
            throw new IllegalArgumentException("the log gives " + train.size() + " training and " + data.heldOut().size() + " held-out samples; record longer");
        }
        int in = 2 * history;
        double[] inputScale = new double[in];
        for (int c = 0; c < in; c++) {
            double m = 0, s = 0;
            for (double[] x : train.inputs()) m += x[c];
            m /= train.size();
            for (double[] x : train.inputs()) s += (x[c] - m) * (x[c] - m);
            double std = Math.sqrt(s / train.size());
            inputScale[c] = std > 1e-9 ? 1 / std : 1;
        }
        double mean = 0, var = 0;
        for (double y : train.efforts()) mean += y;
        mean /= train.size();
        for (double y : train.efforts()) var += (y - mean) * (y - mean);
        double outputScale = Math.max(1e-6, Math.sqrt(var / train.size()));

        int[] sizes = new int[hidden.length + 2];
        sizes[0] = in;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 1;
        Random random = new Random(seed);
        Engine engine = Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager(engine.defaultDevice(), engine.getEngineName())) {
            List<NDArray> params = new ArrayList<>();
            for (int l = 0; l + 1 < sizes.length; l++) {
                float bound = (float) (1 / Math.sqrt(sizes[l]));
                float[] w = new float[sizes[l + 1] * sizes[l]];
                for (int k = 0; k < w.length; k++) w[k] = (float) ((2 * random.nextDouble() - 1) * bound);
                NDArray wa = m.create(w, new Shape(sizes[l + 1], sizes[l]));
                NDArray ba = m.zeros(new Shape(sizes[l + 1]));
                wa.setRequiresGradient(true);
                ba.setRequiresGradient(true);
                params.add(wa);
                params.add(ba);
            }
            float[] xs = new float[train.size() * in], ys = new float[train.size()];
            for (int r = 0; r < train.size(); r++) {
                for (int c = 0; c < in; c++) xs[r * in + c] = (float) (train.inputs()[r][c] * inputScale[c]);
                ys[r] = (float) (train.efforts()[r] / outputScale);
            }
            NDArray x = m.create(xs, new Shape(train.size(), in)), y = m.create(ys, new Shape(train.size(), 1));
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) lr)).build();
            int[] order = new int[train.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (int i = order.length - 1; i > 0; i--) { // a seeded shuffle
                    int j = random.nextInt(i + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int start = 0; start < order.length; start += batch) {
                    try (NDManager step = m.newSubManager()) {
                        long[] idx = new long[Math.min(batch, order.length - start)];
                        for (int k = 0; k < idx.length; k++) idx[k] = order[start + k];
                        NDArray rows = step.create(idx);
                        NDArray bx = x.get(rows), by = y.get(rows);
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray h = bx;
                            for (int l = 0; l < params.size(); l += 2) {
                                h = h.matMul(params.get(l).transpose()).add(params.get(l + 1));
                                if (l + 2 < params.size()) h = h.div(h.abs().add(1)); // softsign
                            }
                            NDArray loss = h.sub(by).square().mean();
                            gc.backward(loss);
                        }
                        for (int p = 0; p < params.size(); p++) adam.update("p" + p, params.get(p), params.get(p).getGradient());
                    }
                }
            }
            double[][][] weights = new double[sizes.length - 1][][];
            double[][] biases = new double[sizes.length - 1][];
            for (int l = 0; l + 1 < sizes.length; l++) {
                float[] w = params.get(2 * l).toFloatArray(), b = params.get(2 * l + 1).toFloatArray();
                weights[l] = new double[sizes[l + 1]][sizes[l]];
                biases[l] = new double[sizes[l + 1]];
                for (int o = 0; o < sizes[l + 1]; o++) {
                    biases[l][o] = b[o];
                    for (int i = 0; i < sizes[l]; i++) weights[l][o][i] = w[o * sizes[l] + i];
                }
            }
            ActuatorNet net = new ActuatorNet(history, inputScale, outputScale, weights, biases);
            ActuatorLog.Samples test = data.heldOut();
            double testMean = 0, testVar = 0;
            for (double v : test.efforts()) testMean += v;
            testMean /= test.size();
            for (double v : test.efforts()) testVar += (v - testMean) * (v - testMean);
            double testRmse = rmse(net, test);
            double r2 = 1 - testRmse * testRmse * test.size() / Math.max(1e-12, testVar);
            return new Result(net, rmse(net, train), testRmse, r2, pd == null ? Double.NaN : pdRmse(pd, test, history));
        }
    }

    /** The net's root-mean-square error (N·m) on {@code s}, in the simulator's own forward pass. */
    static double rmse(ActuatorNet net, ActuatorLog.Samples s) {
        double[][] scratch = net.scratch();
        double sum = 0;
        for (int r = 0; r < s.size(); r++) {
            double e = net.effort(s.inputs()[r], scratch) - s.efforts()[r];
            sum += e * e;
        }
        return Math.sqrt(sum / s.size());
    }

    /** Ideal PD's error on {@code s}: kp·error − kd·velocity, clamped to the effort limit, with the newest sample's values. */
    static double pdRmse(Pd pd, ActuatorLog.Samples s, int history) {
        double sum = 0;
        for (int r = 0; r < s.size(); r++) {
            int j = s.joint()[r];
            double[] x = s.inputs()[r];
            double tau = Math.max(-pd.effortLimit()[j], Math.min(pd.effortLimit()[j], pd.kp()[j] * x[0] - pd.kd()[j] * x[history]));
            double e = tau - s.efforts()[r];
            sum += e * e;
        }
        return Math.sqrt(sum / s.size());
    }
}
