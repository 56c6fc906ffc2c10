package io.tickscan.redis;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/** Makes the one pooled Redis client of a node from its {@code redis.*} settings. */
public final class RedisClients {
    private RedisClients() {
    }

    /** True when {@code redis.url} is set. */
    public static boolean configured(JsonObject redis) {
        return redis != null && !redis.getString("url", "").isEmpty();
    }

    /**
     * A pooled client of {@code redis.url} with {@code redis.pool_size} connections (the library's default of 6,
     * with 24 waiting, is too small under load), or null when no Redis is configured. It connects lazily: a
     * Redis that is down fails the requests, never the creation.
     */
    public static Redis create(Vertx vertx, JsonObject redis) {
        if (!configured(redis)) {
            return null;
        }
        int pool = redis.getInteger("pool_size", 16);
        return Redis.createClient(vertx, new RedisOptions().setConnectionString(redis.getString("url"))
                .setMaxPoolSize(pool).setMaxPoolWaiting(pool * 64).setMaxWaitingHandlers(pool * 256));
    }

    /**
     * {@code url} with its password hidden, for logs and messages: {@code redis://user:***@host:port}, or
     * {@code redis://***@host:port} when the user info is a password alone.
     */
    public static String redacted(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme + 3) {
            return url;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return url.substring(0, scheme + 3) + shown + url.substring(at);
    }
}
