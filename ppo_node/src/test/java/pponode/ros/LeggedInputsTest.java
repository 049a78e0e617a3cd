package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.sim.BaseState;

/**
 * A legged robot's observation on ROS 2: base orientation and angular velocity from
 * sensor_msgs/Imu, base velocity from nav_msgs/Odometry, the command from cmd_vel. It must equal
 * what the simulator env builds from the same state, a stale IMU or odometry must refuse the
 * observation (the safe command goes out), and a stale cmd_vel must command standing still.
 */
class LeggedInputsTest {
    static final long MS = 1_000_000L, TIMEOUT = 60 * MS;

    @Test
    void imuOdometryAndCmdVelBuildTheSimulatorsObservation() throws IOException {
        RobotTask task = TaskFiles.load(Path.of("../urdf/tasks/quadruped_walk.yaml"));
        try (RobotEnv env = new RobotEnv(task, 3)) {
            float[] expected = env.reset(3L);
            float[] stance = new float[12];
            for (int i = 0; i < 12; i++) stance[i] = (float) task.defaultJointPos[i] + 0.05f * (i % 3 - 1);
            for (int k = 0; k < 5; k++) expected = env.step(stance).obs();
            // what a robot's drivers would publish for this state
            DriverReadings readings = DriverReadings.of(env);
            BaseState s = readings.base();
            double[] bodyRate = readings.bodyRate(), bodyVelocity = readings.bodyVelocity(), q = readings.q(), qd = readings.qd();
            JointStateAssembler a = new JointStateAssembler(task, new RosParams());
            long t = 1_000 * MS;
            readings.feed(env, a, t);
            float[] cmd = new float[3];
            System.arraycopy(expected, 9, cmd, 0, 3); // the episode's command sits after velocities and gravity
            a.updateCommand(cmd[0], cmd[1], cmd[2], t);
            float[] lastAction = new float[12];
            System.arraycopy(expected, expected.length - 12, lastAction, 0, 12);
            float[] out = new float[expected.length];
            JointStateAssembler.Health h = a.assemble(t + 10 * MS, TIMEOUT, null, lastAction, out);
            assertTrue(h.ok(), h.reason());
            assertArrayEquals(expected, out, 1e-5f, "the deploy node's observation is the simulator's");
            assertTrue(a.commandFresh());

            // cmd_vel stops: after its 500 ms the robot is commanded to stand still, and keeps balancing
            a.update(env.backend().joints(), q, qd, t + 600 * MS);
            a.updateImu(s.orientation[0], s.orientation[1], s.orientation[2], s.orientation[3], bodyRate[0], bodyRate[1], bodyRate[2], t + 600 * MS);
            a.updateOdometry(bodyVelocity[0], bodyVelocity[1], bodyVelocity[2], t + 600 * MS);
            h = a.assemble(t + 610 * MS, TIMEOUT, null, lastAction, out);
            assertTrue(h.ok(), h.reason());
            assertFalse(a.commandFresh());
            assertArrayEquals(new float[3], new float[] {out[9], out[10], out[11]}, "a stale cmd_vel commands zero velocity");

            // the IMU stops: no observation, so the node sends the safe command
            a.update(env.backend().joints(), q, qd, t + 700 * MS);
            a.updateOdometry(bodyVelocity[0], bodyVelocity[1], bodyVelocity[2], t + 700 * MS);
            h = a.assemble(t + 710 * MS, TIMEOUT, null, lastAction, out);
            assertFalse(h.ok());
            assertTrue(h.reason().contains("IMU reading is stale"), h.reason());

            // the odometry stops
            a.update(env.backend().joints(), q, qd, t + 790 * MS);
            a.updateImu(s.orientation[0], s.orientation[1], s.orientation[2], s.orientation[3], bodyRate[0], bodyRate[1], bodyRate[2], t + 790 * MS);
            h = a.assemble(t + 800 * MS, TIMEOUT, null, lastAction, out);
            assertTrue(h.reason().contains("odometry reading is stale"), h.reason());

            // a broken quaternion from the network is refused, not observed
            a.update(env.backend().joints(), q, qd, t + 900 * MS);
            a.updateOdometry(0, 0, 0, t + 900 * MS);
            a.updateImu(2, 0, 0, 0, 0, 0, 0, t + 900 * MS);
            h = a.assemble(t + 901 * MS, TIMEOUT, null, lastAction, out);
            assertTrue(h.reason().contains("IMU reading is not usable"), h.reason());
        }
    }

    @Test
    void impossibleButFiniteInputsAreRefusedAndCommandsClampedToTheTasksRanges() throws IOException {
        RobotTask task = TaskFiles.load(Path.of("../urdf/tasks/quadruped_forward.yaml"));
        RosParams p = new RosParams();
        JointStateAssembler a = new JointStateAssembler(task, p);
        List<String> joints = task.actuatedJoints;
        double[] q = task.defaultJointPos.clone(), qd = new double[12];
        float[] out = new float[task.observationSpace().flatDim()], lastAction = new float[12];
        long t = 1_000 * MS;
        a.update(joints, q, qd, t);
        a.updateImu(1, 0, 0, 0, 0, 0, 0, t);
        a.updateOdometry(0, 0, 0, t);
        a.updateCommand(0.3, 0, 0, t);
        JointStateAssembler.Health h = a.assemble(t, TIMEOUT, null, lastAction, out);
        assertTrue(h.ok(), h.reason());
        assertEquals(0.3f, out[9], 1e-6f);

        // cmd_vel 1e6 m/s, sideways and turning: the nearest command the task trained on (v_x in [0, 0.5], the rest 0)
        a.updateCommand(1e6, -4, 2, t);
        h = a.assemble(t, TIMEOUT, null, lastAction, out);
        assertTrue(h.ok(), h.reason());
        assertArrayEquals(new float[] {0.5f, 0, 0}, new float[] {out[9], out[10], out[11]});
        assertEquals(1, a.clampedCommands());
        a.updateCommand(-2, 0, 0, t);
        a.assemble(t, TIMEOUT, null, lastAction, out);
        assertEquals(0f, out[9], "backwards is outside [0, 0.5]: standing");

        // an IMU angular velocity of 1e9 rad/s is no reading: refused as a NaN would be
        a.updateImu(1, 0, 0, 0, 1e9, 1e9, 1e9, t);
        h = a.assemble(t, TIMEOUT, null, lastAction, out);
        assertFalse(h.ok());
        assertTrue(h.reason().contains("imu_max_angular_velocity"), h.reason());
        a.updateImu(1, 0, 0, 0, 0, 0, 30, t); // 30 rad/s: fast, but a gyro reads it
        assertTrue(a.assemble(t, TIMEOUT, null, lastAction, out).ok());

        // odometry at 1e6 m/s
        a.updateOdometry(1e6, 0, 0, t);
        h = a.assemble(t, TIMEOUT, null, lastAction, out);
        assertTrue(h.reason().contains("odom_max_linear_velocity"), h.reason());
        a.updateOdometry(0, 0, 0, t);

        // a joint at 1e9 rad/s: beyond velocity_limit_factor (3) × its URDF limit
        double limit = task.robot.movableJoints().stream().filter(j -> j.name().equals("FR_calf_joint")).findFirst().orElseThrow().velocity();
        qd[5] = 2.9 * limit;
        a.update(joints, q, qd, t);
        assertTrue(a.assemble(t, TIMEOUT, null, lastAction, out).ok(), "2.9 × the limit is a reading");
        qd[5] = 1e9;
        a.update(joints, q, qd, t);
        h = a.assemble(t, TIMEOUT, null, lastAction, out);
        assertFalse(h.ok());
        assertTrue(h.reason().contains("'FR_calf_joint'") && h.reason().contains("velocity_limit_factor"), h.reason());
        p.set("velocity_limit_factor", 1e10); // the factor is the user's
        JointStateAssembler lenient = new JointStateAssembler(task, p);
        lenient.update(joints, q, qd, t);
        lenient.updateImu(1, 0, 0, 0, 0, 0, 0, t);
        lenient.updateOdometry(0, 0, 0, t);
        assertTrue(lenient.assemble(t, TIMEOUT, null, lastAction, out).ok());
    }

    @Test
    void aFixedBaseTaskNeedsNoneOfThem() throws IOException {
        RobotTask task = TaskFiles.load(Path.of("../urdf/tasks/reacher_2dof.yaml"));
        JointStateAssembler a = new JointStateAssembler(task, new RosParams());
        a.update(List.of("joint1", "joint2"), new double[] {0.1, 0.2}, new double[] {0, 0}, 1_000 * MS);
        float[] out = new float[task.observationSpace().flatDim()];
        JointStateAssembler.Health h = a.assemble(1_001 * MS, TIMEOUT, new double[] {0.1, 0.1, 0}, new float[2], out);
        assertTrue(h.ok(), h.reason());
        assertEquals(10, out.length);
    }
}
