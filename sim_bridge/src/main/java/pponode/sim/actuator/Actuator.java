package pponode.sim.actuator;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** One joint's motor at run time: effort for a command, every physics step. */
public sealed interface Actuator {
    /**
     * The effort this physics step: {@code command} (a position), the joint's position and velocity,
     * the episode's gains and effort limit (the motor strength applied).
     */
    double effort(double command, double q, double qd, double kp, double kd, double limit);

    /** A new episode: the joint at {@code q}, at rest, commanded to stay there. */
    void reset(double q);

    /** The state carried between physics steps, for a checkpoint (empty when none). */
    void save(ByteBuffer b);

    void load(ByteBuffer b);

    int stateBytes();

    /** PD (ideal, through a DC motor's line, or on a delayed command). */
    final class Pd implements Actuator {
        private final ActuatorModel model;
        private final double[] line; // commands in flight: line[head] is the oldest
        private int head;

        Pd(ActuatorModel model, int delaySteps) {
            this.model = model;
            line = new double[delaySteps];
        }

        @Override
        public double effort(double command, double q, double qd, double kp, double kd, double limit) {
            double acting = command;
            if (line.length > 0) {
                acting = line[head];
                line[head] = command;
                head = (head + 1) % line.length;
            }
            double tau = kp * (acting - q) - kd * qd;
            double hi = limit, lo = -limit;
            if (model instanceof ActuatorModel.DcMotor dc) {
                hi = Math.max(0, Math.min(limit, dc.saturationEffort() * (1 - qd / dc.velocityLimit())));
                lo = Math.min(0, Math.max(-limit, dc.saturationEffort() * (-1 - qd / dc.velocityLimit())));
            }
            return Math.max(lo, Math.min(hi, tau));
        }

        @Override
        public void reset(double q) {
            Arrays.fill(line, q);
            head = 0;
        }

        @Override
        public void save(ByteBuffer b) {
            b.putInt(head);
            for (double c : line) b.putDouble(c);
        }

        @Override
        public void load(ByteBuffer b) {
            head = b.getInt();
            for (int i = 0; i < line.length; i++) line[i] = b.getDouble();
        }

        @Override
        public int stateBytes() {
            return 4 + 8 * line.length;
        }
    }

    /** An actuator network: its inputs are the position errors and velocities of the last steps, {@code spacing} physics steps apart. */
    final class Learned implements Actuator {
        private final ActuatorNet net;
        private final int spacing;
        private final double[] errors, velocities; // ring over (history - 1) * spacing + 1 physics steps
        private final double[] input;
        private final double[][] scratch;
        private int head;

        Learned(ActuatorNet net, int spacing) {
            this.net = net;
            this.spacing = spacing;
            int span = (net.history() - 1) * spacing + 1;
            errors = new double[span];
            velocities = new double[span];
            input = new double[2 * net.history()];
            scratch = net.scratch();
        }

        @Override
        public double effort(double command, double q, double qd, double kp, double kd, double limit) {
            head = (head + 1) % errors.length;
            errors[head] = command - q;
            velocities[head] = qd;
            for (int h = 0; h < net.history(); h++) {
                int k = Math.floorMod(head - h * spacing, errors.length);
                input[h] = errors[k];
                input[net.history() + h] = velocities[k];
            }
            return Math.max(-limit, Math.min(limit, net.effort(input, scratch)));
        }

        @Override
        public void reset(double q) {
            Arrays.fill(errors, 0);
            Arrays.fill(velocities, 0);
            head = 0;
        }

        @Override
        public void save(ByteBuffer b) {
            b.putInt(head);
            for (double e : errors) b.putDouble(e);
            for (double v : velocities) b.putDouble(v);
        }

        @Override
        public void load(ByteBuffer b) {
            head = b.getInt();
            for (int i = 0; i < errors.length; i++) errors[i] = b.getDouble();
            for (int i = 0; i < velocities.length; i++) velocities[i] = b.getDouble();
        }

        @Override
        public int stateBytes() {
            return 4 + 16 * errors.length;
        }
    }
}
