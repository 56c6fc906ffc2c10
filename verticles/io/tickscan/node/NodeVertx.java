package io.tickscan.node;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A node's Vert.x: with Micrometer metrics into the node's registry, clustered with Hazelcast unless
 * {@code cluster.enabled} is false (members joining and leaving are logged, {@link MembershipLog}), and tickscan's
 * codecs registered.
 *
 * @param vertx          the instance
 * @param clusterManager its cluster manager, or null on a standalone node
 */
record NodeVertx(Vertx vertx, ClusterManager clusterManager) {

    /** Builds (and, when clustered, joins) the node's Vert.x. */
    static Future<NodeVertx> start(NodeConfig config, PrometheusMeterRegistry registry) {
        VertxBuilder builder = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                                .setJvmMetricsEnabled(true)
                                // its per-address meters are looked up for every message: most of what a
                                // publication cost in a burst of alerts (JFR), and nothing reads them
                                .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS))
                        .setEventBusOptions(new EventBusOptions().setHost(config.cluster().getString("host"))
                                .setPort(config.cluster().getInteger("bus_port"))))
                .withMetrics(new MicrometerMetricsFactory(registry));
        Future<NodeVertx> built;
        if (!config.cluster().getBoolean("enabled")) {
            built = Future.succeededFuture(new NodeVertx(builder.build(), null));
        } else {
            HazelcastClusterManager manager;
            try {
                manager = new HazelcastClusterManager(config.hazelcastConfig());
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            built = builder.withClusterManager(manager).buildClustered().map(v -> {
                manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipLog());
                return new NodeVertx(v, manager);
            });
        }
        return built.onSuccess(node -> Addresses.registerCodecs(node.vertx().eventBus()));
    }

    /** This member's id in the cluster, or null on a standalone node. */
    String memberId() {
        return clusterManager == null ? null : clusterManager.getNodeId();
    }
}
