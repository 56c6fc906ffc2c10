package io.tickscan.node;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickscan.alerts.AlertLogVerticle;
import io.tickscan.alerts.AlertPipelineVerticle;
import io.tickscan.alerts.KafkaAlertSinkVerticle;
import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.tickscan.ingest.FileSourceVerticle;
import io.tickscan.ingest.HttpIngestVerticle;
import io.tickscan.ingest.KafkaSourceVerticle;
import io.tickscan.ingest.SimulatorVerticle;
import io.tickscan.redis.RedisClients;
import io.tickscan.redis.RedisStartup;
import io.tickscan.scanner.OwnershipLease;
import io.tickscan.scanner.RulesVerticle;
import io.tickscan.web.WebVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a node: deploys every verticle from the configuration, in order (the rules verticle,
 * which takes the cluster's rule set, then the scanners with that set, the alert pipeline and the alert log, HTTP
 * ingest, the web side, the sources), with one Redis client shared by those that use it when {@code redis.url} is
 * set, and stops them in order: sources first (their held ticks flushed), then scanners (after the
 * scan in progress), then the alert pipeline (once what it took is in the Redis stream, or after a deadline), then
 * the rest, then it leaves the cluster.
 */
public final class TickscanNode {
    private static final Logger LOG = LoggerFactory.getLogger(TickscanNode.class);
    /** How many alert ids the pipeline remembers for dedupe without Redis, and keeps while Redis is away. */
    static final int DEDUPE_MEMORY = 100_000;
    /** How long the alert pipeline's stop waits for the alerts it took to be in the Redis stream. */
    static final long PIPELINE_STOP_WAIT_MS = 5_000;
    /** How long a starting node waits for its scanners to take their share of the partitions. */
    static final long SHARE_WAIT_MS = 30_000;

    private final NodeConfig config;
    private final LongSupplier clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ScannerDeployment scanners = new ScannerDeployment();
    /** Renewed by the ownership verticle while the node stands as a member; the scanners act as owners under it. */
    private final OwnershipLease lease = OwnershipLease.renewedOn(System::nanoTime);
    private final List<String> sources = new ArrayList<>();
    private final List<String> pipeline = new ArrayList<>();
    private final List<String> others = new ArrayList<>();
    private final List<String> ownership = new ArrayList<>();
    private NodeVertx node;
    private Redis redis;
    private NodeStatus status;
    private String nodeId;
    private int httpPort;
    private final List<WebVerticle> web = new CopyOnWriteArrayList<>();

    /**
     * @param config a validated configuration
     * @param clock  wall-clock milliseconds for scanners and sources
     */
    public TickscanNode(NodeConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Starts the node; the future completes once every verticle is deployed and the scanners scan. With
     * {@code redis.url} set it first waits for Redis, for at most {@code redis.startup_wait_ms}, and fails naming
     * {@code redis.url} when Redis did not answer ({@link RedisStartup}).
     */
    public Future<TickscanNode> start() {
        String initialRules;
        try {
            initialRules = config.rulesText();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return NodeVertx.start(config, registry).compose(built -> {
            node = built;
            redis = RedisClients.create(node.vertx(), config.json().getJsonObject("redis"));
            nodeId = !config.nodeId().isEmpty() ? config.nodeId()
                    : node.memberId() != null ? node.memberId() : UUID.randomUUID().toString();
            ((LoggerContext) LoggerFactory.getILoggerFactory()).putProperty("node", nodeId);
            Future<Void> redisUp = redis == null ? Future.succeededFuture()
                    : RedisStartup.await(node.vertx(), redis, config.json().getJsonObject("redis"));
            return redisUp.compose(v -> deployAll(initialRules));
        }).map(v -> {
            status.ready(true);
            LOG.info("node {} ready: http on {}, {} scanner instances, {} partitions{}", nodeId, httpPort,
                    scanners.instances(), config.partitions(), node.clusterManager() != null ? ", clustered" : "");
            return this;
        });
    }

    private Future<Void> deployAll(String initialRules) {
        Vertx vertx = node.vertx();
        JsonObject routing = new JsonObject().put("routing", config.routing()).put("partitions", config.partitions());
        return deploy(() -> RulesVerticle.keptIn(redis), options(new JsonObject().put("initial", initialRules)
                .put("engine", config.engine()).put("rules", config.json().getJsonObject("rules"))), others)
                .compose(id -> scanners.deploy(vertx, nodeId, node.memberId(), config, registry, clock, lease))
                .compose(v -> takeShare(vertx))
                .compose(v -> {
                    status = new NodeStatus(nodeId, node.clusterManager(), registry, scanners.instances(),
                            config.partitions());
                    return status.register(vertx);
                })
                .compose(v -> Future.all(
                        deploy(AlertLogVerticle::new, new DeploymentOptions(), others),
                        deploy(() -> new AlertPipelineVerticle(registry, redis), options(new JsonObject()
                                .put("redis", config.json().getJsonObject("redis"))
                                .put("dedupe_memory", DEDUPE_MEMORY).put("stop_wait_ms", PIPELINE_STOP_WAIT_MS)),
                                pipeline),
                        config.sink("kafka").getBoolean("enabled")
                                ? deploy(() -> new KafkaAlertSinkVerticle(registry), options(config.sink("kafka")), others)
                                : Future.succeededFuture(),
                        config.source("http").getBoolean("enabled")
                                ? deploy(() -> new HttpIngestVerticle(registry, clock), options(routing), sources)
                                : Future.succeededFuture()))
                .compose(v -> deployWeb())
                .compose(v -> config.source("file").getBoolean("enabled")
                        ? deploy(() -> new FileSourceVerticle(registry, clock),
                        options(routing.copy().put("file", config.source("file")))
                                .setThreadingModel(ThreadingModel.WORKER), sources)
                        : Future.succeededFuture())
                .compose(v -> config.source("simulator").getBoolean("enabled")
                        ? deploy(() -> new SimulatorVerticle(registry, clock),
                        options(routing.copy().put("simulator", simulatorSettings())), sources)
                        : Future.succeededFuture())
                .compose(v -> config.source("kafka").getBoolean("enabled")
                        ? deploy(() -> new KafkaSourceVerticle(registry, clock, redis),
                        options(routing.copy().put("kafka", config.source("kafka"))
                                .put("scanner_grace_ms", config.json().getJsonObject("scanner").getLong("grace_ms"))
                                .put("future_tolerance_ms", config.engine().getLong("future_tolerance_ms"))),
                        sources)
                        : Future.succeededFuture())
                .onSuccess(v -> vertx.eventBus().publish(Addresses.SCANNERS_START, null, Addresses.local()))
                .mapEmpty();
    }

    /**
     * The simulator's settings; without history when the node joined a cluster whose other members scan already:
     * ticks of minutes their scans have ended would be late and dropped there, and the cluster has a feed.
     */
    private JsonObject simulatorSettings() {
        JsonObject simulator = config.source("simulator").copy();
        int members = node.clusterManager() == null ? 1 : node.clusterManager().getNodes().size();
        if (members > 1 && simulator.getInteger("backfill_minutes") > 0) {
            LOG.warn("node {} joined {} other members with its simulator on: it lays down no history (the others "
                    + "have scanned those minutes already), and a second simulator sends the same symbols again; "
                    + "one simulated feed per cluster: TICKSCAN_SOURCES_SIMULATOR_ENABLED=false on the other nodes",
                    nodeId, members - 1);
            simulator.put("backfill_minutes", 0);
        }
        return simulator;
    }

    /**
     * Deploys {@code http.instances} web verticles (one per core when 0) sharing one port. Vert.x gives each
     * server of port 0 a port of its own, but servers of the same negative port share one random port: 0 is
     * passed on as -1.
     */
    private Future<Void> deployWeb() {
        int configured = config.http().getInteger("instances");
        int instances = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
        int port = config.http().getInteger("port");
        JsonObject http = config.http().copy().put("node", nodeId).put("port", port == 0 ? -1 : port);
        return deploy(() -> {
            WebVerticle instance = new WebVerticle(registry);
            web.add(instance);
            return instance;
        }, options(http).setInstances(instances), others).compose(id -> {
            Set<Integer> ports = web.stream().map(WebVerticle::port).collect(Collectors.toSet());
            if (ports.size() != 1) {
                return Future.failedFuture("the web instances listen on different ports " + ports);
            }
            httpPort = ports.iterator().next();
            return Future.succeededFuture();
        });
    }

    private static DeploymentOptions options(JsonObject config) {
        return new DeploymentOptions().setConfig(config);
    }

    private Future<String> deploy(Supplier<Deployable> verticle, DeploymentOptions options, List<String> into) {
        return node.vertx().deployVerticle(verticle, options).onSuccess(into::add);
    }

    /**
     * Stops sources, then scanners, then the alert pipeline (which publishes what it stores meanwhile, so the web
     * side and the Kafka sink are still there to take it), then the rest, then leaves the cluster and closes Vert.x.
     */
    public Future<Void> stop() {
        if (node == null) {
            return Future.succeededFuture();
        }
        if (status != null) {
            status.ready(false);
        }
        Vertx vertx = node.vertx();
        LOG.info("node {} stopping", nodeId);
        return undeploy(sources).compose(v -> undeploy(ownership)).compose(v -> scanners.undeploy(vertx))
                .compose(v -> undeploy(pipeline))
                .compose(v -> undeploy(others))
                .eventually(() -> redis == null ? Future.succeededFuture() : redis.close())
                .eventually(vertx::close)
                .onComplete(done -> LOG.info("node {} stopped", nodeId));
    }

    /**
     * Deploys the node's {@link OwnershipVerticle} and completes once each of this node's scanner instances holds
     * its share of the cluster's partitions (at most {@link #SHARE_WAIT_MS} ms: on a slow cluster the rest comes
     * later, and ticks for a partition without an owner wait in their router meanwhile).
     */
    private Future<Void> takeShare(Vertx vertx) {
        Set<String> waiting = ConcurrentHashMap.newKeySet();
        waiting.addAll(scanners.ids());
        Promise<Void> took = Promise.promise();
        MessageConsumer<JsonObject> applied = vertx.eventBus().localConsumer(Addresses.OWNERSHIP_APPLIED, m -> {
            waiting.remove(m.body().getString("instance"));
            if (waiting.isEmpty()) {
                took.tryComplete();
            }
        });
        long timer = vertx.setTimer(SHARE_WAIT_MS, id -> {
            LOG.warn("node {}: {} scanner instances had not taken their partitions after {} ms", nodeId,
                    waiting.size(), SHARE_WAIT_MS);
            took.tryComplete();
        });
        return applied.completion()
                .compose(v -> deploy(() -> new OwnershipVerticle(node.clusterManager(), lease, registry, redis),
                        options(new JsonObject().put("partitions", config.partitions()).put("node", nodeId)
                                .put("instances", new JsonArray(scanners.ids()))),
                        ownership))
                .compose(id -> took.future())
                .eventually(() -> {
                    vertx.cancelTimer(timer);
                    return applied.unregister();
                });
    }

    private Future<Void> undeploy(List<String> ids) {
        return Future.all(ids.stream().map(node.vertx()::undeploy).toList()).mapEmpty();
    }

    /** The node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** The HTTP port the node listens on. */
    public int httpPort() {
        return httpPort;
    }

    /** The node's web verticle instances ({@code http.instances}), which share its HTTP port. */
    public List<WebVerticle> webVerticles() {
        return List.copyOf(web);
    }

    /** The registry of the node's meters (what {@code /metrics} shows). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The node's cluster manager, or null on a standalone node. */
    ClusterManager clusterManager() {
        return node.clusterManager();
    }

    /** The node's Vert.x instance. */
    public Vertx vertx() {
        return node.vertx();
    }
}
