package pponode.sim;

/**
 * A robot or simulated world stopped answering: a control period was lost (a step), or it did not
 * come back in the time its backend allows (a reset). The run decides what follows: with other
 * robots still answering it goes on without this one until it rejoins.
 */
public class RobotUnavailableException extends IllegalStateException {
    public RobotUnavailableException(String message) {
        super(message);
    }

    public RobotUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
