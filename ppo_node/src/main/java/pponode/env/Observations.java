package pponode.env;

/**
 * Builds a task's observation vector from joint states, the tip position and the target, term by
 * term. The simulator env and the ROS 2 node both use it, so a policy sees the same layout in
 * training and on the robot.
 */
public final class Observations {
    private Observations() {}

    /** Size of {@code term} for a task with {@code joints} observed joints, {@code targetAxes} target axes and {@code actions} actions. */
    public static int size(String term, int joints, int targetAxes, int actions) {
        return switch (term) {
            case "joint_pos", "joint_vel" -> joints;
            case "joint_pos_cos_sin" -> 2 * joints;
            case "target", "tip_to_target" -> targetAxes;
            case "tip_position" -> 3;
            case "last_action" -> actions;
            default -> throw new IllegalArgumentException("unknown observation term '" + term + "'");
        };
    }

    /**
     * Fills {@code out}; {@code q}/{@code qd} are the observed joints' positions and velocities in
     * the task's order, {@code lastAction} is normalised to [-1, 1].
     */
    public static void fill(RobotTask task, int[] targetAxes, double[] q, double[] qd, double[] tip, double[] target, float[] lastAction, float[] out) {
        int k = 0;
        for (String term : task.observation) {
            switch (term) {
                case "joint_pos" -> {
                    for (double v : q) out[k++] = (float) v;
                }
                case "joint_pos_cos_sin" -> {
                    for (double v : q) out[k++] = (float) Math.cos(v);
                    for (double v : q) out[k++] = (float) Math.sin(v);
                }
                case "joint_vel" -> {
                    for (double v : qd) out[k++] = (float) v;
                }
                case "target" -> {
                    for (int a : targetAxes) out[k++] = (float) target[a];
                }
                case "tip_to_target" -> {
                    for (int a : targetAxes) out[k++] = (float) (target[a] - tip[a]);
                }
                case "tip_position" -> {
                    for (int a = 0; a < 3; a++) out[k++] = (float) tip[a];
                }
                case "last_action" -> {
                    for (float a : lastAction) out[k++] = a;
                }
                default -> throw new IllegalStateException(term);
            }
        }
    }
}
