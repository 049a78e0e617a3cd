package pponode.env.terms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TaskFiles;
import pponode.env.Space;

/** Observation terms by name: a term of one's own from the class path sizes, bounds and fills its part of the observation. */
class ObservationTermsTest {
    @TempDir
    Path dir;

    /** One value per observed joint, always 1, bounded to [0, 2]: contributed through META-INF/services. */
    public static final class OnesTerms implements ObservationTerms.Provider {
        @Override
        public Map<String, ObservationTerm> terms() {
            return Map.of("test_ones", new ObservationTerm() {
                @Override
                public Set<Input> inputs() {
                    return EnumSet.of(Input.JOINT_POSITIONS);
                }

                @Override
                public int size(Shape shape) {
                    return shape.joints();
                }

                @Override
                public void fill(Inputs in, float[] out, int offset) {
                    Arrays.fill(out, offset, offset + in.q().length, 1f);
                }

                @Override
                public void bounds(Shape shape, float[] low, float[] high, int offset) {
                    Arrays.fill(low, offset, offset + shape.joints(), 0f);
                    Arrays.fill(high, offset, offset + shape.joints(), 2f);
                }
            });
        }
    }

    @Test
    void aTermFromTheClassPathIsPartOfTheObservation() throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, Files.readString(Path.of("../urdf/tasks/reacher_2dof.yaml"))
                .replace("robot: ../reacher_2dof.urdf", "robot: " + Path.of("../urdf/reacher_2dof.urdf").toAbsolutePath())
                .replace("observation: [joint_pos_cos_sin, joint_vel, target, tip_to_target]", "observation: [joint_pos, test_ones]"));
        RobotTask t = TaskFiles.load(f);
        Space.Box box = t.observationSpace();
        assertArrayEquals(new float[] {-3.1f, -2.6f, 0f, 0f}, box.low());
        assertArrayEquals(new float[] {3.1f, 2.6f, 2f, 2f}, box.high());
        try (RobotEnv e = new RobotEnv(t, 3)) {
            float[] o = e.reset(3L);
            assertEquals(4, o.length);
            assertEquals(1f, o[2]);
            assertEquals(1f, o[3]);
            assertEquals("[{term=joint_pos, size=2}, {term=test_ones, size=2}]", e.observationLayout().toString());
        }
        assertTrue(ObservationTerms.names().containsAll(List.of("joint_pos", "joint_pos_cos_sin", "joint_vel", "target", "tip_to_target",
                "tip_position", "last_action", "test_ones")));
    }
}
