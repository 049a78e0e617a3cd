package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import pponode.Peers;

/** A C program on CycloneDDS, an independent ROS 2 wire peer, built in the test from src/test/resources/cyclonedds. */
public final class CycloneDdsPeer {
    private CycloneDdsPeer() {}

    /** Builds {@code <name>.c} with the ROS 2 types that idlc generates from ros2_types.idl; returns the executable. */
    public static Path build(Path dir, String name) throws Exception {
        Path idlc = Peers.onPath("idlc"), gcc = Peers.onPath("gcc");
        Peers.require(idlc != null && gcc != null && Files.exists(Path.of("/usr/include/dds/dds.h")), "CycloneDDS (idlc, dds.h) and gcc",
                "apt-get install cyclonedds-dev gcc");
        Path res = Path.of("src/test/resources/cyclonedds");
        run(dir, idlc.toString(), res.resolve("ros2_types.idl").toAbsolutePath().toString());
        run(dir, gcc.toString(), "-O1", "-o", name, res.resolve(name + ".c").toAbsolutePath().toString(), "ros2_types.c", "-I.", "-lddsc", "-lm");
        return dir.resolve(name);
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    }
}
