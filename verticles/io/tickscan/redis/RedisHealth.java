package io.tickscan.redis;

import io.tickscan.codec.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * This node's {@code "redis"} entry of {@link Addresses#HEALTH_MAP}. Redis is not essential: while it is away the
 * node keeps scanning and publishing (dedupe in memory, alerts kept for the stream until it is back), so the
 * entry says {@code "essential": false} and the node stays ready; {@code /api/status} shows it.
 */
public final class RedisHealth {
    /** The entry's name. */
    public static final String NAME = "redis";

    private RedisHealth() {
    }

    /** Reports Redis reachable. */
    public static void up(Vertx vertx) {
        put(vertx, new JsonObject().put("ok", true).put("essential", false));
    }

    /** Reports Redis unreachable, and why. */
    public static void down(Vertx vertx, String why) {
        put(vertx, new JsonObject().put("ok", false).put("essential", false).put("why", why));
    }

    private static void put(Vertx vertx, JsonObject entry) {
        vertx.sharedData().<String, JsonObject>getLocalMap(Addresses.HEALTH_MAP).put(NAME, entry);
    }
}
