package pponode.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {
    @Test
    void schedulesFollowTheirShapes() {
        assertEquals(3e-4, new Schedule(3e-4, "constant", 100).at(73), 0);
        assertEquals(3e-4, new Schedule(3e-4, "none", 100).at(99), 0);
        Schedule lin = new Schedule(1.0, "linear", 100);
        assertEquals(1.0, lin.at(0), 1e-12);
        assertEquals(0.5, lin.at(50), 1e-12);
        assertEquals(0.0, lin.at(100), 1e-12);
        Schedule cos = new Schedule(2.0, "cosine", 100);
        assertEquals(2.0, cos.at(0), 1e-12);
        assertEquals(1.0, cos.at(50), 1e-12);
        assertEquals(0.0, cos.at(100), 1e-12);
        Schedule wc = new Schedule(1.0, "warmup_cosine", 100);
        assertEquals(0.1, wc.at(0), 1e-12); // warm-up: (k + 1) / 10
        assertEquals(0.5, wc.at(4), 1e-12);
        assertEquals(1.0, wc.at(10), 1e-12); // peak right after warm-up
        assertEquals(0.5, wc.at(55), 1e-12); // half-way through the cosine part
        assertTrue(wc.at(99) < 0.01);
    }

    @Test
    void unknownScheduleIsRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Schedule(1, "exponential", 10));
        assertTrue(e.getMessage().contains("exponential"));
    }
}
