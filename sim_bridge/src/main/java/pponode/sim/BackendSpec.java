package pponode.sim;

import java.util.List;
import pponode.sim.urdf.UrdfModel;

/**
 * What a simulator needs to stand in for a robot: the URDF, the physics step and gravity, the
 * command interface of the actuated joints (in command order) with their PD gains (null where the
 * interface needs none), and how many physics steps make one control period.
 */
public record BackendSpec(UrdfModel robot, double physicsDt, double[] gravity, String commandInterface, List<String> actuatedJoints, double[] kp, double[] kd,
        int decimation) {}
