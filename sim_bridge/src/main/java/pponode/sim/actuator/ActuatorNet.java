package pponode.sim.actuator;

/**
 * An actuator network (Hwangbo et al. 2019; Isaac Lab's ActuatorNetMLP): an MLP from a joint's
 * position errors (command − position) and velocities over its last {@code history} samples to the
 * effort it applies. Inputs are {@code [e_t, e_t-1, ..., v_t, v_t-1, ...]} times
 * {@code inputScale}; hidden layers use softsign; the output is times {@code outputScale}.
 *
 * @param weights per layer, [out][in]
 * @param biases per layer, [out]
 */
public record ActuatorNet(int history, double[] inputScale, double outputScale, double[][][] weights, double[][] biases) {
    public ActuatorNet {
        if (history < 1) throw new IllegalArgumentException("an actuator net needs a history of at least 1 sample");
        if (inputScale.length != 2 * history) throw new IllegalArgumentException("an actuator net takes 2 × history inputs, its input scale has " + inputScale.length);
        if (weights.length == 0 || weights.length != biases.length) throw new IllegalArgumentException("an actuator net needs as many bias vectors as weight matrices");
        int in = 2 * history;
        for (int l = 0; l < weights.length; l++) {
            if (weights[l].length != biases[l].length) throw new IllegalArgumentException("layer " + l + ": " + weights[l].length + " rows, " + biases[l].length + " biases");
            for (double[] row : weights[l]) if (row.length != in) throw new IllegalArgumentException("layer " + l + " takes " + row.length + " inputs, the one before gives " + in);
            in = weights[l].length;
        }
        if (in != 1) throw new IllegalArgumentException("an actuator net's last layer gives one effort, this one gives " + in);
    }

    /** Work arrays for {@link #effort(double[], double[][])}: one per layer input, one per layer output. */
    public double[][] scratch() {
        double[][] s = new double[weights.length + 1][];
        s[0] = new double[2 * history];
        for (int l = 0; l < weights.length; l++) s[l + 1] = new double[weights[l].length];
        return s;
    }

    /** The effort for {@code input} (errors then velocities, newest first, unscaled). */
    public double effort(double[] input) {
        return effort(input, scratch());
    }

    /** As {@link #effort(double[])}, computing in {@code scratch} (from {@link #scratch()}): nothing allocated per physics step. */
    public double effort(double[] input, double[][] scratch) {
        double[] x = scratch[0];
        for (int i = 0; i < x.length; i++) x[i] = input[i] * inputScale[i];
        for (int l = 0; l < weights.length; l++) {
            double[] y = scratch[l + 1];
            for (int o = 0; o < y.length; o++) {
                double s = biases[l][o];
                double[] w = weights[l][o];
                for (int i = 0; i < x.length; i++) s += w[i] * x[i];
                y[o] = l < weights.length - 1 ? s / (1 + Math.abs(s)) : s; // softsign between layers
            }
            x = y;
        }
        return x[0] * outputScale;
    }
}
