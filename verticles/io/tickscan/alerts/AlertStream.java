package io.tickscan.alerts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;
import io.tickscan.redis.RedisHealth;
import io.tickscan.redis.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes alerts to Redis, dedupe key and stream entry in one script (sent by its SHA-1, loaded when Redis lacks it): {@code SET tickscan:alert:<id> 1 NX EX ttl},
 * and only when that set it, {@code XADD tickscan:alerts MAXLEN ~ maxlen * alert <json>}, after which the key holds
 * the entry id (for websocket resume). One batch is written at a time, in order.
 *
 * <p>While Redis is away ({@link #up()} false), alerts are {@link #missed missed}: counted
 * ({@code redis_write_failures_total{what="alert"}}) and kept, at most {@code buffer} of them, the oldest dropped
 * and counted ({@code redis_catchup_dropped_total}). Redis is tried again after 100 ms, doubling to 5 s; when it
 * answers, the kept alerts are written first, in order, and only then is it {@link #up()} again. When the node
 * stops, {@link #hurry()} retries every 100 ms from then on, and {@link #abandon(int)} counts what is still kept as
 * dropped.
 */
final class AlertStream {
    private static final Logger LOG = LoggerFactory.getLogger(AlertStream.class);
    static final String SCRIPT = "if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end "
            + "local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'alert', ARGV[3]) "
            + "redis.call('SET', KEYS[1], id, 'KEEPTTL') return id";
    /** The script's SHA-1, by which it is run ({@code EVALSHA}) once Redis holds it. */
    static final String SCRIPT_SHA = sha1(SCRIPT);
    static final long TIMEOUT_MS = 3_000;
    private static final long FIRST_RETRY_MS = 100;
    private static final long LAST_RETRY_MS = 5_000;
    private static final int CATCH_UP_BATCH = 500;

    private final Vertx vertx;
    private final Redis redis;
    private final long ttlSec;
    private final long maxlen;
    private final int buffer;
    private final ArrayDeque<Alert> kept = new ArrayDeque<>();
    private final Counter failures;
    private final Counter dropped;
    private boolean up = true;
    private long retryMs = FIRST_RETRY_MS;
    private long retryTimer = -1;
    private boolean closed;
    private boolean hurry;
    private Runnable onBack = () -> { };

    AlertStream(Vertx vertx, Redis redis, long ttlSec, long maxlen, int buffer, MeterRegistry registry) {
        this.vertx = vertx;
        this.redis = redis;
        this.ttlSec = ttlSec;
        this.maxlen = maxlen;
        this.buffer = buffer;
        this.failures = Counter.builder("redis_write_failures").tag("what", "alert")
                .description("Writes to Redis that failed and are kept to be written when it is back")
                .register(registry);
        this.dropped = Counter.builder("redis_catchup_dropped").description("Alerts dropped from the buffer kept "
                + "for Redis while it was away, or still in it when the node stopped (they never reach the stream)")
                .register(registry);
    }

    /** True while Redis answers and nothing missed waits to be written. */
    boolean up() {
        return up;
    }

    /**
     * Writes {@code alerts}; the future holds, for each, true when it was new (written to the stream) and false
     * when its id was already there. A failure marks Redis away; the caller then gives the alerts to
     * {@link #missed}.
     */
    Future<List<Boolean>> write(List<Alert> alerts) {
        List<Request> requests = new ArrayList<>(alerts.size());
        for (Alert alert : alerts) {
            requests.add(Request.cmd(Command.EVALSHA).arg(SCRIPT_SHA).arg(2).arg(RedisKeys.alert(alert.alertId()))
                    .arg(RedisKeys.ALERT_STREAM).arg(ttlSec).arg(maxlen).arg(AlertJson.of(alert).encode()));
        }
        return redis.batch(requests).recover(e -> {
            if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                return Future.failedFuture(e);
            }
            // a Redis that never ran it, or restarted since: loaded once, then the batch again (its SET NX makes
            // the retry harmless for any alert the first try wrote)
            return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
                    .compose(loaded -> redis.batch(requests));
        }).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).map(replies -> {
            List<Boolean> fresh = new ArrayList<>(replies.size());
            for (Response reply : replies) {
                fresh.add(reply != null);
            }
            return fresh;
        }).onFailure(this::lost);
    }

    /** Counts and keeps alerts that could not be written, to write them when Redis is back. */
    void missed(List<Alert> alerts) {
        failures.increment(alerts.size());
        for (Alert alert : alerts) {
            if (kept.size() == buffer) {
                kept.pollFirst();
                dropped.increment();
            }
            kept.addLast(alert);
        }
        if (up) {
            lost(new IllegalStateException("alerts could not be written"));
        }
    }

    /** Runs {@code action} each time Redis is {@link #up()} again after being away. */
    void onBack(Runnable action) {
        onBack = action;
    }

    /**
     * From now on Redis is tried again every {@value #FIRST_RETRY_MS} ms, without backing off, starting at once
     * when a retry was waiting: the node is stopping and waits for the kept alerts.
     */
    void hurry() {
        hurry = true;
        retryMs = FIRST_RETRY_MS;
        if (retryTimer >= 0) {
            vertx.cancelTimer(retryTimer);
            retryTimer = -1;
            catchUp();
        }
    }

    /**
     * Stops trying to reconnect and gives up the kept alerts and {@code others} more that the caller could not
     * store, all counted as dropped ({@code redis_catchup_dropped_total}); returns how many in all.
     */
    int abandon(int others) {
        close();
        int left = kept.size() + others;
        dropped.increment(left);
        kept.clear();
        return left;
    }

    /** Stops trying to reconnect. */
    void close() {
        closed = true;
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
    }

    private void lost(Throwable cause) {
        if (up) {
            up = false;
            LOG.warn("Redis away ({}): alerts are deduplicated in memory and kept for the stream", cause.toString());
            RedisHealth.down(vertx, "unreachable: " + cause.getMessage());
            retryLater();
        }
    }

    private void retryLater() {
        if (closed || retryTimer >= 0) {
            return;
        }
        retryTimer = vertx.setTimer(retryMs, id -> {
            retryTimer = -1;
            catchUp();
        });
        retryMs = hurry ? FIRST_RETRY_MS : Math.min(LAST_RETRY_MS, retryMs * 2);
    }

    /** Writes the kept alerts a batch at a time; when none is left, Redis is up again. */
    private void catchUp() {
        if (closed) {
            return;
        }
        if (kept.isEmpty()) {
            redis.send(Request.cmd(Command.PING)).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ping -> {
                if (ping.failed()) {
                    retryLater();
                } else if (kept.isEmpty()) {
                    back();
                } else {
                    catchUp();
                }
            });
            return;
        }
        List<Alert> batch = new ArrayList<>(Math.min(kept.size(), CATCH_UP_BATCH));
        for (Alert alert : kept) {
            if (batch.size() == CATCH_UP_BATCH) {
                break;
            }
            batch.add(alert);
        }
        write(batch).onComplete(done -> {
            if (done.failed()) {
                retryLater();
                return;
            }
            for (int i = 0; i < batch.size() && !kept.isEmpty() && kept.peekFirst() == batch.get(i); i++) {
                kept.pollFirst();
            }
            catchUp();
        });
    }

    private void back() {
        up = true;
        retryMs = FIRST_RETRY_MS;
        LOG.info("Redis is back; the alerts missed meanwhile are in the stream");
        RedisHealth.up(vertx);
        onBack.run();
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
