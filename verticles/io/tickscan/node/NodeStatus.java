package io.tickscan.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@link Addresses#NODE_STATUS} for this node alone (a local consumer): ready once started and a member
 * of its cluster and standing as one (not frozen or fenced, {@link ClusterStanding}), with the members it sees
 * (each one's id, address, node, scanner instances and partitions by the ownership table), its uptime, its sources and their ticks/s, the ticks/s its scanners
 * apply, each scanner instance's scan times and rules version, its partitions and its websocket clients. It
 * reads only this node's own state (its meters), so a dead or frozen peer never delays it. Rates are over the
 * last whole second, sampled once a second.
 */
final class NodeStatus {
    /**
     * The local map where a component that the node needs (Kafka, Redis) says whether it works:
     * {@code name -> {"ok": bool, "why"?: "...", "essential"?: bool}}; the node is not ready while an essential
     * one (the default) says it does not work.
     */
    static final String HEALTH_MAP = Addresses.HEALTH_MAP;
    private static final long SAMPLE_MS = 1_000;
    private final String nodeId;
    private final ClusterManager clusterManager;
    private final MeterRegistry registry;
    private final int scanners;
    private final int partitions;
    private final long startedAt = System.currentTimeMillis();
    private final Map<String, Double> lastTotals = new HashMap<>();
    private volatile Map<String, Double> rates = Map.of();
    private volatile boolean ready;
    private Vertx vertx;
    private long sampler = -1;

    NodeStatus(String nodeId, ClusterManager clusterManager, MeterRegistry registry, int scanners, int partitions) {
        this.nodeId = nodeId;
        this.clusterManager = clusterManager;
        this.registry = registry;
        this.scanners = scanners;
        this.partitions = partitions;
    }

    /** Registers the local consumer and starts sampling rates; {@link #ready(boolean) ready(false)} stops it. */
    Future<Void> register(Vertx vertx) {
        this.vertx = vertx;
        sampler = vertx.setPeriodic(SAMPLE_MS, id -> sample());
        return vertx.eventBus().localConsumer(Addresses.NODE_STATUS, m -> m.reply(toJson())).completion();
    }

    /** Marks the node started (or stopping, with false, which also stops sampling). */
    void ready(boolean started) {
        ready = started;
        if (!started && vertx != null) {
            vertx.cancelTimer(sampler);
        }
    }

    /** Every tick counter's total now, by the key rates are reported under. */
    private Map<String, Double> totals() {
        Map<String, Double> totals = new HashMap<>();
        for (Counter routed : registry.find("ticks_routed").counters()) {
            totals.merge("source:" + routed.getId().getTag("source"), routed.count(), Double::sum);
        }
        Counter processed = registry.find("tick_processed").counter();
        totals.put("processed", processed == null ? 0 : processed.count());
        return totals;
    }

    private void sample() {
        Map<String, Double> now = totals();
        Map<String, Double> perSecond = new HashMap<>();
        now.forEach((key, total) -> perSecond.put(key, (total - lastTotals.getOrDefault(key, total))
                * 1000.0 / SAMPLE_MS));
        lastTotals.clear();
        lastTotals.putAll(now);
        rates = perSecond;
    }

    JsonObject toJson() {
        List<String> members;
        try {
            members = clusterManager == null ? List.of() : clusterManager.getNodes();
        } catch (RuntimeException e) { // the cluster member has stopped
            members = List.of();
        }
        boolean joined = clusterManager == null || members.contains(clusterManager.getNodeId());
        JsonObject components = new JsonObject();
        String missing = null;
        if (vertx != null) {
            for (var entry : vertx.sharedData().<String, JsonObject>getLocalMap(HEALTH_MAP).entrySet()) {
                components.put(entry.getKey(), entry.getValue());
                if (!entry.getValue().getBoolean("ok", false) && entry.getValue().getBoolean("essential", true)
                        && missing == null) {
                    missing = entry.getKey() + ": " + entry.getValue().getString("why", "not ready");
                }
            }
        }
        JsonObject ownership = vertx == null ? null
                : vertx.sharedData().<String, JsonObject>getLocalMap(Addresses.OWNERSHIP_MAP).get("summary");
        String standing = ownership == null ? "member" : ownership.getString("standing");
        if (missing == null && !"member".equals(standing)) {
            missing = "ownership: this node is " + standing + " (see the log: it was frozen, or cut off from the "
                    + "cluster) and owns no partition until it stands as a member again";
        }
        long now = System.currentTimeMillis();
        JsonObject status = new JsonObject().put("node", nodeId).put("ready", ready && joined && missing == null)
                .put("started_at", Instant.ofEpochMilli(startedAt).toString()).put("uptime_ms", now - startedAt)
                .put("clustered", clusterManager != null).put("members", new JsonArray(members.stream()
                        .map(id -> new JsonObject().put("id", id)).toList()))
                .put("scanners", scanners).put("partitions", partitions)
                .put("sources", sources())
                .put("ticks_applied_per_second", rates.getOrDefault("processed", 0.0))
                .put("scan", scans())
                .put("websocket_clients", (long) registry.find("ws_clients").gauges().stream()
                        .mapToDouble(Gauge::value).sum());
        if (ownership != null) {
            if (!ownership.getJsonArray("members").isEmpty()) {
                status.put("members", ownership.getJsonArray("members"));
            }
            status.put("standing", standing).put("ownership_epoch", ownership.getLong("epoch"))
                    .put("partitions_owned", ownership.getInteger("partitions_owned"))
                    .put("partitions_unowned", ownership.getInteger("partitions_unowned"));
            if (ownership.containsKey("last_rebalance")) {
                status.put("last_rebalance", ownership.getJsonObject("last_rebalance"));
            }
        }
        if (!ready) {
            status.put("why", "starting or stopping");
        } else if (!joined) {
            status.put("why", "not a member of the cluster");
        } else if (missing != null) {
            status.put("why", missing);
        }
        if (!components.isEmpty()) {
            status.put("components", components);
        }
        return status;
    }

    /** Each source's ticks routed so far and per second. */
    private JsonObject sources() {
        JsonObject sources = new JsonObject();
        Map<String, Double> totals = new TreeMap<>(totals());
        totals.forEach((key, total) -> {
            if (key.startsWith("source:")) {
                sources.put(key.substring(7), new JsonObject().put("ticks", total.longValue())
                        .put("ticks_per_second", rates.getOrDefault(key, 0.0)));
            }
        });
        return sources;
    }

    /** Each scanner instance's scans, mean and recent maximum scan time, and the rules version it runs. */
    private JsonArray scans() {
        Map<String, JsonObject> byInstance = new TreeMap<>();
        for (Timer timer : registry.find("scan_cycle").timers()) {
            byInstance.put(timer.getId().getTag("instance"), new JsonObject()
                    .put("instance", timer.getId().getTag("instance")).put("scans", timer.count())
                    .put("mean_ms", timer.mean(TimeUnit.MILLISECONDS)).put("max_ms", timer.max(TimeUnit.MILLISECONDS)));
        }
        for (Gauge version : registry.find("rules_version").gauges()) {
            JsonObject instance = byInstance.get(version.getId().getTag("instance"));
            if (instance != null) {
                instance.put("rules_version", (long) version.value());
            }
        }
        return new JsonArray(List.copyOf(byInstance.values()));
    }
}
