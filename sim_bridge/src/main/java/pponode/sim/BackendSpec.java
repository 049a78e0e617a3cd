package pponode.sim;

import java.util.List;
import pponode.sim.actuator.ActuatorModel;
import pponode.sim.urdf.UrdfModel;

/**
 * What a simulator needs to stand in for a robot: the URDF, the physics step and gravity, the
 * command interface of the actuated joints (in command order) with their PD gains (null where the
 * interface needs none), how many physics steps make one control period, whether the base floats,
 * how the robot touches the world (null: it touches nothing), and each actuated joint's actuator
 * model (null: ideal PD for all).
 */
public record BackendSpec(UrdfModel robot, double physicsDt, double[] gravity, String commandInterface, List<String> actuatedJoints, double[] kp, double[] kd,
        int decimation, boolean floatingBase, ContactSettings contact, List<ActuatorModel> actuators) {
    /** Every joint on ideal PD. */
    public BackendSpec(UrdfModel robot, double physicsDt, double[] gravity, String commandInterface, List<String> actuatedJoints, double[] kp, double[] kd,
            int decimation, boolean floatingBase, ContactSettings contact) {
        this(robot, physicsDt, gravity, commandInterface, actuatedJoints, kp, kd, decimation, floatingBase, contact, null);
    }
}
