package io.tickscan.node;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each member that joins or leaves the cluster, as this member sees it, with its address and how many members
 * remain. Registered on Hazelcast itself: Vert.x keeps the cluster manager's one node listener for its own use.
 */
final class MembershipLog implements MembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipLog.class);

    @Override
    public void memberAdded(MembershipEvent event) {
        LOG.info("member {} at {} joined the cluster; {} members", event.getMember().getUuid(),
                event.getMember().getAddress(), event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        LOG.warn("member {} at {} left the cluster (or was found dead); {} members", event.getMember().getUuid(),
                event.getMember().getAddress(), event.getMembers().size());
    }
}
