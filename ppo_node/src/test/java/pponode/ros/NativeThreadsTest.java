package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import pponode.TestDomains;
import std_msgs.msg.dds.Bool;
import std_msgs.msg.dds.BoolPubSubType;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * The DDS threads that deliver messages to the node leave the JVM when their participant goes: a
 * process that creates and destroys participants (a long-running node's restarts, a test suite)
 * does not pile up JavaThreads whose OS threads are gone, which crashed a thread dump.
 */
class NativeThreadsTest {
    @Test
    void theThreadsThatDeliveredMessagesAreGoneWithTheirParticipants() throws Exception {
        Set<Thread> delivering = ConcurrentHashMap.newKeySet();
        int domain = TestDomains.claim();
        for (int round = 0; round < 4; round++) {
            RosParams p = new RosParams();
            p.domainId = domain;
            p.nodeName = "native_threads_" + round;
            ROS2Node node = Ros2.node(p);
            NetworkInput input = new NetworkInput();
            Set<Thread> heard = ConcurrentHashMap.newKeySet();
            input.subscribe(node, new BoolPubSubType(), "/native_threads", Ros2.anyWriter(), sub -> {
                sub.takeNextData();
                heard.add(Thread.currentThread());
            });
            BoolPubSubType type = new BoolPubSubType();
            ROS2PublisherBasics<Bool> pub = node.createPublisher(type, node.createPublisherAttributes(type, "/native_threads", Ros2.qos("reliable")));
            long end = System.currentTimeMillis() + 30_000;
            while (heard.isEmpty()) {
                assertTrue(System.currentTimeMillis() < end, "round " + round + ": a message delivered");
                pub.publish(new Bool());
                Thread.sleep(20);
            }
            assertTrue(Ros2.destroy(node, input));
            delivering.addAll(heard);
        }
        long end = System.currentTimeMillis() + 30_000;
        while (delivering.stream().anyMatch(Thread::isAlive) && System.currentTimeMillis() < end) Thread.sleep(20);
        List<String> left = delivering.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        assertFalse(delivering.isEmpty());
        assertTrue(left.isEmpty(), "DDS threads still attached after their participants were destroyed: " + left);
    }
}
