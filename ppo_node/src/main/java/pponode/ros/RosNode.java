package pponode.ros;

import com.eprosima.xmlschemas.fastrtps_profiles.DurabilityQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.HistoryQosKindPolicyType;
import com.eprosima.xmlschemas.fastrtps_profiles.ReliabilityQosKindPolicyType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import us.ihmc.pubsub.Domain;
import us.ihmc.pubsub.DomainFactory;
import us.ihmc.pubsub.TopicDataType;
import us.ihmc.pubsub.attributes.ParticipantProfile;
import us.ihmc.pubsub.attributes.PublisherAttributes;
import us.ihmc.pubsub.attributes.SubscriberAttributes;
import us.ihmc.pubsub.common.Guid;
import us.ihmc.pubsub.common.MatchingInfo;
import us.ihmc.pubsub.participant.Participant;
import us.ihmc.pubsub.publisher.Publisher;
import us.ihmc.pubsub.publisher.PublisherListener;
import us.ihmc.pubsub.subscriber.Subscriber;
import us.ihmc.ros2.NewMessageListener;
import us.ihmc.ros2.ROS2Node;
import us.ihmc.ros2.ROS2Publisher;
import us.ihmc.ros2.ROS2QosProfile;
import us.ihmc.ros2.ROS2Subscription;

/**
 * A ROS 2 node as the graph sees one: its participant has ROS 2's default lease and the discovery
 * range of the environment ({@link Discovery}), and it publishes {@code ros_discovery_info} with the
 * node's name, namespace, readers and writers whenever they change, as the ROS 2 RMWs do, so
 * {@code ros2 node list} and {@code ros2 topic info -v} show it. Every peer that shares a topic
 * with the node but cannot match it because of QoS is reported ({@link QosCompatibility}).
 */
public final class RosNode extends ROS2Node {
    private final ParticipantProfile profile;
    private final ROS2Publisher<ParticipantEntitiesInfo> graph;
    private final Guid graphWriter;
    private final QosCompatibility qos;
    private boolean destroyed;

    public RosNode(RosParams p, Discovery discovery) {
        this(new QosCompatibility(), p, discovery.profile(p.domain()));
    }

    private RosNode(QosCompatibility qos, RosParams p, ParticipantProfile profile) {
        super(reportingPublisherMatches(DomainFactory.getDomain(DomainFactory.PubSubImplementation.FAST_RTPS), qos), p.nodeName, p.namespace, profile);
        this.profile = profile;
        this.qos = qos;
        qos.participant(participant().getGuid());
        // rmw_dds_common's QoS for the graph topic: reliable, transient local, keep last 1, so a peer
        // that joins later still gets the current state
        ROS2QosProfile latched = new ROS2QosProfile(HistoryQosKindPolicyType.KEEP_LAST, 1, ReliabilityQosKindPolicyType.RELIABLE,
                DurabilityQosKindPolicyType.TRANSIENT_LOCAL, true);
        ParticipantEntitiesInfo.Type type = new ParticipantEntitiesInfo.Type();
        graph = super.createPublisher(type, createPublisherAttributes(type, ParticipantEntitiesInfo.TOPIC, latched));
        graphWriter = participant().getAllPublishersForStatistics().get(0).getGuid();
        announce();
    }

    /**
     * The domain, except that every publisher it creates reports its matches to {@code qos} (the
     * IHMC node creates its publishers without a listener).
     */
    private static Domain reportingPublisherMatches(Domain domain, QosCompatibility qos) {
        PublisherListener listener = qos::matching;
        return (Domain) Proxy.newProxyInstance(Domain.class.getClassLoader(), new Class<?>[] {Domain.class}, (proxy, method, args) -> {
            try {
                if (method.getName().equals("createPublisher") && args.length == 2) {
                    return domain.createPublisher((Participant) args[0], (PublisherAttributes) args[1], listener);
                }
                return method.invoke(domain, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Override
    public <T> ROS2Publisher<T> createPublisher(TopicDataType<T> type, PublisherAttributes attributes) {
        ROS2Publisher<T> publisher = super.createPublisher(type, attributes);
        record(attributes, false);
        if (QosCompatibility.canRefuse(false, attributes.getReliabilityKind(), attributes.getDurabilityKind())) {
            // matches every subscriber: one it matches and the real writer does not is refused by QoS
            PublisherAttributes probe = PublisherAttributes.create().topicDataType(type).topicName(attributes.getTopicName())
                    .partitions(attributes.getPartitions()).historyQosPolicyKind(HistoryQosKindPolicyType.KEEP_LAST).historyDepth(1)
                    .reliabilityKind(ReliabilityQosKindPolicyType.RELIABLE).durabilityKind(DurabilityQosKindPolicyType.TRANSIENT_LOCAL);
            super.createPublisher(type, probe);
            record(probe, true);
        }
        announce();
        return publisher;
    }

    @Override
    public <T> ROS2Subscription<T> createSubscription(TopicDataType<T> type, NewMessageListener<T> listener, SubscriberAttributes attributes) {
        ROS2Subscription<T> subscription = super.createSubscription(type, new NewMessageListener<>() {
            @Override
            public void onNewDataMessage(Subscriber<T> subscriber) {
                listener.onNewDataMessage(subscriber);
            }

            @Override
            public void onSubscriptionMatched(Subscriber<T> subscriber, MatchingInfo info) {
                qos.matching(subscriber, info);
                listener.onSubscriptionMatched(subscriber, info);
            }
        }, attributes);
        record(attributes, false);
        if (QosCompatibility.canRefuse(true, attributes.getReliabilityKind(), attributes.getDurabilityKind())) {
            // matches every publisher, and takes nothing: keep last 1, in fixed-size slots
            SubscriberAttributes probe = NetworkInput.FixedSizeSamples.of(attributes).historyQosPolicyKind(HistoryQosKindPolicyType.KEEP_LAST)
                    .historyDepth(1).reliabilityKind(ReliabilityQosKindPolicyType.BEST_EFFORT).durabilityKind(DurabilityQosKindPolicyType.VOLATILE);
            super.createSubscription(type, new NewMessageListener<>() {
                @Override
                public void onNewDataMessage(Subscriber<T> subscriber) {}

                @Override
                public void onSubscriptionMatched(Subscriber<T> subscriber, MatchingInfo info) {
                    qos.matching(subscriber, info);
                }
            }, probe);
            record(probe, true);
        }
        announce();
        return subscription;
    }

    /** Tells the QoS check which of the participant's endpoints was made from {@code attributes}. */
    private void record(Object attributes, boolean probe) {
        Participant participant = participant();
        for (Publisher w : participant.getAllPublishersForStatistics()) {
            PublisherAttributes a = w.getAttributes();
            if (a == attributes) qos.endpoint(w, rosTopic(a.getTopicName()), false, probe, a.getReliabilityKind(), a.getDurabilityKind());
        }
        for (Subscriber<?> r : participant.getAllSubscribersForStatistics()) {
            SubscriberAttributes a = r.getAttributes();
            if (a == attributes) qos.endpoint(r, rosTopic(a.getTopicName()), true, probe, a.getReliabilityKind(), a.getDurabilityKind());
        }
    }

    /** The ROS 2 name of a DDS topic ({@code rt/joint_states} is {@code /joint_states}). */
    private static String rosTopic(String dds) {
        return dds.startsWith("rt/") ? dds.substring(2) : dds;
    }

    /** /namespace/name. */
    public String fullyQualifiedName() {
        return getNamespace() + "/" + getName();
    }

    /** How many subscribers the node's publishers on {@code topic} (a ROS 2 name) reach now. */
    public int matchedSubscribers(String topic) {
        return qos.matchedPeers(topic, false);
    }

    /** The peers on the node's topics that its endpoints refuse by QoS, now. */
    public List<QosCompatibility.Mismatch> incompatibleQos() {
        return qos.incompatible();
    }

    /** The node as ros_discovery_info describes it now. */
    ParticipantEntitiesInfo entities() {
        Participant participant = participant();
        ParticipantEntitiesInfo info = new ParticipantEntitiesInfo();
        info.participant = gid(participant.getGuid());
        List<byte[]> readers = new ArrayList<>(), writers = new ArrayList<>();
        for (Subscriber<?> s : participant.getAllSubscribersForStatistics()) readers.add(gid(s.getGuid()));
        for (Publisher w : participant.getAllPublishersForStatistics()) if (!w.getGuid().equals(graphWriter)) writers.add(gid(w.getGuid()));
        info.nodes.add(new ParticipantEntitiesInfo.Node(getNamespace().isEmpty() ? "/" : getNamespace(), getName(), readers, writers));
        return info;
    }

    private synchronized void announce() {
        if (graph == null || destroyed) return; // while the graph publisher itself is being created
        graph.publish(entities());
    }

    private Participant participant() {
        // the IHMC node keeps its participant to itself; the domain lists every participant with the profile it was made from
        for (Participant p : DomainFactory.getDomain(DomainFactory.PubSubImplementation.FAST_RTPS).getAllParticipantsForStatistics()) {
            if (p.getAttributes() == profile) return p;
        }
        throw new IllegalStateException("the participant of node " + getName() + " is not in the domain");
    }

    private static byte[] gid(Guid guid) {
        return ParticipantEntitiesInfo.gid(guid.getGuidPrefix().getValue(), guid.getEntity().getValue());
    }

    /** Tells the graph the node is gone (an empty node list, as rmw does), then removes the participant. */
    @Override
    public synchronized void destroy() {
        if (!destroyed) {
            ParticipantEntitiesInfo gone = new ParticipantEntitiesInfo();
            gone.participant = gid(participant().getGuid());
            graph.publish(gone);
            destroyed = true;
            qos.close();
        }
        super.destroy();
    }
}
