package pponode.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pponode.env.EnvRegistry;
import pponode.env.RobotTask;
import pponode.onnx.OnnxPolicy;
import pponode.ros.CommandLog;
import pponode.ros.DeployNode;
import pponode.ros.RosParams;
import pponode.teleop.MqttOperatorChannel;
import pponode.teleop.StateRequests;
import pponode.teleop.TeleopConfig;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Run an ONNX policy on a robot over ROS 2: joint states in, commands out, with watchdog and e-stop.")
final class DeployCommand implements Callable<Integer> {
    @Mixin
    RosOptions ros;

    @Option(names = "--policy", description = "The .onnx policy (default: the 'policy' parameter).")
    Path policy;

    @Option(names = "--record", paramLabel = "FILE", description = "Write every joint state with the command in force to this CSV (a new file): "
            + "the log ppo-node fit-actuator fits an actuator network from.")
    Path record;

    @Option(names = "--teleop-config", description = "YAML file with a 'teleop:' section: state requests (mode, e-stop) over MQTT besides the ROS 2 topics.")
    Path teleopConfig;

    @Option(names = "--teleop", description = "One teleop setting, e.g. --teleop broker=tcp://localhost:1883 (repeatable): with a broker, "
            + "operators request states and the e-stop on the teleop command topic, and every transition goes out as telemetry.")
    List<String> teleop = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RosParams p = ros.load("ppo_node");
        if (policy != null) p.policy = policy.toString();
        try (OnnxPolicy op = OnnxPolicy.load(Path.of(p.policy), OnnxPolicy.Runtime.named(p.onnxRuntime))) {
            if (ros.task == null && !ros.params.stream().anyMatch(s -> s.startsWith("task=")) && op.metadata().containsKey("ppo_node.task")) {
                p.task = op.metadata().get("ppo_node.task");
            }
            RobotTask task = EnvRegistry.task(p.task);
            if (task == null) {
                throw new IllegalArgumentException("unknown task '" + p.task + "'" + (ros.task == null ? " (named by " + p.policy + "): a task outside urdf/tasks/ is "
                        + "given by its file, --task path/to/" + p.task + ".yaml" : ""));
            }
            TeleopConfig tc = teleopConfig != null ? TeleopConfig.load(teleopConfig) : new TeleopConfig();
            tc.apply(teleop).validate();
            CommandLog log = record == null ? null : new CommandLog(record, task.actuatedJoints);
            DeployNode node = new DeployNode(p, op, task);
            try (node; log) {
                if (log != null) node.record(log);
                try (MqttOperatorChannel operators = tc.broker.isEmpty() ? null : operatorChannel(tc, node)) {
                    node.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
                    ros.waitUntilDone();
                }
            }
            // after close: the count includes the stop commands it sent
            System.err.printf("deploy: %d commands published (%d safe), %d missed deadlines, %d received messages dropped%n", node.published(), node.safeTicks(),
                    node.missedDeadlines(), node.droppedMessages());
            if (log != null) System.err.printf("deploy: %d joint states recorded in %s%n", log.rows(), record);
        }
        return 0;
    }

    /** State requests and the e-stop from the teleop command topic; each transition as the telemetry record. */
    private static MqttOperatorChannel operatorChannel(TeleopConfig tc, DeployNode node) throws IOException {
        MqttOperatorChannel channel = new MqttOperatorChannel(tc, new StateRequests(tc, System::currentTimeMillis, new StateRequests.Listener() {
            @Override
            public void mode(String state, String source) {
                node.requestState(state, source);
            }

            @Override
            public void estop(boolean engaged, String channel, String source) {
                node.estop(engaged, channel, source);
            }
        }));
        node.onTransition(t -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("state", t.to().wire());
            fields.put("from", t.from().wire());
            fields.put("reason", t.reason());
            channel.publishTelemetry(fields);
        });
        return channel;
    }
}
