package pponode;

import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import pponode.sim.NativePeer;
import pponode.sim.gazebo.GazeboWorldProcess;
import pponode.sim.gazebo.GazeboWorldProcess.Program;

/**
 * Tests that need a real external peer (a DDS implementation, a broker, Gazebo transport, python3)
 * skip with a clear message when it is missing on a developer's machine, and fail under
 * {@code PPO_REQUIRE_PEERS=1}, which CI sets after installing the peers.
 */
public final class Peers {
    private Peers() {}

    public static boolean required() {
        return "1".equals(System.getenv("PPO_REQUIRE_PEERS"));
    }

    /** Skips (or fails under PPO_REQUIRE_PEERS=1) unless {@code available}. */
    public static void require(boolean available, String peer, String install) {
        if (available) return;
        String msg = peer + " is not installed (" + install + ")";
        if (required()) Assertions.fail(msg + "; PPO_REQUIRE_PEERS=1 makes this a failure");
        Assumptions.abort(msg + "; skipping");
    }

    /** Skips (or fails under PPO_REQUIRE_PEERS=1) unless the DART Gazebo world can be built here. */
    public static void requireDartWorld() {
        String why = GazeboWorldProcess.unavailableReason(Program.DART);
        require(why == null, "the Gazebo DART world (" + why + ")", "apt-get install g++ pkg-config libignition-physics-dev libignition-physics5-dartsim-plugin5 "
                + "libsdformat-dev libignition-plugin-dev libignition-transport-dev libignition-msgs-dev");
    }

    /** An executable on the PATH, or null. */
    public static Path onPath(String name) {
        return NativePeer.which(name);
    }
}
