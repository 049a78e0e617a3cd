package pponode;

import java.util.ArrayList;
import java.util.List;
import pponode.ros.PrivateDomains;

/** ROS 2 domain ids for tests, each used once and held by this JVM until it exits ({@link PrivateDomains}). */
public final class TestDomains {
    private static final List<PrivateDomains.Lease> HELD = new ArrayList<>();

    private TestDomains() {}

    /** A domain id no other test, in this JVM or another, is using. */
    public static synchronized int claim() {
        PrivateDomains.Lease lease = PrivateDomains.lease();
        HELD.add(lease); // kept: the id lasts as long as this JVM
        return lease.id();
    }
}
