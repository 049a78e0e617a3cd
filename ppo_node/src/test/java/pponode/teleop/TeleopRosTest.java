package pponode.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diagnostic_msgs.msg.dds.DiagnosticArray;
import diagnostic_msgs.msg.dds.DiagnosticArrayPubSubType;
import diagnostic_msgs.msg.dds.DiagnosticStatus;
import diagnostic_msgs.msg.dds.KeyValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import pponode.TestDomains;
import pponode.ros.Ros2;
import pponode.ros.RosNode;
import pponode.ros.RosParams;
import pponode.runner.Supervisor.Actor;
import std_msgs.msg.dds.StringPubSubType;
import us.ihmc.ros2.ROS2Node;

/** The same operator commands over ROS 2 (std_msgs/String with the JSON), and telemetry back on /diagnostics. */
class TeleopRosTest {
    @Test
    void commandsOverRos2TakeOverAndTelemetryComesBack() throws Exception {
        RosParams p = new RosParams();
        p.domainId = TestDomains.claim();
        p.nodeName = "ppo_node_teleop";
        TeleopConfig c = new TeleopConfig().apply(List.of("token=abc", "ros_topic=/ppo_node/teleop/cmd", "telemetry_period_ms=200"));
        TeleopArbiter a = new TeleopArbiter(c, List.of("joint1", "joint2"), new double[] {-1, -1}, new double[] {1, 1}, "velocity", System::currentTimeMillis);
        RosNode node = Ros2.node(p);
        RosParams q = new RosParams();
        q.domainId = p.domainId;
        q.nodeName = "operator_console";
        ROS2Node console = Ros2.node(q);
        try {
            RosOperatorChannel ch = new RosOperatorChannel(node, c, a);
            StringPubSubType t = new StringPubSubType();
            var pub = console.createPublisher(t, console.createPublisherAttributes(t, "/ppo_node/teleop/cmd", Ros2.qos("reliable")));
            List<String> telemetry = new CopyOnWriteArrayList<>();
            DiagnosticArrayPubSubType d = new DiagnosticArrayPubSubType();
            console.createSubscription(d, sub -> {
                DiagnosticArray m = sub.takeNextData();
                if (m == null) return;
                for (DiagnosticStatus s : m.getStatus()) {
                    StringBuilder line = new StringBuilder(s.getNameAsString() + "|" + s.getHardwareIdAsString() + "|" + s.getMessageAsString());
                    for (KeyValue kv : s.getValues()) line.append('|').append(kv.getKeyAsString()).append('=').append(kv.getValueAsString());
                    telemetry.add(line.toString());
                }
            }, console.createSubscriberAttributes("/diagnostics", d, Ros2.qos("reliable")));
            float[] policy = {0f, 0f}, ex = new float[2], demo = new float[2];
            long seq = 0, end = System.currentTimeMillis() + 15_000;
            Actor who = Actor.POLICY;
            while (who != Actor.OPERATOR && System.currentTimeMillis() < end) { // until DDS discovery has matched
                std_msgs.msg.dds.String m = new std_msgs.msg.dds.String();
                m.setData(new String(new OperatorCommand("bob", ++seq, System.currentTimeMillis(), true, Map.of("joint1", 0.5, "joint2", -0.5), "abc").toJson()));
                pub.publish(m);
                Thread.sleep(20);
                who = a.decide(0, null, policy, ex, demo);
            }
            assertEquals(Actor.OPERATOR, who, "a ROS 2 takeover command reached the arbiter");
            assertEquals(0.5f, ex[0], 1e-6f);
            std_msgs.msg.dds.String bad = new std_msgs.msg.dds.String();
            bad.setData("{\"seq\":" + (++seq) + ",\"stamp_ms\":" + System.currentTimeMillis() + ",\"takeover\":false}");
            pub.publish(bad); // no token: rejected, the operator keeps control
            end = System.currentTimeMillis() + 5_000;
            // on a loaded machine a takeover sent above may arrive stale and be rejected first; one writer's
            // messages arrive in order, so the unauthenticated one is the last rejection once it came
            while (!String.valueOf(a.lastRejection()).startsWith("unauthenticated") && System.currentTimeMillis() < end) Thread.sleep(10);
            assertTrue(String.valueOf(a.lastRejection()).startsWith("unauthenticated"), a.lastRejection());
            // telemetry: the latest record as node health on /diagnostics, every telemetry_period_ms (200 here)
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("update", 3);
            record.put("mode", "operator");
            record.put("intervention_rate", 0.25);
            record.put("policy_version", 2);
            ch.publishTelemetry(record);
            end = System.currentTimeMillis() + 10_000;
            while (telemetry.size() < 2 && System.currentTimeMillis() < end) Thread.sleep(20);
            assertTrue(telemetry.size() >= 2, "periodic telemetry: " + telemetry);
            assertEquals("/ppo_node_teleop: fine-tuning|robot|fine-tuning, update 3, operator acting|update=3|mode=operator|intervention_rate=0.25|policy_version=2",
                    telemetry.get(0));
            ch.close();
        } finally {
            console.destroy();
            node.destroy();
        }
    }
}
