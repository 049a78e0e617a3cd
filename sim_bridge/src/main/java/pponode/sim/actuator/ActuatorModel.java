package pponode.sim.actuator;

/**
 * How a joint's motor turns a command into effort, per physics step (Isaac Lab's actuator models):
 * what a task names per joint group in its {@code actuators:} section. Each makes a fresh
 * {@link Actuator} per joint (its state: a delay line, an input history).
 */
public sealed interface ActuatorModel {
    /** The joint's actuator, with state of its own. */
    Actuator create();

    /** PD to the command, clamped to the effort limit: what the simulator did before actuator models. */
    record IdealPd() implements ActuatorModel {
        @Override
        public Actuator create() {
            return new Actuator.Pd(this, 0);
        }
    }

    /**
     * PD through a DC motor's torque-speed line: the effort in the direction of motion falls
     * linearly from {@code saturationEffort} at rest to zero at {@code velocityLimit}, and is clamped
     * to the effort limit (Isaac Lab's DCMotor).
     */
    record DcMotor(double saturationEffort, double velocityLimit) implements ActuatorModel {
        public DcMotor {
            if (!(saturationEffort > 0) || !(velocityLimit > 0)) throw new IllegalArgumentException("a DC motor needs saturation_effort > 0 and velocity_limit > 0");
        }

        @Override
        public Actuator create() {
            return new Actuator.Pd(this, 0);
        }
    }

    /** PD to the command as it was {@code delaySteps} physics steps ago (a bus and a servo loop that lag). */
    record DelayedPd(int delaySteps) implements ActuatorModel {
        public DelayedPd {
            if (delaySteps < 0 || delaySteps > 10_000) throw new IllegalArgumentException("delayed_pd's delay_steps must be in 0..10000, got " + delaySteps);
        }

        @Override
        public Actuator create() {
            return new Actuator.Pd(this, delaySteps);
        }
    }

    /** An actuator network fitted from a robot's log ({@link ActuatorNet}): effort from recent position errors and velocities. */
    record Network(ActuatorNet net, int spacingSteps) implements ActuatorModel {
        @Override
        public Actuator create() {
            return new Actuator.Learned(net, spacingSteps);
        }
    }
}
