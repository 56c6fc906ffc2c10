package io.tickscan.node;

import ch.qos.logback.classic.LoggerContext;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.tickscan.scanner.RulesFile;
import io.tickscan.alerts.AlertLogVerticle;
import io.tickscan.routing.PartitionOwners;
import io.tickscan.scanner.RulesVerticle;
import io.tickscan.scanner.ScannerVerticle;
import io.tickscan.ingest.FileSourceVerticle;
import io.tickscan.ingest.HttpIngestVerticle;
import io.tickscan.ingest.SimulatorVerticle;
import io.tickscan.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a node: builds Vert.x (clustered with Hazelcast, or not), registers the codecs,
 * computes which local scanner instance owns which partition, deploys every verticle from the configuration,
 * and stops them in order: sources first (their held ticks flushed), then scanners (after the scan in progress),
 * then the rest, then it leaves the cluster.
 */
public final class TickscanNode {
    private static final Logger LOG = LoggerFactory.getLogger(TickscanNode.class);

    private final NodeConfig config;
    private final LongSupplier clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<String> sources = new ArrayList<>();
    private final List<String> scanners = new ArrayList<>();
    private final List<String> others = new ArrayList<>();
    private Vertx vertx;
    private ClusterManager clusterManager;
    private String nodeId;
    private int httpPort;
    private volatile boolean ready;

    /**
     * @param config a validated configuration
     * @param clock  wall-clock milliseconds for scanners and sources
     */
    public TickscanNode(NodeConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Starts the node; the future completes once every verticle is deployed and the scanners scan. */
    public Future<TickscanNode> start() {
        String rules;
        try {
            rules = Files.readString(Path.of(config.rulesFile()), StandardCharsets.UTF_8);
            RulesFile.parse(rules, config.ruleLimits());
        } catch (Exception e) {
            return Future.failedFuture(new IllegalArgumentException("rules.file " + config.rulesFile() + ": "
                    + e.getMessage(), e));
        }
        return buildVertx().compose(v -> {
            vertx = v;
            Addresses.registerCodecs(vertx.eventBus());
            nodeId = !config.nodeId().isEmpty() ? config.nodeId()
                    : clusterManager != null ? clusterManager.getNodeId() : UUID.randomUUID().toString();
            ((LoggerContext) LoggerFactory.getILoggerFactory()).putProperty("node", nodeId);
            return deployAll(rules);
        }).map(v -> {
            ready = true;
            LOG.info("node {} ready: http on {}, {} scanner instances, {} partitions{}", nodeId, httpPort,
                    scanners.size(), config.partitions(), clusterManager != null ? ", clustered" : "");
            return this;
        });
    }

    private Future<Vertx> buildVertx() {
        JsonObject cluster = config.cluster();
        VertxBuilder builder = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                                .setJvmMetricsEnabled(true))
                        .setEventBusOptions(new EventBusOptions().setHost(cluster.getString("host"))))
                .withMetrics(new MicrometerMetricsFactory(registry));
        if (!cluster.getBoolean("enabled")) {
            return Future.succeededFuture(builder.build());
        }
        Config hazelcast;
        try {
            Properties properties = new Properties();
            properties.setProperty("cluster.name", cluster.getString("name"));
            properties.setProperty("cluster.host", cluster.getString("host"));
            properties.setProperty("cluster.port", String.valueOf(cluster.getInteger("port")));
            hazelcast = new FileSystemXmlConfig(cluster.getString("config"), properties);
        } catch (FileNotFoundException e) {
            return Future.failedFuture(new IllegalArgumentException("cluster.config: no such file "
                    + cluster.getString("config")));
        }
        clusterManager = new HazelcastClusterManager(hazelcast);
        return builder.withClusterManager(clusterManager).buildClustered();
    }

    private Future<Void> deployAll(String rules) {
        int partitions = config.partitions();
        int instances = config.scanner().getInteger("instances") > 0 ? config.scanner().getInteger("instances")
                : Runtime.getRuntime().availableProcessors();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            ids.add(nodeId + "/scanner-" + i);
        }
        PartitionOwners owners = PartitionOwners.of(partitions, ids);
        ThreadingModel threading = config.scanner().getString("threading").equals("worker") ? ThreadingModel.WORKER
                : ThreadingModel.EVENT_LOOP;
        List<Future<String>> scannerDeployments = new ArrayList<>();
        for (String id : ids) {
            JsonObject conf = new JsonObject().put("instance", id).put("engine", config.engine()).put("rules", rules)
                    .put("partitions", new JsonArray(owners.ownedBy(id)));
            scannerDeployments.add(deploy(() -> new ScannerVerticle(registry, clock),
                    new DeploymentOptions().setConfig(conf).setThreadingModel(threading), scanners));
        }
        JsonObject routing = new JsonObject().put("routing", config.routing()).put("partitions", partitions);
        return Future.all(scannerDeployments)
                .compose(v -> Future.all(
                        deploy(RulesVerticle::new, options(new JsonObject().put("rules", rules)
                                .put("history_minutes", config.engine().getInteger("history_minutes"))), others),
                        deploy(AlertLogVerticle::new, new DeploymentOptions(), others),
                        config.source("http").getBoolean("enabled")
                                ? deploy(() -> new HttpIngestVerticle(registry, clock), options(routing), sources)
                                : Future.succeededFuture()))
                .compose(v -> {
                    WebVerticle web = new WebVerticle(registry);
                    return deploy(() -> web, options(config.http()), others).map(id -> httpPort = web.port());
                })
                .compose(v -> config.source("file").getBoolean("enabled")
                        ? deploy(() -> new FileSourceVerticle(registry, clock),
                        options(routing.copy().put("file", config.source("file")))
                                .setThreadingModel(ThreadingModel.WORKER), sources)
                        : Future.succeededFuture())
                .compose(v -> config.source("simulator").getBoolean("enabled")
                        ? deploy(() -> new SimulatorVerticle(registry, clock),
                        options(routing.copy().put("simulator", config.source("simulator"))), sources)
                        : Future.succeededFuture())
                .compose(v -> vertx.eventBus().consumer(Addresses.NODE_READINESS, m -> m.reply(readiness()))
                        .completion())
                .onSuccess(v -> vertx.eventBus().publish(Addresses.SCANNERS_START, null))
                .mapEmpty();
    }

    private JsonObject readiness() {
        boolean joined = clusterManager == null || clusterManager.getNodes().contains(clusterManager.getNodeId());
        JsonObject state = new JsonObject().put("ready", ready && joined).put("node", nodeId)
                .put("scanners", scanners.size()).put("partitions", config.partitions())
                .put("clustered", clusterManager != null);
        if (clusterManager != null) {
            state.put("members", clusterManager.getNodes().size());
        }
        if (!ready) {
            state.put("why", "starting");
        } else if (!joined) {
            state.put("why", "not a member of the cluster");
        }
        return state;
    }

    private static DeploymentOptions options(JsonObject config) {
        return new DeploymentOptions().setConfig(config);
    }

    private Future<String> deploy(Supplier<io.vertx.core.Deployable> verticle, DeploymentOptions options,
                                  List<String> into) {
        return vertx.deployVerticle(verticle, options).onSuccess(into::add);
    }

    /** Stops sources, then scanners, then the rest, then leaves the cluster and closes Vert.x. */
    public Future<Void> stop() {
        if (vertx == null) {
            return Future.succeededFuture();
        }
        ready = false;
        LOG.info("node {} stopping", nodeId);
        return undeploy(sources).compose(v -> undeploy(scanners)).compose(v -> undeploy(others))
                .eventually(() -> vertx.close())
                .onComplete(done -> LOG.info("node {} stopped", nodeId));
    }

    private Future<Void> undeploy(List<String> ids) {
        return Future.all(ids.stream().map(vertx::undeploy).toList()).mapEmpty();
    }

    /** The node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** The HTTP port the node listens on. */
    public int httpPort() {
        return httpPort;
    }

    /** The registry of the node's meters (what {@code /metrics} shows). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The node's Vert.x instance. */
    public Vertx vertx() {
        return vertx;
    }
}
