package pponode.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pponode.env.Env;
import pponode.env.EnvRegistry;
import pponode.env.RobotEnv;
import pponode.env.RobotTask;
import pponode.env.TimeLimit;
import pponode.sim.urdf.UrdfModel;

/** What a robot needs to run a policy, as ONNX metadata: joints, limits, interface, rates, hashes. */
public final class Deployment {
    private Deployment() {}

    /** Metadata for environment or task {@code envId} (empty beyond the env id for non-robot environments). */
    public static Map<String, String> metadata(String envId) {
        Map<String, String> m = new LinkedHashMap<>();
        RobotTask t = EnvRegistry.task(envId);
        if (t == null) return m;
        m.put("ppo_node.task", t.name);
        m.put("ppo_node.task_sha256", t.sha256);
        m.put("ppo_node.robot", t.robot.name());
        m.put("ppo_node.urdf", t.robotSource);
        m.put("ppo_node.urdf_sha256", t.robot.sha256());
        m.put("ppo_node.observed_joints", OnnxExporter.json(t.observedJoints));
        m.put("ppo_node.actuated_joints", OnnxExporter.json(t.actuatedJoints));
        m.put("ppo_node.command_interface", t.commandInterface);
        List<Map<String, Object>> limits = new ArrayList<>();
        for (String j : t.actuatedJoints) {
            UrdfModel.Joint jt = t.robot.joint(j);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("joint", j);
            l.put("lower", Double.isFinite(jt.lower()) ? jt.lower() : null);
            l.put("upper", Double.isFinite(jt.upper()) ? jt.upper() : null);
            l.put("velocity", Double.isFinite(jt.velocity()) ? jt.velocity() : null);
            l.put("effort", Double.isFinite(jt.effort()) ? jt.effort() : null);
            limits.add(l);
        }
        m.put("ppo_node.joint_limits", OnnxExporter.json(limits));
        m.put("ppo_node.control_rate_hz", String.valueOf(t.controlRateHz));
        m.put("ppo_node.physics_dt", String.valueOf(t.physicsDt));
        m.put("ppo_node.decimation", String.valueOf(t.decimation));
        if (t.tipLink != null) m.put("ppo_node.tip_link", t.tipLink);
        if (t.history != null) m.put("ppo_node.observation_history_order", t.history.order().wire());
        if (t.kp != null) m.put("ppo_node.pd_kp", OnnxExporter.json(t.kp));
        if (t.kd != null) m.put("ppo_node.pd_kd", OnnxExporter.json(t.kd));
        try (Env e = EnvRegistry.make(envId, 0)) {
            Env inner = e instanceof TimeLimit tl ? tl.unwrapped() : e;
            if (inner instanceof RobotEnv re) m.put("ppo_node.observation_layout", OnnxExporter.json(re.observationLayout()));
            m.put("ppo_node.observation_size", String.valueOf(e.observationSpace().flatDim()));
        }
        return m;
    }
}
