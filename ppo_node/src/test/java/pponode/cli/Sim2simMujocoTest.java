package pponode.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pponode.Peers;
import pponode.sim.mujoco.MujocoRobot;

/**
 * sim2sim against MuJoCo: the shipped quadruped policy in the deploy node as it ships, over DDS,
 * drives a robot MuJoCo simulates in its own process (libmujoco-dev and CycloneDDS, from Debian),
 * whose commands reach its motors 10 ms late on ground of friction 0.8; MuJoCo measures the walk.
 */
@Tag("slow")
class Sim2simMujocoTest {
    @Test
    @SuppressWarnings("unchecked")
    void theDeployNodeDrivesAMujocoRobotOverDdsAndMujocoJudgesIt() throws Exception {
        String why = MujocoRobot.unavailableReason();
        Peers.require(why == null, "MuJoCo and CycloneDDS (" + why + ")", "apt-get install libmujoco-dev cyclonedds-dev cyclonedds-tools gcc");
        String policy = Path.of("../urdf/policies/quadruped_forward.onnx").toString();
        Cli.Result r = Cli.run("sim2sim", "--policy", policy, "--task", "quadruped_forward", "--sim", "mujoco", "--robot-delay-ms", "10", "--friction", "0.8",
                "--command", "0.5,0,0", "--episodes", "1", "--fail-if", "falls>1", "--fail-if", "eval_mean_vx>100", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = new ObjectMapper().readValue(r.lastLine(), Map.class);
        assertEquals("mujoco", j.get("sim"));
        assertEquals(1, ((Number) j.get("episodes")).intValue());
        assertEquals(10.0, ((Number) j.get("robot_delay_ms")).doubleValue());
        assertEquals(0.8, ((Number) j.get("friction")).doubleValue());
        // the node went passive -> standby -> policy by itself, and its commands moved the MuJoCo robot forward
        assertTrue(r.err().contains("passive -> standby: auto_engage") && r.err().contains("standby -> policy: auto_engage"), r.err());
        assertTrue(((Number) j.get("eval_mean_length")).doubleValue() > 0, r.lastLine());
        assertTrue(((Number) j.get("eval_mean_vx")).doubleValue() > 0.05, "the policy walks the MuJoCo robot forward: " + r.lastLine());
        // a gate that the measurement passes makes the exit code 1
        Cli.Result gated = Cli.run("sim2sim", "--policy", policy, "--task", "quadruped_forward", "--sim", "mujoco", "--command", "0.5,0,0", "--episodes", "1",
                "--fail-if", "eval_mean_vx<100");
        assertEquals(1, gated.code(), gated.err());
        assertTrue(gated.err().contains("sim2sim gate eval_mean_vx < 100.0: FAILED"), gated.err());
    }

    @Test
    void theMujocoRobotsSettingsBelongToTheMujocoSim() {
        Cli.Result r = Cli.run("sim2sim", "--policy", "../urdf/policies/quadruped_forward.onnx", "--sim", "perturbed", "--friction", "0.5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--robot-delay-ms, --robot-lag-ms, --motor, --friction and --record describe the MuJoCo robot: use them with --sim mujoco"), r.err());
        r = Cli.run("sim2sim", "--policy", "../urdf/policies/reacher_2dof.onnx", "--sim", "mujoco");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("sim2sim --sim mujoco judges floating-base (legged) tasks; reacher_2dof has a fixed base"), r.err());
        r = Cli.run("sim2sim", "--policy", "../urdf/policies/reacher_2dof.onnx", "--gazebo", "partition=x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--gazebo settings are for --sim gazebo, not --sim perturbed"), r.err());
        r = Cli.run("sim2sim", "--policy", "../urdf/policies/reacher_2dof.onnx", "--sim", "isaac");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--sim must be 'perturbed', 'mujoco' or 'gazebo', got 'isaac'"), r.err());
    }
}
