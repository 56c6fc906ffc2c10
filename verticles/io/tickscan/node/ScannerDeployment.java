package io.tickscan.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.config.NodeConfig;
import io.tickscan.scanner.OwnershipLease;
import io.tickscan.scanner.ScannerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * This node's scanner instances: {@code scanner.instances} of them (one per core when 0), on the event loop or
 * on worker threads ({@code scanner.threading}). They start owning no partition: the node's
 * {@link OwnershipVerticle} gives each its share of the cluster's.
 */
final class ScannerDeployment {
    private final List<String> deployments = new ArrayList<>();
    private int instances;
    private final List<String> ids = new ArrayList<>();

    /**
     * Deploys the instances (they take the rule set of this node's rules verticle, deployed before them).
     *
     * @param member this node's cluster member id, or null when standalone
     */
    Future<Void> deploy(Vertx vertx, String nodeId, String member, NodeConfig config, MeterRegistry registry,
                        LongSupplier clock, OwnershipLease lease) {
        int configured = config.scanner().getInteger("instances");
        instances = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
        ids.clear();
        for (int i = 0; i < instances; i++) {
            ids.add(nodeId + "/scanner-" + i);
        }
        ThreadingModel threading = config.scanner().getString("threading").equals("worker") ? ThreadingModel.WORKER
                : ThreadingModel.EVENT_LOOP;
        List<Future<String>> started = new ArrayList<>();
        for (int index = 0; index < ids.size(); index++) {
            String id = ids.get(index);
            JsonObject conf = new JsonObject().put("instance", id).put("index", index).put("node", nodeId)
                    .put("member", member)
                    .put("engine", config.engine())
                    .put("rules", config.json().getJsonObject("rules")).put("scanner", config.scanner())
                    .put("redis", config.json().getJsonObject("redis")).put("partition_count", config.partitions())
                    // none at first: the ownership table gives each instance its share of the cluster's
                    .put("partitions", new JsonArray()).put("node_instances", instances)
                    .put("kafka_topic", config.source("kafka").getBoolean("enabled")
                            ? config.source("kafka").getString("topic") : null);
            started.add(vertx.deployVerticle(() -> new ScannerVerticle(registry, clock, null, lease),
                    new DeploymentOptions().setConfig(conf).setThreadingModel(threading))
                    .onSuccess(deployments::add));
        }
        return Future.all(started).mapEmpty();
    }

    /** The number of scanner instances on this node. */
    int instances() {
        return instances;
    }

    /** The ids of the scanner instances on this node. */
    List<String> ids() {
        return ids;
    }

    /** Undeploys the instances (each finishes the scan in progress first). */
    Future<Void> undeploy(Vertx vertx) {
        return Future.all(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
    }
}
