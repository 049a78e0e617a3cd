package pponode.sim.gazebo;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import pponode.sim.gazebo.msgs.Discovery;

/**
 * A Gazebo Transport node in Java, wire-compatible with ign-transport 8-11 and gz-transport 12-14
 * (discovery wire version 10): topics are published on a ZeroMQ PUB socket as the frames
 * [topic][publisher address][payload][type name]; services are ROUTER-to-ROUTER requests
 * [replier id][topic][response address][response id][node uuid][request uuid][payload][request
 * type][response type] answered with [response id][topic][node uuid][request uuid][payload][result].
 *
 * <p>Discovery runs on two {@link DiscoveryChannel}s. A subscriber announces
 * {@code NEW_CONNECTION} (carrying the publisher's process UUID in the {@code ctrl} field, as the
 * library does) after connecting, or a C++ publisher never sends. One thread polls the ZeroMQ
 * sockets and runs subscription and service callbacks, so callbacks must be short; publishing and
 * requests may come from any thread.
 */
public final class GazeboNode implements AutoCloseable {
    private final GazeboOptions opts;
    private final String pUuid = UUID.randomUUID().toString();
    private final String nodeUuid = UUID.randomUUID().toString();
    private final String replierId = UUID.randomUUID().toString(), responseId = UUID.randomUUID().toString();
    private final ZContext ctx = new ZContext(1);
    private final ZMQ.Socket pub, sub, responseReceiver, replier;
    private ZMQ.Socket requester; // replaced when a connection never becomes routable (guarded by requestLock)
    private final Object requestLock = new Object();
    private final String pubAddress, replierAddress, responseAddress;
    private final DiscoveryChannel msgDisc, srvDisc;
    private final Thread poller;
    private final ConcurrentLinkedQueue<Runnable> pollerTasks = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** A subscription: delivered by the transport thread to {@code handler}, or read by its owner from its own {@code socket}. */
    private record Subscription(String type, Consumer<byte[]> handler, SocketOwner owner) {}

    /** A SUB socket and the connects waiting to be applied by the one thread that uses it. */
    private static final class SocketOwner {
        final ZMQ.Socket socket;
        final ConcurrentLinkedQueue<Runnable> tasks;
        final Set<String> connected = ConcurrentHashMap.newKeySet();

        SocketOwner(ZMQ.Socket socket, ConcurrentLinkedQueue<Runnable> tasks) {
            this.socket = socket;
            this.tasks = tasks;
        }
    }

    private SocketOwner shared;

    private record Remote(String topic, String address, String processUuid, String nodeUuid, String type, String repType, String socketId) {}

    private record Service(String reqType, String repType, Function<byte[], byte[]> handler) {}

    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Remote>> remotePublishers = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> remoteSubscribers = new ConcurrentHashMap<>();
    private final Map<String, String> advertisedTypes = new ConcurrentHashMap<>();
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Remote>> remoteServices = new ConcurrentHashMap<>();
    private final Set<String> requesterConnected = ConcurrentHashMap.newKeySet();
    private final Set<String> replierConnected = ConcurrentHashMap.newKeySet();
    private final Object discoveryChanged = new Object();
    private final Map<String, String> wireNames = new ConcurrentHashMap<>();
    private final byte[] responseAddressBytes, responseIdBytes, nodeUuidBytes;
    private long requestSeq;

    /** A service answer: the payload and the replier's result flag. */
    public record Response(byte[] payload, boolean result) {}

    public GazeboNode(GazeboOptions opts) {
        this.opts = opts;
        String any = "tcp://" + opts.hostIp() + ":*";
        pub = ctx.createSocket(SocketType.PUB);
        pub.setLinger(0);
        pub.bind(any);
        pubAddress = pub.getLastEndpoint();
        sub = ctx.createSocket(SocketType.SUB);
        shared = new SocketOwner(sub, pollerTasks);
        responseReceiver = ctx.createSocket(SocketType.ROUTER);
        responseReceiver.setIdentity(responseId.getBytes(StandardCharsets.UTF_8));
        responseReceiver.bind(any);
        responseAddress = responseReceiver.getLastEndpoint();
        responseAddressBytes = responseAddress.getBytes(StandardCharsets.UTF_8);
        responseIdBytes = responseId.getBytes(StandardCharsets.UTF_8);
        nodeUuidBytes = nodeUuid.getBytes(StandardCharsets.UTF_8);
        replier = ctx.createSocket(SocketType.ROUTER);
        replier.setIdentity(replierId.getBytes(StandardCharsets.UTF_8));
        replier.setLinger(0);
        replier.setRouterMandatory(true);
        replier.bind(any);
        replierAddress = replier.getLastEndpoint();
        requester = newRequester();
        msgDisc = new DiscoveryChannel(opts, pUuid, opts.msgPort(), listener(this::onTopicDiscovery));
        srvDisc = new DiscoveryChannel(opts, pUuid, opts.srvPort(), listener(this::onServiceDiscovery));
        poller = new Thread(this::poll, "gz-transport");
        poller.setDaemon(true);
        poller.start();
    }

    private DiscoveryChannel.Listener listener(Consumer<Discovery> onMessage) {
        return new DiscoveryChannel.Listener() {
            public void onMessage(Discovery m) {
                onMessage.accept(m);
            }

            public void onProcessGone(String p) {
                forgetProcess(p);
            }
        };
    }

    /** A SUBSCRIBE names a topic or service: answer with our ADVERTISE for it, as the library does. */
    private static void answerSubscribe(DiscoveryChannel ch, Discovery m) {
        for (Discovery.Publisher p : ch.advertised()) {
            if (p.getTopic().equals(m.getSub().getTopic())) ch.send(ch.message(Discovery.Type.ADVERTISE).setPub(p).build());
        }
    }

    public GazeboOptions options() {
        return opts;
    }

    public String processUuid() {
        return pUuid;
    }

    private String wire(String topic) {
        return wireNames.computeIfAbsent(topic, t -> TopicNames.fullyQualified(opts.partition(), t)); // validated once per topic, not per request
    }

    // ---------------------------------------------------------------- topics

    /** A typed publisher of one topic. */
    public final class Publisher<M extends Message> {
        private final String topic, type;
        private final byte[] topicBytes, addrBytes, typeBytes;

        private Publisher(String topic, String type) {
            this.topic = topic;
            this.type = type;
            topicBytes = topic.getBytes(StandardCharsets.UTF_8);
            addrBytes = pubAddress.getBytes(StandardCharsets.UTF_8);
            typeBytes = type.getBytes(StandardCharsets.UTF_8);
        }

        public void publish(M msg) {
            byte[] data = msg.toByteArray();
            synchronized (pub) {
                pub.sendMore(topicBytes);
                pub.sendMore(addrBytes);
                pub.sendMore(data);
                pub.send(typeBytes);
            }
        }

        /** Whether some process has announced a subscription to this topic (NEW_CONNECTION). */
        public boolean hasSubscribers() {
            Set<String> s = remoteSubscribers.get(topic);
            return s != null && !s.isEmpty();
        }

        /** Waits until a subscriber has connected; false on timeout. */
        public boolean awaitSubscribers(long timeoutMs) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMs;
            synchronized (discoveryChanged) {
                while (!hasSubscribers()) {
                    long left = end - System.currentTimeMillis();
                    if (left <= 0) return false;
                    discoveryChanged.wait(left);
                }
            }
            return true;
        }

        public String type() {
            return type;
        }
    }

    /** Advertises {@code topic} with the type of {@code prototype} (e.g. {@code Double.getDefaultInstance()}). */
    public <M extends Message> Publisher<M> advertise(String topic, M prototype) {
        String w = wire(topic);
        String type = opts.typeName(prototype);
        String prev = advertisedTypes.putIfAbsent(w, type);
        if (prev != null && !prev.equals(type)) throw new IllegalArgumentException("topic " + topic + " is already advertised with type " + prev);
        msgDisc.advertise(Discovery.Publisher.newBuilder().setTopic(w).setAddress(pubAddress).setProcessUuid(pUuid).setNodeUuid(nodeUuid)
                .setScope(Discovery.Publisher.Scope.ALL)
                .setMsgPub(Discovery.Publisher.MessagePublisher.newBuilder().setCtrl("").setMsgType(type).setMsgsPerSec(-1L)).build());
        return new Publisher<>(w, type);
    }

    /** Subscribes to {@code topic}; {@code handler} runs on the transport thread for each message of the parser's type. */
    public <M extends Message> void subscribe(String topic, M prototype, Consumer<M> handler) {
        @SuppressWarnings("unchecked")
        Parser<M> parser = (Parser<M>) prototype.getParserForType();
        String type = opts.typeName(prototype);
        String w = wire(topic);
        addSubscription(w, new Subscription(type, bytes -> {
            try {
                handler.accept(parser.parseFrom(bytes));
            } catch (InvalidProtocolBufferException e) {
                System.err.println("[gz-transport] dropped a malformed " + type + " on " + topic + ": " + e.getMessage());
            }
        }, shared));
    }

    /**
     * A subscription read by one thread of the caller's own ({@link SyncSubscriber#receive}) on a
     * socket of its own: the data go from ZeroMQ's I/O thread straight to the reader, with no
     * hand-over through the transport thread. The lockstep loop waits on its joint states this way.
     */
    public <M extends Message> SyncSubscriber<M> subscribeSync(String topic, M prototype) {
        @SuppressWarnings("unchecked")
        Parser<M> parser = (Parser<M>) prototype.getParserForType();
        String w = wire(topic);
        ZMQ.Socket s;
        synchronized (ctx) {
            s = ctx.createSocket(SocketType.SUB);
        }
        SocketOwner owner = new SocketOwner(s, new ConcurrentLinkedQueue<>());
        SyncSubscriber<M> out = new SyncSubscriber<>(topic, w, opts.typeName(prototype), parser, owner);
        addSubscription(w, new Subscription(out.type, null, owner));
        return out;
    }

    /** Silence this long on a waited-for subscription asks the publishers again (see {@link #renewSubscription}). */
    private static final long RENEW_AFTER_NANOS = 1_000_000_000L;

    /** Messages of one topic, read by the one thread that calls {@link #receive}. */
    public final class SyncSubscriber<M extends Message> {
        private final String topic, wireTopic, type;
        private final Parser<M> parser;
        private final SocketOwner owner;
        private long lastHeard = System.nanoTime(); // or last renewal

        private SyncSubscriber(String topic, String wireTopic, String type, Parser<M> parser, SocketOwner owner) {
            this.topic = topic;
            this.wireTopic = wireTopic;
            this.type = type;
            this.parser = parser;
            this.owner = owner;
        }

        /** The next message, or null when none came within {@code timeoutMs}. */
        public M receive(long timeoutMs) {
            long end = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                Runnable t;
                while ((t = owner.tasks.poll()) != null) t.run();
                long left = end - System.nanoTime();
                if (left <= 0) return null;
                // short slices so that connects queued by discovery are applied while waiting
                owner.socket.setReceiveTimeOut((int) Math.max(1, Math.min(50, left / 1_000_000)));
                byte[] first = spinRecv(owner.socket);
                if (first == null) {
                    if (System.nanoTime() - lastHeard > RENEW_AFTER_NANOS) {
                        lastHeard = System.nanoTime();
                        renewSubscription(wireTopic);
                    }
                    continue;
                }
                lastHeard = System.nanoTime();
                List<byte[]> f = new ArrayList<>(4);
                f.add(first);
                while (owner.socket.hasReceiveMore()) f.add(owner.socket.recv(0));
                if (f.size() != 4 || !type.equals(str(f.get(3)))) continue;
                try {
                    return parser.parseFrom(f.get(2));
                } catch (InvalidProtocolBufferException e) {
                    System.err.println("[gz-transport] dropped a malformed " + type + " on " + topic + ": " + e.getMessage());
                }
            }
        }
    }

    private void addSubscription(String w, Subscription sub) {
        subscriptions.computeIfAbsent(w, k -> new CopyOnWriteArrayList<>()).add(sub);
        Map<String, Remote> known = remotePublishers.get(w);
        if (known != null) for (Remote r : known.values()) connectPublisher(r);
        msgDisc.send(msgDisc.message(Discovery.Type.SUBSCRIBE).setSub(Discovery.Subscriber.newBuilder().setTopic(w)).build());
    }

    private void connectPublisher(Remote r) {
        List<Subscription> subs = subscriptions.get(r.topic());
        if (subs == null || subs.stream().noneMatch(s -> s.type().equals(r.type()))) return;
        for (Subscription s : subs) {
            if (!s.type().equals(r.type())) continue;
            SocketOwner o = s.owner();
            boolean fresh = o.connected.add(r.address());
            o.tasks.add(() -> {
                if (fresh) o.socket.connect(r.address());
                o.socket.subscribe(r.topic().getBytes(StandardCharsets.UTF_8));
            });
        }
        announceConnection(r);
    }

    /**
     * Discovery runs over UDP: a lost SUBSCRIBE, ADVERTISE or NEW_CONNECTION would leave a
     * subscription silent for good, as each goes out once, when its event happens. A subscriber waiting on
     * a silent topic asks again: SUBSCRIBE (publishers answer with ADVERTISE) and NEW_CONNECTION to
     * the publishers it knows. Both are idempotent on the other side.
     */
    private void renewSubscription(String w) {
        msgDisc.send(msgDisc.message(Discovery.Type.SUBSCRIBE).setSub(Discovery.Subscriber.newBuilder().setTopic(w)).build());
        Map<String, Remote> known = remotePublishers.get(w);
        if (known != null) for (Remote r : known.values()) announceConnection(r);
    }

    /** Tells the publisher (ctrl = its process UUID) that we are connected, so that it starts sending to us. */
    private void announceConnection(Remote r) {
        msgDisc.send(msgDisc.message(Discovery.Type.NEW_CONNECTION).setPub(Discovery.Publisher.newBuilder().setTopic(r.topic()).setAddress(r.address())
                .setProcessUuid(pUuid).setNodeUuid(nodeUuid).setScope(Discovery.Publisher.Scope.ALL)
                .setMsgPub(Discovery.Publisher.MessagePublisher.newBuilder().setCtrl(r.processUuid()).setMsgType(r.type()))).build());
    }

    private void onTopicDiscovery(Discovery m) {
        switch (m.getType()) {
            case ADVERTISE -> {
                Discovery.Publisher p = m.getPub();
                if (!p.hasMsgPub() || p.getScope() == Discovery.Publisher.Scope.PROCESS) return;
                Remote r = new Remote(p.getTopic(), p.getAddress(), p.getProcessUuid(), p.getNodeUuid(), p.getMsgPub().getMsgType(), null, null);
                Map<String, Remote> byNode = remotePublishers.computeIfAbsent(p.getTopic(), k -> new ConcurrentHashMap<>());
                if (byNode.put(p.getProcessUuid() + "/" + p.getNodeUuid(), r) == null) connectPublisher(r);
                changed();
            }
            case UNADVERTISE -> {
                Map<String, Remote> byNode = remotePublishers.get(m.getPub().getTopic());
                if (byNode != null) byNode.remove(m.getPub().getProcessUuid() + "/" + m.getPub().getNodeUuid());
                changed();
            }
            case SUBSCRIBE -> answerSubscribe(msgDisc, m);
            case NEW_CONNECTION -> {
                Discovery.Publisher p = m.getPub();
                if (!p.getMsgPub().getCtrl().equals(pUuid)) return; // addressed to another publisher
                remoteSubscribers.computeIfAbsent(p.getTopic(), k -> ConcurrentHashMap.newKeySet()).add(p.getProcessUuid() + "/" + p.getNodeUuid());
                changed();
            }
            case END_CONNECTION -> {
                Discovery.Publisher p = m.getPub();
                Set<String> s = remoteSubscribers.get(p.getTopic());
                if (s != null) s.remove(p.getProcessUuid() + "/" + p.getNodeUuid());
                changed();
            }
            default -> {}
        }
    }

    private void forgetProcess(String proc) {
        for (Map<String, Remote> byNode : remotePublishers.values()) {
            byNode.values().removeIf(r -> {
                if (!r.processUuid().equals(proc)) return false;
                for (List<Subscription> subs : subscriptions.values()) {
                    for (Subscription s : subs) {
                        SocketOwner o = s.owner();
                        if (o.connected.remove(r.address())) o.tasks.add(() -> o.socket.disconnect(r.address()));
                    }
                }
                return true;
            });
        }
        for (Set<String> s : remoteSubscribers.values()) s.removeIf(k -> k.startsWith(proc + "/"));
        for (Map<String, Remote> byNode : remoteServices.values()) byNode.values().removeIf(r -> r.processUuid().equals(proc));
        changed();
    }

    private void changed() {
        synchronized (discoveryChanged) {
            discoveryChanged.notifyAll();
        }
    }

    /** Process UUIDs currently publishing {@code topic}. */
    public Set<String> publishersOf(String topic) {
        Map<String, Remote> m = remotePublishers.get(wire(topic));
        Set<String> out = new TreeSet<>();
        if (m != null) for (Remote r : m.values()) out.add(r.processUuid());
        return out;
    }

    // ---------------------------------------------------------------- services

    /** Offers service {@code topic}; the handler runs on the transport thread and returns the response, or null for result=false. */
    public <Q extends Message, R extends Message> void advertiseService(String topic, Q reqPrototype, R repPrototype, Function<Q, R> handler) {
        @SuppressWarnings("unchecked")
        Parser<Q> parser = (Parser<Q>) reqPrototype.getParserForType();
        String w = wire(topic);
        String reqType = opts.typeName(reqPrototype), repType = opts.typeName(repPrototype);
        services.put(w, new Service(reqType, repType, bytes -> {
            try {
                R r = handler.apply(parser.parseFrom(bytes));
                return r == null ? null : r.toByteArray();
            } catch (InvalidProtocolBufferException e) {
                System.err.println("[gz-transport] malformed " + reqType + " request on " + topic + ": " + e.getMessage());
                return null;
            }
        }));
        srvDisc.advertise(Discovery.Publisher.newBuilder().setTopic(w).setAddress(replierAddress).setProcessUuid(pUuid).setNodeUuid(nodeUuid)
                .setScope(Discovery.Publisher.Scope.ALL)
                .setSrvPub(Discovery.Publisher.ServicePublisher.newBuilder().setSocketId(replierId).setRequestType(reqType).setResponseType(repType)).build());
    }

    private void onServiceDiscovery(Discovery m) {
        switch (m.getType()) {
            case ADVERTISE -> {
                Discovery.Publisher p = m.getPub();
                if (!p.hasSrvPub() || p.getScope() == Discovery.Publisher.Scope.PROCESS) return;
                Discovery.Publisher.ServicePublisher s = p.getSrvPub();
                remoteServices.computeIfAbsent(p.getTopic(), k -> new ConcurrentHashMap<>()).put(p.getProcessUuid() + "/" + p.getNodeUuid(),
                        new Remote(p.getTopic(), p.getAddress(), p.getProcessUuid(), p.getNodeUuid(), s.getRequestType(), s.getResponseType(), s.getSocketId()));
                changed();
            }
            case UNADVERTISE -> {
                Map<String, Remote> byNode = remoteServices.get(m.getPub().getTopic());
                if (byNode != null) byNode.remove(m.getPub().getProcessUuid() + "/" + m.getPub().getNodeUuid());
                changed();
            }
            case SUBSCRIBE -> answerSubscribe(srvDisc, m);
            default -> {}
        }
    }

    /** Whether a process offers service {@code topic} with these types. */
    public boolean hasService(String topic, Message req, Message rep) {
        return findService(wire(topic), opts.typeName(req), opts.typeName(rep)) != null;
    }

    private Remote findService(String w, String reqType, String repType) {
        Map<String, Remote> m = remoteServices.get(w);
        if (m == null) return null;
        // after a crash the dead process lingers for the silence interval: prefer the one heard from last
        Remote best = null;
        for (Remote r : m.values()) {
            if (r.type().equals(reqType) && r.repType().equals(repType) && (best == null || srvDisc.lastHeard(r.processUuid()) > srvDisc.lastHeard(best.processUuid()))) best = r;
        }
        return best;
    }

    /**
     * Calls service {@code topic} and waits at most {@code timeoutMs} for the answer, discovery
     * included. A missing service or a late answer is a {@link GazeboTimeoutException} naming the
     * service; a {@code false} result is returned as it came.
     */
    public <R extends Message> R request(String topic, Message req, R repPrototype, long timeoutMs) throws GazeboTimeoutException {
        Response r = requestRaw(topic, req, opts.typeName(repPrototype), timeoutMs);
        if (!r.result()) return null;
        try {
            @SuppressWarnings("unchecked")
            R out = (R) repPrototype.getParserForType().parseFrom(r.payload());
            return out;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("service " + topic + " answered a malformed " + opts.typeName(repPrototype) + ": " + e.getMessage());
        }
    }

    public Response requestRaw(String topic, Message req, String repType, long timeoutMs) throws GazeboTimeoutException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String w = wire(topic);
        String reqType = opts.typeName(req);
        Remote r = findService(w, reqType, repType);
        if (r == null) {
            srvDisc.send(srvDisc.message(Discovery.Type.SUBSCRIBE).setSub(Discovery.Subscriber.newBuilder().setTopic(w)).build());
            synchronized (discoveryChanged) {
                while ((r = findService(w, reqType, repType)) == null) {
                    long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                    if (left <= 0) {
                        throw new GazeboTimeoutException("no process offers service " + topic + " (" + reqType + " -> " + repType + ") in partition '"
                                + opts.partition() + "' within " + timeoutMs + " ms: is the simulator running, with the same IGN_PARTITION/GZ_PARTITION and IGN_IP?");
                    }
                    try {
                        discoveryChanged.wait(Math.min(left, 250));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new GazeboTimeoutException("interrupted while discovering " + topic);
                    }
                }
            }
        }
        // One request at a time per node, and the caller reads its own answer: no hand-over
        // between threads on the lockstep path, which is what keeps the round trip short.
        synchronized (requestLock) {
            // the request id only has to be unique among this node's requests (it is echoed back)
            String reqUuid = pUuid + "-" + (++requestSeq);
            byte[][] frames = {r.socketId().getBytes(StandardCharsets.UTF_8), w.getBytes(StandardCharsets.UTF_8), responseAddressBytes, responseIdBytes,
                    nodeUuidBytes, reqUuid.getBytes(StandardCharsets.UTF_8), req.toByteArray(), reqType.getBytes(StandardCharsets.UTF_8),
                    repType.getBytes(StandardCharsets.UTF_8)};
            send(r, frames, topic, end);
            Remote sentTo = r;
            while (true) {
                long leftNs = end - System.nanoTime();
                if (leftNs <= 0) throw new GazeboTimeoutException("service " + topic + " did not answer within " + timeoutMs + " ms");
                // wait in slices: a request sent to a process that died meanwhile is sent again to
                // the one that took over its service, instead of waiting out the whole timeout
                responseReceiver.setReceiveTimeOut((int) Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(leftNs))));
                byte[] first = spinRecv(responseReceiver);
                if (first == null) {
                    Remote now = findService(w, reqType, repType);
                    if (now != null && !now.processUuid().equals(sentTo.processUuid())) {
                        frames[0] = now.socketId().getBytes(StandardCharsets.UTF_8);
                        send(now, frames, topic, end);
                        sentTo = now;
                    }
                    continue;
                }
                List<byte[]> f = new ArrayList<>(6);
                f.add(first);
                while (responseReceiver.hasReceiveMore()) f.add(responseReceiver.recv(0));
                // [routing id][topic][node][req uuid][payload][result]; answers to requests that already timed out are dropped
                if (f.size() == 6 && str(f.get(3)).equals(reqUuid)) return new Response(f.get(4), "1".equals(str(f.get(5))));
            }
        }
    }

    /**
     * Sends a request to {@code r}. A ROUTER pipe that failed its first mandatory send can stay
     * inactive for good, so a connection that is not routable within a second is started over on
     * a fresh socket.
     */
    private void send(Remote r, byte[][] frames, String topic, long end) throws GazeboTimeoutException {
        while (true) {
            if (requesterConnected.add(r.address())) requester.connect(r.address());
            long slice = Math.min(end, System.nanoTime() + 1_000_000_000L);
            try {
                sendRouted(requester, frames, slice, "service " + topic + " at " + r.address());
                return;
            } catch (GazeboTimeoutException e) {
                if (slice >= end) throw e;
                synchronized (ctx) {
                    ctx.destroySocket(requester);
                }
                requesterConnected.clear();
                requester = newRequester();
            }
        }
    }

    private ZMQ.Socket newRequester() {
        ZMQ.Socket r;
        synchronized (ctx) {
            r = ctx.createSocket(SocketType.ROUTER);
        }
        r.setLinger(0);
        r.setImmediate(true); // never queue a request for a peer whose connection is down: fail and look again
        r.setRouterMandatory(true);
        return r;
    }

    /**
     * Sends a ROUTER message whose first frame is the peer's identity. With ROUTER_MANDATORY an
     * unknown identity fails instead of vanishing: right after connect() the handshake has not
     * finished, so retry briefly (the library sleeps 100 ms after every new connection instead).
     */
    private static void sendRouted(ZMQ.Socket s, byte[][] frames, long deadline, String what) throws GazeboTimeoutException {
        long pause = 20_000;
        while (true) {
            boolean ok;
            try {
                ok = s.send(frames[0], ZMQ.SNDMORE | ZMQ.DONTWAIT);
            } catch (ZMQException e) {
                ok = false;
            }
            if (ok) {
                for (int i = 1; i < frames.length; i++) s.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
                return;
            }
            if (System.nanoTime() > deadline) throw new GazeboTimeoutException("cannot reach " + what + ": the peer is not connected");
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 2_000_000);
        }
    }

    // ---------------------------------------------------------------- the transport thread

    private void poll() {
        ZMQ.Poller items = ctx.createPoller(2);
        items.register(sub, ZMQ.Poller.POLLIN);
        items.register(replier, ZMQ.Poller.POLLIN);
        while (!closed && !Thread.currentThread().isInterrupted()) {
            Runnable t;
            while ((t = pollerTasks.poll()) != null) t.run();
            try {
                if (items.poll(10) <= 0) continue;
            } catch (RuntimeException e) {
                if (closed) break;
                continue;
            }
            try {
                if (items.pollin(0)) onData();
                if (items.pollin(1)) onRequest();
            } catch (RuntimeException e) {
                if (closed) break;
                System.err.println("[gz-transport] " + e);
            }
        }
        items.close();
    }

    private static List<byte[]> recvAll(ZMQ.Socket s) {
        List<byte[]> frames = new ArrayList<>(8);
        do {
            frames.add(s.recv(0));
        } while (s.hasReceiveMore());
        return frames;
    }

    private void onData() {
        List<byte[]> f = recvAll(sub);
        if (f.size() != 4) return; // [topic][sender][payload][type]
        List<Subscription> subs = subscriptions.get(new String(f.get(0), StandardCharsets.UTF_8));
        if (subs == null) return;
        String type = new String(f.get(3), StandardCharsets.UTF_8);
        for (Subscription s : subs) if (s.handler() != null && s.type().equals(type)) s.handler().accept(f.get(2));
    }

    private void onRequest() {
        List<byte[]> f = recvAll(replier);
        if (f.size() != 9) return; // [routing id][topic][sender][dst id][node][req uuid][payload][req type][rep type]
        String topic = str(f.get(1)), sender = str(f.get(2)), reqType = str(f.get(7)), repType = str(f.get(8));
        Service s = services.get(topic);
        if (s == null || !s.reqType().equals(reqType) || !s.repType().equals(repType)) return;
        byte[] rep;
        try {
            rep = s.handler().apply(f.get(6));
        } catch (RuntimeException e) {
            System.err.println("[gz-transport] service " + topic + " failed: " + e);
            rep = null;
        }
        if (repType.endsWith(".Empty")) return; // a oneway request: the library sends no answer
        if (replierConnected.add(sender)) replier.connect(sender);
        byte[][] out = {f.get(3), f.get(1), f.get(4), f.get(5), rep == null ? new byte[0] : rep, (rep == null ? "0" : "1").getBytes(StandardCharsets.UTF_8)};
        try {
            sendRouted(replier, out, System.nanoTime() + 1_000_000_000L, "the requester at " + sender);
        } catch (GazeboTimeoutException e) {
            System.err.println("[gz-transport] " + e.getMessage());
        }
    }

    /** How long a lockstep reader spins before blocking: an answer due within microseconds is taken without a wake-up. */
    static final long SPIN_NS = Long.getLong("pponode.gz.spinNs", 100_000L);

    /** recv() that first polls without blocking for {@link #SPIN_NS}, then blocks up to the socket's receive timeout. */
    private static byte[] spinRecv(ZMQ.Socket s) {
        long until = System.nanoTime() + SPIN_NS;
        do {
            byte[] b = s.recv(ZMQ.DONTWAIT);
            if (b != null) return b;
            Thread.onSpinWait();
        } while (System.nanoTime() < until);
        return s.recv(0);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (closed) return;
        msgDisc.close();
        srvDisc.close();
        closed = true;
        try {
            poller.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ctx.close();
    }
}
