package pponode.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Backends are found by name and built from the task object and their own settings, each checking its own. */
class BackendsTest {
    @Test
    void theBackendsAreRegisteredByNameAndCheckTheirOwnSettings() {
        assertEquals(Set.of("embedded", "gazebo", "ros"), Backends.names());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Backends.named("--sim", "isaac"));
        assertEquals("--sim 'isaac': no such backend; known: embedded, gazebo, ros", unknown.getMessage());
        IllegalArgumentException gz = assertThrows(IllegalArgumentException.class, () -> Backends.named("--sim", "gazebo").check(List.of("partitoin=p")));
        assertTrue(gz.getMessage().contains("partitoin"), gz.getMessage());
        IllegalArgumentException ros = assertThrows(IllegalArgumentException.class, () -> Backends.named("--sim", "ros").check(List.of("domain_id=300")));
        assertTrue(ros.getMessage().contains("domain_id"), ros.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.named("--sim", "embedded").check(List.of("x=1")), "the task file configures the embedded simulator");
        assertTrue(Backends.named("--sim", "gazebo").remote() && Backends.named("--sim", "ros").remote() && !Backends.named("--sim", "embedded").remote());
    }

    @Test
    void theEmbeddedBackendRunsTheTaskObjectItIsGiven() throws Exception {
        RobotTask task = EnvRegistry.task("reacher_2dof");
        RobotTask held = task.withoutRandomization();
        try (Env a = Backends.named("--sim", "embedded").environments(held, List.of(), Backends.Batch.ONE).apply(3); Env b = EnvRegistry.make(held, 3)) {
            assertArrayEquals(b.reset(3L), a.reset(3L), "the same task and seed give the same first observation");
        }
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
                () -> Backends.named("--sim", "ros").environments(task, List.of(), new Backends.Batch(2, 1)));
        assertTrue(many.getMessage().contains("'num_envs' is 2 with --ros but one robot is named") && many.getMessage().contains("robot_namespaces="), many.getMessage());
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> Backends.named("--sim", "ros").environments(task, List.of("robot_namespaces=a,b,c"), new Backends.Batch(2, 1)));
        assertTrue(three.getMessage().contains("robot_namespaces names 3 robots [a, b, c] but 'num_envs' is 2"), three.getMessage());
    }
}
