package io.tickscan.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.redis.RedisHealth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Its stop waits, for at most {@code stop_wait_ms}, until every alert it took is in the stream: the batch being
 * written, those waiting for it, and those kept while Redis was away (Redis is then tried every 100 ms). What is
 * still not stored at the deadline is counted in {@code redis_catchup_dropped_total} and logged. Stop the
 * scanners first: alerts found during the stop are taken and waited for too.
 *
 * <p>It also answers {@link Addresses#ALERTS_HISTORY} from the stream when Redis is configured
 * ({@link StreamHistory}). Config: {@code redis} (the {@code redis.*} settings), {@code dedupe_memory} (how many
 * ids are remembered in memory, also the most alerts kept for the stream while Redis is away), {@code stop_wait_ms}
 * (how long the stop waits for the stream).
 */
public final class AlertPipelineVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(AlertPipelineVerticle.class);
    private final MeterRegistry registry;
    private final Redis redis;
    private final List<Alert> waiting = new ArrayList<>();
    private RecentIds recent;
    private AlertStream stream;
    private boolean writing;
    /** The batch being written, while {@link #writing}. */
    private List<Alert> inFlight = List.of();
    /** Completed once the stop may go on; null until the stop begins. */
    private Promise<Void> stopped;
    private long stopTimer = -1;

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
            stream.onBack(this::stopWhenStored);
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
        if (stream == null) {
            return Future.succeededFuture();
        }
        stopped = Promise.promise();
        long waitMs = config().getLong("stop_wait_ms", 5_000L);
        stopTimer = vertx.setTimer(Math.max(1, waitMs), id -> giveUp(waitMs));
        stream.hurry();
        stopWhenStored();
        return stopped.future();
    }

    /** Lets the stop go on once nothing is being written, waits to be, or is kept for Redis. */
    private void stopWhenStored() {
        if (stopped != null && !writing && waiting.isEmpty() && stream.up()) {
            vertx.cancelTimer(stopTimer);
            stream.close();
            stopped.tryComplete();
        }
    }

    /** The stop's deadline: what is not in the stream yet is counted and logged, and the stop goes on. */
    private void giveUp(long waitMs) {
        int left = stream.abandon(waiting.size() + (writing ? inFlight.size() : 0));
        waiting.clear();
        if (left > 0) {
            LOG.warn("stopping: {} alerts not stored in the Redis stream after waiting {} ms for Redis "
                    + "(counted in redis_catchup_dropped_total)", left, waitMs);
        }
        stopped.tryComplete();
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
        if (stopped != null && stopped.future().isComplete()) {
            return; // after the stop's deadline: counted there, or too late to write
        }
        writing = true;
        inFlight = batch;
        stream.write(batch).onComplete(written -> {
            writing = false;
            inFlight = List.of();
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
            stopWhenStored();
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
