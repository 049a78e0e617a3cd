package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pponode.ros.DeployStateMachine.Decision;
import pponode.ros.DeployStateMachine.Reading;
import pponode.ros.DeployStateMachine.State;
import pponode.ros.DeployStateMachine.Transition;

/** Every transition of the deploy node's state machine, and every guard, on two position-commanded joints. */
class DeployStateMachineTest {
    private static final JointStateAssembler.Health OK = JointStateAssembler.Health.OK;
    private static final double[] HOME = {0.5, -1.0};
    private static final DeployStateMachine.Limits LIMITS = new DeployStateMachine.Limits(new double[] {-1, -2}, new double[] {1, 0}, 0.1,
            new double[] {10, 10}, new double[] {5, 5}, 1.0);

    private static DeployStateMachine machine(boolean autoEngage) {
        return machine("position", autoEngage);
    }

    private static DeployStateMachine machine(String commandInterface, boolean autoEngage) {
        return new DeployStateMachine(commandInterface, List.of("hip", "knee"), LIMITS, HOME, new double[] {0.5, 0.5}, 4, autoEngage, 1);
    }

    private static Reading at(double q0, double q1) {
        return new Reading(OK, new double[] {q0, q1}, new double[2], new double[2], 0, 0);
    }

    /** One control period with a finite policy command. */
    private static Decision period(DeployStateMachine m, Reading r) {
        State s = m.advance(r);
        return m.decide(r, s == State.POLICY ? new float[] {0.1f, -0.2f} : null);
    }

    private static Transition last(DeployStateMachine m) {
        List<Transition> t = m.drainTransitions();
        return t.isEmpty() ? null : t.get(t.size() - 1);
    }

    /**
     * auto_engage waits for inputs healthy over several periods in a row, so that a latched e-stop
     * that discovery brings after the joint states is heard before the robot moves.
     */
    @Test
    void autoEngageWaitsForInputsHealthyLongEnoughToHearALatchedEstop() {
        DeployStateMachine m = new DeployStateMachine("position", List.of("hip", "knee"), LIMITS, HOME, new double[] {0.5, 0.5}, 4, true, 3);
        Reading stale = new Reading(new JointStateAssembler.Health(false, "joint states stale"), new double[] {0.1, -0.2}, new double[2], new double[2], Double.NaN,
                Double.NaN);
        assertFalse(period(m, at(0.1, -0.2)).publish());
        assertFalse(period(m, at(0.1, -0.2)).publish());
        assertFalse(period(m, stale).publish(), "an unhealthy period starts the count again");
        assertFalse(period(m, at(0.1, -0.2)).publish());
        assertFalse(period(m, at(0.1, -0.2)).publish());
        assertEquals(State.PASSIVE, m.state(), "two healthy periods of three");
        assertEquals(State.STANDBY, period(m, at(0.1, -0.2)).state(), "the third");

        DeployStateMachine late = new DeployStateMachine("position", List.of("hip", "knee"), LIMITS, HOME, new double[] {0.5, 0.5}, 4, true, 3);
        period(late, at(0.1, -0.2));
        period(late, at(0.1, -0.2));
        late.estop(true, "/ppo_node/estop"); // the latched e-stop, delivered late
        for (int i = 0; i < 5; i++) assertEquals(State.ESTOP, period(late, at(0.1, -0.2)).state());
        assertTrue(late.drainTransitions().stream().noneMatch(t -> t.to() == State.STANDBY), "the robot never moved");
    }

    @Test
    void autoEngageGoesPassiveStandbyPolicyOnceInputsAreHealthy() {
        DeployStateMachine m = machine(true);
        Reading stale = new Reading(new JointStateAssembler.Health(false, "no joint state received yet"), new double[] {Double.NaN, Double.NaN}, new double[2],
                new double[2], Double.NaN, Double.NaN);
        Decision d = period(m, stale);
        assertEquals(State.PASSIVE, d.state());
        assertFalse(d.publish(), "passive: no command goes out");
        d = period(m, at(0.1, -0.2));
        assertEquals(State.STANDBY, d.state());
        assertEquals("passive -> standby: auto_engage: inputs healthy", last(m).toString());
        // standby: from the measured pose to the default pose in 4 periods, linearly
        assertArrayEquals(new float[] {0.2f, -0.4f}, d.wish(), 1e-6f);
        d = period(m, at(0.2, -0.4));
        assertArrayEquals(new float[] {0.3f, -0.6f}, d.wish(), 1e-6f, "the ramp follows the plan, not the measurement");
        period(m, at(0.3, -0.6));
        d = period(m, at(0.4, -0.8));
        assertEquals(State.STANDBY, d.state(), "the pose is reached in this period; policy from the next");
        assertArrayEquals(new float[] {0.5f, -1.0f}, d.wish(), 1e-6f);
        d = period(m, at(0.5, -1.0));
        assertEquals(State.POLICY, d.state());
        assertEquals("standby -> policy: auto_engage: default pose reached", last(m).toString());
        assertArrayEquals(new float[] {0.1f, -0.2f}, d.wish(), 1e-6f, "the policy's command");
    }

    @Test
    void withoutAutoEngageOnlyRequestsMoveTheNodeAndPolicyNeedsTheDefaultPose() {
        DeployStateMachine m = machine(false);
        for (int k = 0; k < 10; k++) assertEquals(State.PASSIVE, period(m, at(0.5, -1.0)).state(), "healthy inputs alone do not engage");
        m.request(State.POLICY, "/ppo_node/mode");
        assertEquals(State.PASSIVE, period(m, at(0.5, -1.0)).state());
        Transition refused = last(m);
        assertEquals(State.PASSIVE, refused.to());
        assertTrue(refused.reason().contains("policy is entered from standby"), refused.reason());
        m.request(State.STANDBY, "/ppo_node/mode");
        assertEquals(State.STANDBY, period(m, at(0.5, -1.0)).state());
        assertTrue(last(m).reason().contains("requested on /ppo_node/mode"));
        m.request(State.POLICY, "/ppo_node/mode");
        assertEquals(State.STANDBY, period(m, at(0.5, -1.0)).state());
        assertTrue(last(m).reason().contains("standby has not reached the default pose yet"));
        for (int k = 0; k < 4; k++) period(m, at(0.5, -1.0));
        assertEquals(State.STANDBY, m.state(), "standby holds the default pose until asked");
        m.request(State.POLICY, "/ppo_node/mode");
        assertEquals(State.POLICY, period(m, at(0.5, -1.0)).state());
        m.request(State.STANDBY, "/ppo_node/mode");
        assertEquals(State.STANDBY, period(m, at(0.5, -1.0)).state(), "policy -> standby");
        m.request(State.DAMPING, "/ppo_node/mode");
        assertEquals(State.DAMPING, period(m, at(0.5, -1.0)).state(), "standby -> damping");
        m.request(State.PASSIVE, "/ppo_node/mode");
        Decision d = period(m, at(0.5, -1.0));
        assertEquals(State.PASSIVE, d.state(), "damping -> passive");
        assertFalse(d.publish());
        m.request(State.STANDBY, "/ppo_node/mode");
        m.advance(new Reading(new JointStateAssembler.Health(false, "IMU reading is stale"), new double[] {0.5, -1}, new double[2], new double[2], 0, 0));
        assertEquals(State.PASSIVE, m.state());
        assertTrue(last(m).reason().contains("inputs not usable: IMU reading is stale"), "standby needs usable inputs");
    }

    @Test
    void dampingFollowsTheMeasuredPositionAndDampsOnEffortAndZeroesVelocity() {
        DeployStateMachine m = machine(false);
        m.request(State.DAMPING, "test");
        Reading r = new Reading(OK, new double[] {0.3, -0.7}, new double[] {2, -4}, new double[2], 0, 0);
        Decision d = period(m, r);
        assertEquals(State.DAMPING, d.state());
        assertArrayEquals(new float[] {0.3f, -0.7f}, d.wish(), 1e-6f, "position: the measured position, so the robot's PD only damps");
        DeployStateMachine e = machine("effort", false);
        e.request(State.DAMPING, "test");
        assertArrayEquals(new float[] {-1f, 2f}, period(e, r).wish(), 1e-6f, "effort: -kd × velocity");
        DeployStateMachine v = machine("velocity", false);
        v.request(State.DAMPING, "test");
        assertArrayEquals(new float[] {0f, 0f}, period(v, r).wish(), 1e-6f, "velocity: zero");
        Reading unknown = new Reading(OK, new double[] {Double.NaN, -0.7}, new double[2], new double[2], 0, 0);
        assertNull(period(m, unknown).wish(), "a joint not measured: nothing to follow, the gate's hold");
    }

    private static DeployStateMachine inPolicy() {
        DeployStateMachine m = machine(true);
        for (int k = 0; k < 6; k++) period(m, at(0.5, -1.0));
        assertEquals(State.POLICY, m.state());
        m.drainTransitions();
        return m;
    }

    private static void trips(Reading r, String why) {
        DeployStateMachine m = inPolicy();
        Decision d = period(m, r);
        assertEquals(State.DAMPING, d.state(), why);
        Transition t = last(m);
        assertEquals(State.POLICY, t.from());
        assertTrue(t.reason().contains(why), t.reason());
        for (int k = 0; k < 20; k++) period(m, at(0.5, -1.0));
        assertEquals(State.DAMPING, m.state(), "a guard's damping stays until an operator acts, however healthy the readings become");
    }

    @Test
    void everyGuardMovesPolicyToDampingAndStaysThere() {
        trips(new Reading(new JointStateAssembler.Health(false, "joint state for 'knee' is stale (80.0 ms old, timeout 60.0 ms)"), new double[] {0.5, -1},
                new double[2], new double[2], 0, 0), "inputs: joint state for 'knee' is stale");
        trips(at(1.2, -1.0), "joint 'hip' position 1.200 beyond its limits [-1.000, 1.000] by more than 0.100");
        trips(at(0.5, -2.11), "joint 'knee' position -2.110 beyond");
        trips(new Reading(OK, new double[] {0.5, -1}, new double[] {0, 10.5}, new double[2], 0, 0), "joint 'knee' velocity 10.50 beyond its limit 10.00");
        trips(new Reading(OK, new double[] {0.5, -1}, new double[2], new double[] {-5.5, 0}, 0, 0), "joint 'hip' effort -5.50 beyond its limit 5.00");
        trips(new Reading(OK, new double[] {0.5, -1}, new double[2], new double[2], 1.2, 0), "base roll 1.20 / pitch 0.00 rad beyond 1.00");
        trips(new Reading(OK, new double[] {0.5, -1}, new double[2], new double[2], 0, -1.1), "pitch -1.10 rad beyond 1.00");
        DeployStateMachine m = inPolicy();
        Reading r = at(0.5, -1.0);
        m.advance(r);
        Decision d = m.decide(r, new float[] {0.1f, Float.NaN});
        assertEquals(State.DAMPING, d.state());
        assertTrue(last(m).reason().contains("policy output for joint 'knee' is NaN"));
        // within the margin, below the limits, unmeasured effort (NaN), a fixed base (NaN tilt): no guard
        DeployStateMachine fine = inPolicy();
        period(fine, new Reading(OK, new double[] {1.05, -2.05}, new double[] {9.9, -9.9}, new double[] {Double.NaN, 4.9}, Double.NaN, Double.NaN));
        assertEquals(State.POLICY, fine.state());
    }

    @Test
    void standbyIsGuardedTooAndTheEstopLatchesUntilReleasedIntoPassive() {
        DeployStateMachine m = machine(true);
        period(m, at(0.0, -0.5));
        assertEquals(State.STANDBY, m.state());
        period(m, at(0.0, -0.5 - 1.7)); // the knee beyond its lower limit during the move
        assertEquals(State.DAMPING, m.state(), "guards watch standby as well");
        m.drainTransitions();
        m.estop(true, "/ppo_node/estop");
        assertEquals("damping -> estop: e-stop engaged (/ppo_node/estop)", last(m).toString());
        Decision d = period(m, at(0.5, -1.0));
        assertEquals(State.ESTOP, d.state());
        assertTrue(d.publish());
        assertNull(d.wish(), "the e-stop's safe command (the gate's hold)");
        m.request(State.STANDBY, "/ppo_node/mode");
        period(m, at(0.5, -1.0));
        assertEquals(State.ESTOP, m.state());
        assertTrue(last(m).reason().contains("the e-stop is engaged; release it first"));
        m.estop(false, "/ppo_node/estop");
        assertEquals("estop -> passive: e-stop released (/ppo_node/estop)", last(m).toString());
        for (int k = 0; k < 10; k++) period(m, at(0.5, -1.0));
        assertEquals(State.PASSIVE, m.state(), "auto_engage engages once, at start: a release does not restart the robot");
        DeployStateMachine p = inPolicy();
        p.estop(true, "teleop");
        assertEquals(State.ESTOP, period(p, at(0.5, -1.0)).state(), "policy -> estop");
    }

    @Test
    void anEstopEngagedOnTwoChannelsHoldsUntilBothRelease() {
        DeployStateMachine m = inPolicy();
        m.estop(true, "/ppo_node/estop");
        m.estop(true, "mqtt ppo_node/arm1/teleop/cmd", "teleop 'alice' on mqtt ppo_node/arm1/teleop/cmd");
        m.estop(false, "mqtt ppo_node/arm1/teleop/cmd", "teleop 'bob' on mqtt ppo_node/arm1/teleop/cmd");
        assertEquals(State.ESTOP, period(m, at(0.5, -1.0)).state(), "the topic's e-stop still holds");
        assertEquals("estop -> estop: e-stop released (teleop 'bob' on mqtt ppo_node/arm1/teleop/cmd) but still engaged on /ppo_node/estop", last(m).toString());
        m.estop(false, "/ppo_node/estop");
        assertEquals("estop -> passive: e-stop released (/ppo_node/estop)", last(m).toString());
    }
}
