package pponode.sim.gazebo;

/** The simulator did not answer in time: a lost process, another partition, or a stalled world. */
public class GazeboTimeoutException extends Exception {
    public GazeboTimeoutException(String message) {
        super(message);
    }
}
