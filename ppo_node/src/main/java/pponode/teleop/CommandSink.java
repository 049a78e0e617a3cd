package pponode.teleop;

/** Where an operator channel hands each raw message; returns null if accepted, else why it was rejected. */
@FunctionalInterface
public interface CommandSink {
    String submit(byte[] payload, String channel);
}
