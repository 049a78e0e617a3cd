package pponode.sim.embedded;

import pponode.sim.ContactSettings;
import pponode.sim.urdf.UrdfModel;

/** The two embedded physics engines, for tests that hold both to the same mechanics. */
enum Engine {
    JOINT_SPACE, ODE4J;

    JointPhysics make(UrdfModel m, double dt, double[] gravity, boolean floating, ContactSettings contact) {
        return this == JOINT_SPACE ? new ArticulatedSimulator(m, dt, gravity, floating, contact) : new EmbeddedSimulator(m, dt, gravity, floating, contact);
    }
}
