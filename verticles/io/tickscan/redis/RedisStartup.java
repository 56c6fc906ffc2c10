package io.tickscan.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A starting node's wait for Redis. The rule set kept there is essential at start (nodes must not run different
 * rule sets), so a node does not start without Redis; but Redis may come up a little after the node (a whole
 * system started at once), so the node sends {@code PING} until it answers, for at most
 * {@code redis.startup_wait_ms} (one attempt when 0; an attempt that started before the deadline may take up to
 * 2 s more): again after 200 ms, the wait doubling up to 5 s. Each failed attempt is logged
 * with {@code redis.url} (its password hidden) and the cause; at the end the start fails with one line that names
 * {@code redis.url} and what went wrong. A refused password ({@code WRONGPASS}, {@code NOAUTH}) fails at once:
 * waiting does not mend it. Once the node runs, Redis is not essential any more.
 */
public final class RedisStartup {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStartup.class);
    static final long FIRST_RETRY_MS = 200;
    static final long LAST_RETRY_MS = 5_000;
    /** The longest one attempt may take (a host that drops packets answers nothing). */
    static final long ATTEMPT_TIMEOUT_MS = 2_000;

    private final Vertx vertx;
    private final Redis redis;
    private final String url;
    private final long waitMs;
    private final long deadline;
    private final Promise<Void> answered = Promise.promise();
    private int attempts;
    private long retryMs = FIRST_RETRY_MS;

    private RedisStartup(Vertx vertx, Redis redis, String url, long waitMs) {
        this.vertx = vertx;
        this.redis = redis;
        this.url = url;
        this.waitMs = waitMs;
        this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    }

    /**
     * Completes once {@code redis} answers {@code PING}; fails with the reason, naming {@code redis.url}, when it
     * has not within {@code redis.startup_wait_ms} of {@code settings} (the {@code redis.*} settings).
     */
    public static Future<Void> await(Vertx vertx, Redis redis, JsonObject settings) {
        RedisStartup startup = new RedisStartup(vertx, redis, RedisClients.redacted(settings.getString("url")),
                settings.getLong("startup_wait_ms", 30_000L));
        startup.attempt();
        return startup.answered.future();
    }

    private void attempt() {
        attempts++;
        redis.send(Request.cmd(Command.PING)).timeout(ATTEMPT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .onComplete(ping -> {
                    if (ping.succeeded()) {
                        if (attempts > 1) {
                            LOG.info("Redis at {} answered at attempt {}", url, attempts);
                        }
                        answered.complete();
                    } else {
                        failed(ping.cause());
                    }
                });
    }

    private void failed(Throwable cause) {
        String why = why(cause);
        long left = leftMs();
        if (refusedPassword(why)) {
            answered.fail(new IllegalStateException("redis.url " + url + ": Redis refused the password: " + why));
            return;
        }
        if (left <= 0) {
            answered.fail(new IllegalStateException("redis.url " + url + ": Redis did not answer within " + waitMs
                    + " ms (redis.startup_wait_ms, " + attempts + (attempts == 1 ? " attempt" : " attempts") + "): "
                    + why));
            return;
        }
        long delay = Math.min(retryMs, left);
        LOG.warn("Redis at {} (redis.url) did not answer, attempt {}: {}; trying again in {} ms, for {} ms more "
                + "(redis.startup_wait_ms)", url, attempts, why, delay, left);
        retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
        vertx.setTimer(Math.max(1, delay), id -> attempt());
    }

    private long leftMs() {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static boolean refusedPassword(String why) {
        return why.startsWith("WRONGPASS") || why.startsWith("NOAUTH") || why.startsWith("ERR AUTH");
    }

    private static String why(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
