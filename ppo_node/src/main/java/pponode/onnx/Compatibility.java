package pponode.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pponode.env.RobotTask;

/**
 * Checks an exported policy against the robot it is pointed at, refusing every difference that
 * would make it act wrongly (missing joint, other limits, other command interface, other control
 * rate, other observation layout) with a message naming it. When the robot lists the same joints
 * in another order, it builds index maps so observations and actions are remapped by name.
 */
public final class Compatibility {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code obsFromRobot[k]} = robot-side index of policy observation element k; same for actions. */
    public record Remap(int[] obsFromRobot, int[] actionToRobot) {
        public void observation(float[] robotObs, float[] policyObs) {
            for (int k = 0; k < obsFromRobot.length; k++) policyObs[k] = robotObs[obsFromRobot[k]];
        }

        public void action(float[] policyAction, float[] robotAction) {
            for (int k = 0; k < actionToRobot.length; k++) robotAction[actionToRobot[k]] = policyAction[k];
        }
    }

    private Compatibility() {}

    public static Remap check(OnnxPolicy p, RobotTask task, Map<String, String> taskMeta) {
        Map<String, String> m = p.metadata();
        String file = p.path().getFileName().toString();
        List<String> pObs = p.stringList("ppo_node.observed_joints"), pAct = p.stringList("ppo_node.actuated_joints");
        if (pAct.isEmpty()) throw new IllegalArgumentException(file + " was not trained on a robot task (no actuated joints in its metadata)");
        for (String j : pAct) {
            if (!task.actuatedJoints.contains(j)) {
                throw new IllegalArgumentException(file + " commands joint '" + j + "', which task " + task.name + " does not actuate (actuated: " + task.actuatedJoints + ")");
            }
        }
        if (pAct.size() != task.actuatedJoints.size()) {
            throw new IllegalArgumentException(file + " commands " + pAct.size() + " joints " + pAct + ", task " + task.name + " actuates " + task.actuatedJoints);
        }
        for (String j : pObs) {
            if (!task.observedJoints.contains(j)) {
                throw new IllegalArgumentException(file + " observes joint '" + j + "', which task " + task.name + " does not provide (observed: " + task.observedJoints + ")");
            }
        }
        same(file, "command interface", m.get("ppo_node.command_interface"), task.commandInterface);
        same(file, "control rate (Hz)", m.get("ppo_node.control_rate_hz"), taskMeta.get("ppo_node.control_rate_hz"));
        same(file, "joint limits", m.get("ppo_node.joint_limits"), sortedLimits(taskMeta.get("ppo_node.joint_limits"), pAct));
        same(file, "observation layout", m.get("ppo_node.observation_layout"), taskMeta.get("ppo_node.observation_layout"));
        String pOrder = m.getOrDefault("ppo_node.observation_history_order", "none"), tOrder = taskMeta.getOrDefault("ppo_node.observation_history_order", "none");
        if (!pOrder.equals(tOrder)) throw new IllegalArgumentException(file + ": observation history order differs: policy " + pOrder + ", robot " + tOrder);
        if (p.observationSize() != Integer.parseInt(taskMeta.getOrDefault("ppo_node.observation_size", String.valueOf(p.observationSize())))) {
            throw new IllegalArgumentException(file + " expects " + p.observationSize() + " observation values, task " + task.name + " produces "
                    + taskMeta.get("ppo_node.observation_size"));
        }
        int[] act = new int[pAct.size()];
        for (int k = 0; k < act.length; k++) act[k] = task.actuatedJoints.indexOf(pAct.get(k));
        int[] obs = observationMap(m.get("ppo_node.observation_layout"), pOrder.equals("time_major"), pObs, task.observedJoints, p.observationSize());
        return new Remap(obs, act);
    }

    private static void same(String file, String what, String policy, String robot) {
        if (policy == null || robot == null || !policy.equals(robot)) {
            throw new IllegalArgumentException(file + ": " + what + " differ: policy " + policy + ", robot " + robot);
        }
    }

    /** The task's joint-limit JSON reordered to the policy's joint order, so order alone is no mismatch. */
    @SuppressWarnings("unchecked")
    private static String sortedLimits(String json, List<String> order) {
        try {
            List<Map<String, Object>> l = JSON.readValue(json, List.class);
            List<Map<String, Object>> out = new ArrayList<>();
            for (String j : order) for (Map<String, Object> e : l) if (j.equals(e.get("joint"))) out.add(e);
            return OnnxExporter.json(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad joint limit metadata: " + json);
        }
    }

    @SuppressWarnings("unchecked")
    private static int[] observationMap(String layoutJson, boolean timeMajor, List<String> pJoints, List<String> rJoints, int size) {
        int[] map = new int[size];
        List<Map<String, Object>> layout;
        try {
            layout = JSON.readValue(layoutJson, List.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad observation layout metadata: " + layoutJson);
        }
        // term-major history: each term's frames one after another; time-major: whole frames
        int frames = timeMajor ? ((Number) layout.get(0).getOrDefault("history", 1)).intValue() : 1;
        int off = 0, n = pJoints.size();
        for (int f = 0; f < frames; f++) {
            for (Map<String, Object> t : layout) {
                String term = String.valueOf(t.get("term"));
                int sz = ((Number) t.get("size")).intValue();
                int copies = timeMajor ? 1 : ((Number) t.getOrDefault("history", 1)).intValue();
                for (int c = 0; c < copies; c++) {
                    for (int k = 0; k < sz; k++) {
                        int src = off + k;
                        if (term.equals("joint_pos") || term.equals("joint_vel") || term.equals("joint_pos_rel")) src = off + rJoints.indexOf(pJoints.get(k));
                        else if (term.equals("joint_pos_cos_sin")) src = off + (k / n) * n + rJoints.indexOf(pJoints.get(k % n));
                        map[off + k] = src;
                    }
                    off += sz;
                }
            }
        }
        return map;
    }
}
