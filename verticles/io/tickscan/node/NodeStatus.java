package io.tickscan.node;

import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.List;

/**
 * Answers {@link Addresses#NODE_STATUS} for this node alone (a local consumer): ready once started and a member
 * of its cluster, with the members it sees, its scanner instances and its partitions. It reads only this node's
 * own state, so a dead or frozen peer never delays it.
 */
final class NodeStatus {
    private final String nodeId;
    private final ClusterManager clusterManager;
    private final int scanners;
    private final int partitions;
    private volatile boolean ready;

    NodeStatus(String nodeId, ClusterManager clusterManager, int scanners, int partitions) {
        this.nodeId = nodeId;
        this.clusterManager = clusterManager;
        this.scanners = scanners;
        this.partitions = partitions;
    }

    /** Registers the local consumer. */
    Future<Void> register(Vertx vertx) {
        return vertx.eventBus().localConsumer(Addresses.NODE_STATUS, m -> m.reply(toJson())).completion();
    }

    /** Marks the node started (or stopping, with false). */
    void ready(boolean started) {
        ready = started;
    }

    JsonObject toJson() {
        List<String> members;
        try {
            members = clusterManager == null ? List.of() : clusterManager.getNodes();
        } catch (RuntimeException e) { // the cluster member has stopped
            members = List.of();
        }
        boolean joined = clusterManager == null || members.contains(clusterManager.getNodeId());
        JsonObject status = new JsonObject().put("node", nodeId).put("ready", ready && joined)
                .put("clustered", clusterManager != null).put("members", new JsonArray(members))
                .put("scanners", scanners).put("partitions", partitions)
                // each node owns every partition with local consumers until ownership spans the cluster
                .put("partitions_owned", partitions);
        if (!ready) {
            status.put("why", "starting or stopping");
        } else if (!joined) {
            status.put("why", "not a member of the cluster");
        }
        return status;
    }
}
