package pponode.sim.mujoco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pponode.sim.BaseState;
import pponode.sim.ContactSettings;
import pponode.sim.embedded.EmbeddedSimulator;
import pponode.sim.urdf.Pose;
import pponode.sim.urdf.UrdfModel;
import pponode.sim.urdf.UrdfParser;

/**
 * The MuJoCo reference (Debian's libmujoco-dev) on the shipped quadruped: it builds, loads the
 * URDF with a floating root and a ground, and stands the robot under the same PD as the embedded
 * simulator does, at about the same height.
 */
class MujocoReferenceTest {
    static final double DT = 0.002;
    static final double[] STANCE = {0.1, 0.8, -1.5, -0.1, 0.8, -1.5, 0.1, 1.0, -1.5, -0.1, 1.0, -1.5};

    @BeforeEach
    void requireMujoco() {
        String why = MujocoReference.unavailableReason();
        if (why == null) return;
        if ("1".equals(System.getenv("PPO_REQUIRE_PEERS"))) Assertions.fail(why + "; PPO_REQUIRE_PEERS=1 makes this a failure");
        Assumptions.abort(why + "; skipping");
    }

    static MujocoReference.Setup quadruped(UrdfModel m) {
        List<MujocoReference.Joint> joints = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            UrdfModel.Joint j = m.movableJoints().get(i);
            joints.add(new MujocoReference.Joint(j.name(), STANCE[i], STANCE[i] - 0.5, STANCE[i] + 0.5, 20, 0.5, j.effort()));
        }
        return new MujocoReference.Setup(Path.of("../urdf/quadruped.urdf"), m.root(), DT, true, new double[] {0, 0, 0.34}, true, joints);
    }

    @Test
    void theQuadrupedStandsInMujocoNearWhereItStandsHere() throws IOException {
        UrdfModel m = UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
        MujocoReference.Standing mujoco = MujocoReference.stand(quadruped(m), 3);
        double here;
        try (EmbeddedSimulator sim = new EmbeddedSimulator(m, DT, new double[] {0, 0, -9.81}, true, ContactSettings.defaults())) {
            sim.setState(STANCE, new double[12], Pose.translation(0, 0, 0.34), new double[3], new double[3]);
            double[] tau = new double[12];
            for (int k = 0; k < Math.round(3 / DT); k++) {
                for (int i = 0; i < 12; i++) tau[i] = 20 * (STANCE[i] - sim.position(i)) - 0.5 * sim.velocity(i);
                sim.step(tau);
            }
            BaseState s = new BaseState();
            sim.baseState(s);
            here = s.position[2];
        }
        System.out.printf("standing 3 s under PD: MuJoCo base at %.4f m (range after 1 s [%.4f, %.4f]), embedded at %.4f m%n", mujoco.height(), mujoco.min(), mujoco.max(), here);
        assertTrue(mujoco.height() > 0.2 && mujoco.height() < 0.34, "MuJoCo stands the robot: " + mujoco.height());
        // MuJoCo's soft contacts let the feet creep apart (its base keeps sinking slowly); ODE's hold
        assertEquals(here, mujoco.height(), 0.04, "the two engines stand the same robot at about the same height");
    }

    @Test
    void itMeasuresStepsPerSecond() throws IOException {
        UrdfModel m = UrdfParser.parse(Path.of("../urdf/quadruped.urdf"));
        MujocoReference.Speed speed = MujocoReference.stepsPerSecond(quadruped(m), 0.5);
        assertTrue(speed.stepsPerSecond() > 0, "steps/s " + speed.stepsPerSecond());
        assertTrue(speed.version().matches("\\d+\\.\\d+\\.\\d+"), speed.version());
    }
}
