package io.tickscan.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.redis.RedisHealth;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert pipeline of a node, one instance: takes what this node's scanners found on
 * {@link Addresses#ALERTS_FOUND} (node-local), deduplicates it, stores it and publishes it on
 * {@link Addresses#ALERTS} (cluster-wide), in the order found.
 *
 * <ul>
 *   <li>With Redis (a client given), dedupe and store are one script per alert ({@link AlertStream}): an alert
 *   whose id Redis already holds (found by another node, or before a restart) is not published again. The
 *   alerts that arrive while a batch is being written wait and go in the next one.</li>
 *   <li>Without Redis, or while it is away, the ids of the last {@code dedupe_memory} alerts of the last
 *   {@code redis.dedupe_ttl_sec} are remembered in memory ({@link RecentIds}); while Redis is away the alerts are
 *   also kept for the stream and written when it is back.</li>
 * </ul>
 *
 * <p>It also answers {@link Addresses#ALERTS_HISTORY} from the stream when Redis is configured
 * ({@link StreamHistory}). Config: {@code redis} (the {@code redis.*} settings), {@code dedupe_memory} (how many
 * ids are remembered in memory, also the most alerts kept for the stream while Redis is away).
 */
public final class AlertPipelineVerticle extends VerticleBase {
    private final MeterRegistry registry;
    private final Redis redis;
    private final List<Alert> waiting = new ArrayList<>();
    private RecentIds recent;
    private AlertStream stream;
    private boolean writing;

    /**
     * @param registry where the Redis failure counters go
     * @param redis    the node's Redis client, or null without Redis
     */
    public AlertPipelineVerticle(MeterRegistry registry, Redis redis) {
        this.registry = registry;
        this.redis = redis;
    }

    @Override
    public Future<?> start() {
        JsonObject settings = config().getJsonObject("redis");
        int memory = config().getInteger("dedupe_memory");
        recent = new RecentIds(memory, settings.getLong("dedupe_ttl_sec") * 1000);
        Future<Void> history = Future.succeededFuture();
        if (redis != null) {
            stream = new AlertStream(vertx, redis, settings.getLong("dedupe_ttl_sec"),
                    settings.getLong("stream_maxlen"), memory, registry);
            RedisHealth.up(vertx);
            StreamHistory reader = new StreamHistory(redis);
            history = vertx.eventBus().<JsonObject>localConsumer(Addresses.ALERTS_HISTORY, m -> reader.answer(m))
                    .completion();
        }
        return Future.all(history, vertx.eventBus().<Alert>localConsumer(Addresses.ALERTS_FOUND,
                m -> found(m.body())).completion());
    }

    @Override
    public Future<?> stop() {
        if (stream != null) {
            stream.close();
        }
        return Future.succeededFuture();
    }

    private void found(Alert alert) {
        waiting.add(alert);
        if (!writing) {
            next();
        }
    }

    /** Writes and publishes the waiting alerts, one batch at a time while Redis is up. */
    private void next() {
        if (waiting.isEmpty()) {
            return;
        }
        List<Alert> batch = new ArrayList<>(waiting);
        waiting.clear();
        if (stream == null || !stream.up()) {
            if (stream != null) {
                stream.missed(batch);
            }
            publishFirstTimes(batch);
            return;
        }
        writing = true;
        stream.write(batch).onComplete(written -> {
            writing = false;
            if (written.succeeded()) {
                long now = System.currentTimeMillis();
                for (int i = 0; i < batch.size(); i++) {
                    recent.remember(batch.get(i).alertId(), now);
                    if (written.result().get(i)) {
                        publish(batch.get(i));
                    }
                }
            } else {
                stream.missed(batch);
                publishFirstTimes(batch);
            }
            next();
        });
    }

    private void publishFirstTimes(List<Alert> batch) {
        long now = System.currentTimeMillis();
        for (Alert alert : batch) {
            if (recent.firstTime(alert.alertId(), now)) {
                publish(alert);
            }
        }
    }

    private void publish(Alert alert) {
        vertx.eventBus().publish(Addresses.ALERTS, alert);
    }
}
