package pponode.gazebo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.Peers;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.sim.BaseState;
import pponode.sim.RobotBackend;
import pponode.sim.gazebo.GazeboOptions;

/**
 * Robots in a Gazebo world built from Gazebo's own libraries (sdformat 12, ignition-physics 5 with
 * DART, ign-transport 11), through {@link GazeboBackend}: a floating-base quadruped stands on the
 * ground under its task's PD, and a fixed-base arm follows the same commands the same way twice.
 */
@Tag("slow") // builds and drives an external C++ world
class DartWorldTest {
    GazeboOptions opts;

    @BeforeEach
    void setUp() {
        Peers.requireDartWorld();
        opts = GazeboOptions.fromEnvironment(Map.of()).withHostIp("127.0.0.1").withPartition("ppo_dart_" + Long.toHexString(System.nanoTime()));
    }

    private GazeboSettings settings() {
        return new GazeboSettings().apply(Map.of("partition", opts.partition(), "ip", "127.0.0.1"));
    }

    /**
     * The quadruped dropped at its stance holds it on the ground plane under the task's PD as the
     * embedded simulator holds it: DART's contacts carry it, the odometry reports it.
     */
    @Test
    void theQuadrupedStandsOnTheGroundAsInTheEmbeddedSimulator() throws Exception {
        RobotTask task = EnvRegistry.task("quadruped_forward");
        try (GazeboWorlds world = GazeboWorlds.start(task, 1, opts); GazeboBackend b = new GazeboBackend(task, settings());
                RobotBackend embedded = RobotEnv.simulator(task, "embedded")) {
            double[] q0 = task.defaultJointPos.clone();
            b.reset(q0, new double[q0.length]);
            BaseState base = new BaseState();
            b.baseState(base);
            assertEquals(task.baseStartPosition[2], base.position[2], 1e-6, "the reset puts the base at the task's start");
            double[] stance = new double[task.actuatedJoints.size()];
            for (int i = 0; i < stance.length; i++) stance[i] = q0[task.robot.movableJoints().indexOf(task.robot.joint(task.actuatedJoints.get(i)))];
            BaseState start = new BaseState();
            System.arraycopy(task.baseStartPosition, 0, start.position, 0, 3);
            embedded.reset(q0, new double[q0.length], start);
            for (int t = 0; t < 150; t++) { // 3 s
                assertTrue(b.step(stance));
                embedded.step(stance);
            }
            b.baseState(base);
            BaseState reference = new BaseState();
            embedded.baseState(reference);
            double[] g = new double[3], q = new double[q0.length], qRef = new double[q0.length];
            base.projectedGravity(g);
            b.positions(q);
            embedded.positions(qRef);
            System.out.printf("dart world: quadruped base at %.4f m after 3 s (embedded simulator: %.4f m); joints %s (embedded: %s)%n", base.position[2],
                    reference.position[2], Arrays.toString(q), Arrays.toString(qRef));
            assertEquals(reference.position[2], base.position[2], 0.01, "standing height");
            assertTrue(g[2] < -0.99, "upright: " + Arrays.toString(g));
            assertTrue(Math.hypot(base.linearVelocity[0], base.linearVelocity[1]) < 0.05, "at rest: " + Arrays.toString(base.linearVelocity));
            for (int i = 0; i < q.length; i++) assertEquals(qRef[i], q[i], 0.05, "joint " + task.robot.movableJoints().get(i).name());
            // the feet carry the robot (sdformat merged them into the calves; the world reports them as the URDF's links)
            assertTrue(b.reportsContacts());
            double[] f = new double[3];
            double feet = 0;
            for (String foot : List.of("FL_foot", "FR_foot", "RL_foot", "RR_foot")) {
                b.contactForce(foot, f);
                assertTrue(f[2] > 10, foot + " carries a share of the weight: " + Arrays.toString(f));
                feet += f[2];
            }
            double weight = task.robot.links().stream().mapToDouble(l -> l.mass()).sum() * 9.81;
            System.out.printf("dart world: the feet carry %.1f N of the robot's %.1f N%n", feet, weight);
            assertEquals(weight, feet, 0.05 * weight, "the feet carry the weight");
            for (String link : List.of("trunk", "FL_calf", "RR_thigh")) {
                b.contactForce(link, f);
                assertEquals(0, Math.hypot(f[0], Math.hypot(f[1], f[2])), 1e-9, link + " touches nothing");
            }
        }
    }

    /** DART is deterministic and the bridge's stamped commands reach each step in time: the same commands give the same trajectory. */
    @Test
    void theSameCommandsGiveTheSameTrajectory() throws Exception {
        RobotTask task = EnvRegistry.task("reacher_2dof");
        try (GazeboWorlds world = GazeboWorlds.start(task, 1, opts); GazeboBackend b = new GazeboBackend(task, settings())) {
            double[][] runs = new double[2][];
            for (int r = 0; r < 2; r++) {
                b.reset(new double[] {0.3, -0.5}, new double[2]);
                double[] q = new double[2], trace = new double[200];
                for (int t = 0; t < 100; t++) {
                    b.step(new double[] {2 * Math.sin(t * 0.1), Math.cos(t * 0.13)});
                    b.positions(q);
                    trace[2 * t] = q[0];
                    trace[2 * t + 1] = q[1];
                }
                runs[r] = trace;
            }
            assertTrue(Arrays.equals(runs[0], runs[1]), "two runs differ");
            assertTrue(Math.abs(runs[0][198] - 0.3) > 0.05, "the arm moved");
        }
    }
}
