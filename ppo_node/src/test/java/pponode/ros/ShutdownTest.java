package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import pponode.TestDomains;
import std_msgs.msg.dds.Bool;
import std_msgs.msg.dds.BoolPubSubType;
import us.ihmc.pubsub.DomainFactory.PubSubImplementation;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2PublisherBasics;

/**
 * A node stops when told, whatever its subscriptions are doing: its message handlers are done
 * before its subscribers are deleted, and a participant whose deletion does not return is left
 * behind after a deadline instead of hanging the process (deploy hung on Ctrl-C inside the native
 * subscriber deletion).
 */
class ShutdownTest {
    /** A real node that notes, when its destruction starts, whether the message handler had returned; its destruction can be held. */
    static final class WatchedNode extends ROS2Node {
        final AtomicBoolean handlerReturned = new AtomicBoolean();
        final AtomicReference<Boolean> handlerReturnedAtDestroy = new AtomicReference<>();
        final CountDownLatch destroyMayFinish;

        WatchedNode(String name, int domain, boolean destroyHangs) {
            super(PubSubImplementation.FAST_RTPS, name, domain);
            destroyMayFinish = new CountDownLatch(destroyHangs ? 1 : 0);
        }

        @Override
        public void destroy() {
            handlerReturnedAtDestroy.compareAndSet(null, handlerReturned.get());
            try {
                destroyMayFinish.await(); // a stuck native deletion, when the test asks for one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.destroy();
        }
    }

    /** Subscribes a handler to /shutdown_test that receives one message and holds it until {@code release}; returns when it has one. */
    private static NetworkInput holdAMessage(WatchedNode node, ROS2Node peer, CountDownLatch release) throws InterruptedException {
        NetworkInput input = new NetworkInput();
        CountDownLatch entered = new CountDownLatch(1);
        input.subscribe(node, new BoolPubSubType(), "/shutdown_test", Ros2.anyWriter(), sub -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sub.takeNextData();
            node.handlerReturned.set(true);
        });
        BoolPubSubType type = new BoolPubSubType();
        ROS2PublisherBasics<Bool> pub = peer.createPublisher(type, peer.createPublisherAttributes(type, "/shutdown_test", Ros2.qos("reliable")));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!entered.await(20, TimeUnit.MILLISECONDS)) {
            assertTrue(System.nanoTime() < deadline, "the handler received a message");
            pub.publish(new Bool());
        }
        return input;
    }

    @Test
    void theHandlersReturnBeforeTheSubscribersAreDeleted() throws Exception {
        int domain = TestDomains.claim();
        WatchedNode node = new WatchedNode("shutdown_test", domain, false);
        ROS2Node peer = new ROS2Node(PubSubImplementation.FAST_RTPS, "shutdown_test_peer", domain);
        try {
            CountDownLatch release = new CountDownLatch(1);
            NetworkInput input = holdAMessage(node, peer, release);
            AtomicBoolean destroyed = new AtomicBoolean();
            Thread closer = new Thread(() -> destroyed.set(Ros2.destroy(node, input)));
            closer.start();
            closer.join(500); // the shutdown is under way while the handler still holds its message
            release.countDown();
            closer.join(30_000);
            assertFalse(closer.isAlive(), "the node's shutdown returned");
            assertTrue(destroyed.get(), "the participant was destroyed");
            assertTrue(node.handlerReturnedAtDestroy.get(), "the running handler had returned before the node's destruction began");
        } finally {
            peer.destroy();
        }
    }

    @Test
    void aParticipantThatDoesNotShutDownIsLeftAfterTheDeadline() throws Exception {
        int domain = TestDomains.claim();
        WatchedNode node = new WatchedNode("stuck_test", domain, true);
        AtomicReference<Boolean> destroyed = new AtomicReference<>();
        Thread closer = new Thread(() -> destroyed.set(Ros2.destroy(node)));
        closer.start();
        closer.join(Ros2.SHUTDOWN_TIMEOUT_MS + 30_000);
        try {
            assertFalse(closer.isAlive(), "shutdown returned although the participant's deletion did not");
            assertFalse(destroyed.get(), "and said it was left behind");
        } finally {
            node.destroyMayFinish.countDown();
        }
    }
}
