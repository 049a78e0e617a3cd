package pponode.ros;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.ihmc.idl.CDR;
import us.ihmc.idl.InterchangeSerializer;
import us.ihmc.pubsub.TopicDataType;
import us.ihmc.pubsub.attributes.SubscriberAttributes;
import us.ihmc.pubsub.common.SerializedPayload;
import us.ihmc.pubsub.subscriber.Subscriber;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2QosProfile;

/**
 * Everything the node reads from the network goes through here, so that no message any
 * participant can send crashes the node or stalls its control loop.
 *
 * <p>ROS 2 strings and sequences are unbounded, but the generated IHMC types size a subscriber's
 * receive buffer for 255-character strings; a longer (valid) message overran it and the exception
 * thrown from the DDS callback corrupted Fast DDS's heap (exit 134). Here a subscription's buffer
 * holds any message up to {@link #RECEIVE_SLOT_BYTES}, messages up to {@link #MAX_MESSAGE_BYTES} are
 * accepted, and a sample that cannot be taken or decoded (larger, or malformed) is dropped and
 * counted per topic, with a report at most every {@link #REPORT_PERIOD_MS} ms: never an exception
 * back into the DDS thread.
 */
public final class NetworkInput {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkInput.class);
    /** The largest message accepted on any topic the node reads (64 KiB: a 100-joint JointState with long names is ~8 KiB). */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /**
     * The size of a reader's preallocated sample slot: a message up to this size reaches the node
     * and, when larger than MAX_MESSAGE_BYTES, is dropped and counted here; a larger one is refused
     * inside Fast DDS (which logs it, to stderr). 256 KiB per slot, a handful of slots per reader.
     */
    public static final int RECEIVE_SLOT_BYTES = 256 * 1024;
    static final long REPORT_PERIOD_MS = 5_000;

    /** What to do with one message taken off a subscription. */
    public interface Handler<T> {
        void onMessage(Subscriber<T> subscriber) throws IOException;
    }

    private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> reported = new ConcurrentHashMap<>();
    private volatile long lastReportMs;

    /** Handlers running now, and whether {@link #close} has shut the door on new ones (guarded by {@code this}). */
    private int handling;
    private boolean closed;

    /** Subscribes {@code handler} to {@code topic}; what it cannot handle is dropped and counted, never thrown. */
    public <T> void subscribe(ROS2Node node, TopicDataType<T> type, String topic, ROS2QosProfile qos, Handler<T> handler) {
        SizeLimited<T> sized = new SizeLimited<>(type);
        SubscriberAttributes attributes = FixedSizeSamples.of(node.createSubscriberAttributes(topic, sized, qos));
        node.createSubscription(sized, sub -> {
            NativeThreads.detachAtExit(); // a DDS thread: detached from the JVM when it ends
            if (!enter()) return; // shutting down: the subscriber is not touched again (see close)
            try {
                handler.onMessage(refusingOversized(sub, sized, topic));
            } catch (Exception | StackOverflowError e) {
                drop(topic, e);
            } finally {
                exit();
            }
        }, attributes);
    }

    private synchronized boolean enter() {
        if (closed) return false;
        handling++;
        return true;
    }

    private synchronized void exit() {
        handling--;
        notifyAll();
    }

    /**
     * Stops handing messages to the handlers and waits (up to {@code timeoutMs}) for those running to
     * return; true if they all did. Call it before the node is destroyed: the IHMC subscriber's
     * delete holds its lock while Fast DDS waits for the running callback to return, and a callback
     * that then takes a message waits for that lock: a deadlock that hung Ctrl-C.
     */
    public synchronized boolean close(long timeoutMs) throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (handling > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000L));
        }
        return true;
    }

    /**
     * The subscriber as the handler sees it: a take or read of a message larger than
     * MAX_MESSAGE_BYTES yields nothing (null, or false) and counts a drop. (The IHMC subscriber
     * would print the stack trace of any exception from decoding and hand back an empty message.)
     */
    @SuppressWarnings("unchecked")
    private <T> Subscriber<T> refusingOversized(Subscriber<T> sub, SizeLimited<T> type, String topic) {
        return (Subscriber<T>) Proxy.newProxyInstance(Subscriber.class.getClassLoader(), new Class<?>[] {Subscriber.class}, (proxy, method, args) -> {
            boolean takesASample = method.getName().startsWith("takeNextData") || method.getName().startsWith("readNextData");
            if (takesASample) type.refusedBytes.set(0);
            Object result;
            try {
                result = method.invoke(sub, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!takesASample || type.refusedBytes.get() == 0) return result;
            drop(topic, new IOException("a message of " + type.refusedBytes.get() + " bytes"));
            return method.getReturnType() == boolean.class ? false : null;
        });
    }

    /**
     * Fast DDS keeps every sample of this reader in a preallocated slot of the type's size
     * (RECEIVE_SLOT_BYTES): a larger sample cannot be stored and is refused inside Fast DDS.
     * With the default memory policy (preallocated with realloc) it was stored whole and then
     * copied into the receive buffer without a bound, overwriting the heap.
     */
    static final class FixedSizeSamples extends SubscriberAttributes {
        /** The node's attributes for the topic (name, partitions, QoS), with this memory policy. */
        static FixedSizeSamples of(SubscriberAttributes a) {
            FixedSizeSamples f = new FixedSizeSamples();
            f.topicDataType(a.getTopicDataType()).topicName(a.getTopicName()).partitions(a.getPartitions()).reliabilityKind(a.getReliabilityKind())
                    .durabilityKind(a.getDurabilityKind()).historyQosPolicyKind(a.getHistoryQosPolicyKind()).historyDepth(a.getHistoryDepth());
            return f;
        }

        @Override
        public String marshall(String profileName) throws IOException {
            String xml = super.marshall(profileName);
            int end = xml.lastIndexOf("</data_reader>");
            if (end < 0) throw new IOException("unexpected Fast DDS reader profile: " + xml);
            return xml.substring(0, end) + "<historyMemoryPolicy>PREALLOCATED</historyMemoryPolicy>\n" + xml.substring(end);
        }
    }

    /** Messages dropped on {@code topic} so far. */
    public long dropped(String topic) {
        AtomicLong n = dropped.get(topic);
        return n == null ? 0 : n.get();
    }

    /** Messages dropped on all topics so far. */
    public long dropped() {
        return dropped.values().stream().mapToLong(AtomicLong::get).sum();
    }

    void drop(String topic, Throwable why) {
        dropped.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
        long now = System.currentTimeMillis();
        if (now - lastReportMs < REPORT_PERIOD_MS) return;
        lastReportMs = now;
        StringBuilder b = new StringBuilder();
        dropped.forEach((t, n) -> {
            long since = n.get() - reported.computeIfAbsent(t, x -> new AtomicLong()).getAndSet(n.get());
            if (since > 0) b.append(b.length() == 0 ? "" : ", ").append(since).append(" on ").append(t);
        });
        LOG.warn("dropped messages it cannot take (larger than {} bytes or malformed): {}; last: {}", MAX_MESSAGE_BYTES, b,
                why.getMessage() != null ? why.getMessage() : why.getClass().getSimpleName());
    }

    /** A generated message type whose receive buffer holds messages up to MAX_MESSAGE_BYTES; everything else is the generated code's. */
    static final class SizeLimited<T> implements TopicDataType<T> {
        private final TopicDataType<T> type;
        /**
         * The size of the last sample refused for being larger than MAX_MESSAGE_BYTES; 0 when it was
         * decoded. Shared with the copies the subscriber makes (newInstance), which do the decoding.
         */
        final AtomicInteger refusedBytes;

        SizeLimited(TopicDataType<T> type) {
            this(type, new AtomicInteger());
        }

        private SizeLimited(TopicDataType<T> type, AtomicInteger refusedBytes) {
            this.type = type;
            this.refusedBytes = refusedBytes;
        }

        @Override
        public int getTypeSize() {
            return Math.max(type.getTypeSize(), RECEIVE_SLOT_BYTES);
        }

        @Override
        public void serialize(T data, SerializedPayload payload) throws IOException {
            type.serialize(data, payload);
        }

        @Override
        public void deserialize(SerializedPayload payload, T data) throws IOException {
            if (payload.getLength() > MAX_MESSAGE_BYTES) {
                refusedBytes.set(payload.getLength()); // not decoded: the subscriber the handler sees yields nothing for it
                return;
            }
            type.deserialize(payload, data);
        }

        @Override
        public void serialize(T data, InterchangeSerializer s) {
            type.serialize(data, s);
        }

        @Override
        public void deserialize(InterchangeSerializer s, T data) {
            type.deserialize(s, data);
        }

        @Override
        public void serialize(T data, CDR cdr) {
            type.serialize(data, cdr);
        }

        @Override
        public void deserialize(T data, CDR cdr) {
            type.deserialize(data, cdr);
        }

        @Override
        public void copy(T src, T dest) {
            type.copy(src, dest);
        }

        @Override
        public String getName() {
            return type.getName();
        }

        @Override
        public String getDefinitionChecksum() {
            return type.getDefinitionChecksum();
        }

        @Override
        public String getDefinitionVersion() {
            return type.getDefinitionVersion();
        }

        @Override
        public T createData() {
            return type.createData();
        }

        @Override
        public TopicDataType<T> newInstance() {
            return new SizeLimited<>(type.newInstance(), refusedBytes);
        }
    }
}
