package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pponode.cli.Main;

/** Topic names resolve as rclcpp resolves them: namespace, ~, remapping rules, and the --ros-args a launch file passes. */
class RosNamesTest {
    @Test
    void relativeNamesResolveUnderTheNamespace() {
        RosParams p = new RosParams();
        assertEquals("/joint_states", p.resolve(p.jointStateTopics.get(0)), "no namespace: the names of a plain ROS 2 robot");
        assertEquals("/ppo_node/target", p.resolve(p.targetTopic));
        assertEquals("/forward_position_controller/commands", p.resolve(p.commandTopic("position")));
        p.set("namespace", "robot1");
        assertEquals("/robot1", p.namespace, "a leading slash is added, as rclcpp does");
        assertEquals("/robot1/joint_states", p.resolve("joint_states"));
        assertEquals("/joint_states", p.resolve("/joint_states"), "absolute names stay");
        assertEquals("/robot1/ppo_node/diagnostics", p.resolve("~/diagnostics"), "~ is the node's fully-qualified name");
        p.set("namespace", "/fleet/robot_2/");
        assertEquals("/fleet/robot_2/joint_states", p.resolve("joint_states"));
        for (String bad : List.of("1robot", "/a//b", "robot-1", "/a/2b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RosParams().set("namespace", bad), bad);
            assertTrue(e.getMessage().contains("'namespace'") && e.getMessage().contains(bad), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new RosParams().set("watch_policy", "yes"), "booleans are true or false only");
    }

    @Test
    void remappingRulesAndRosArgs() {
        RosParams p = new RosParams();
        p.remap("__ns:=/robot3").remap("joint_states:=/hw/joint_states").remap("__node:=arm_policy");
        assertEquals("/robot3", p.namespace);
        assertEquals("arm_policy", p.nodeName);
        assertEquals("/hw/joint_states", p.resolve("joint_states"), "a rule matches the resolved name");
        assertEquals("/robot3/arm_policy/target", p.resolve("~/target"));
        assertThrows(IllegalArgumentException.class, () -> new RosParams().remap("joint_states"));
        String[] args = Main.rosArgs("deploy", "--policy", "p.onnx", "--ros-args", "-r", "__ns:=/robot1", "-p", "watchdog_periods:=5",
                "--params-file", "deploy.yaml", "--log-level", "info", "--", "--duration", "3");
        assertEquals(List.of("deploy", "--policy", "p.onnx", "--remap", "__ns:=/robot1", "--param", "watchdog_periods=5", "--params-file", "deploy.yaml",
                "--duration", "3"), List.of(args));
    }
}
