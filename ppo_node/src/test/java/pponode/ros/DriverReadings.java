package pponode.ros;

import pponode.env.RobotEnv;
import pponode.sim.BaseState;

/** What a legged robot's drivers would publish for a simulated state: joint states, and the IMU's and odometry's base-frame readings. */
record DriverReadings(BaseState base, double[] q, double[] qd, double[] bodyRate, double[] bodyVelocity) {
    static DriverReadings of(RobotEnv env) {
        BaseState s = new BaseState();
        env.backend().baseState(s);
        int n = env.backend().joints().size();
        double[] bodyRate = new double[3], bodyVelocity = new double[3], q = new double[n], qd = new double[n];
        s.toBody(s.angularVelocity, bodyRate);
        s.toBody(s.linearVelocity, bodyVelocity);
        env.backend().positions(q);
        env.backend().velocities(qd);
        return new DriverReadings(s, q, qd, bodyRate, bodyVelocity);
    }

    /** Feeds the joint states (by name), the IMU and the odometry into {@code a}, received at {@code t}. */
    void feed(RobotEnv env, JointStateAssembler a, long t) {
        double[] o = base.orientation;
        a.update(env.backend().joints(), q, qd, t);
        a.updateImu(o[0], o[1], o[2], o[3], bodyRate[0], bodyRate[1], bodyRate[2], t);
        a.updateOdometry(bodyVelocity[0], bodyVelocity[1], bodyVelocity[2], t);
    }
}
