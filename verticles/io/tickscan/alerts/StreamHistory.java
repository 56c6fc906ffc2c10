package io.tickscan.alerts;

import io.tickscan.codec.Addresses;
import io.tickscan.redis.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@link Addresses#ALERTS_HISTORY} from the stream {@code tickscan:alerts}: a page of entries, newest
 * first ({@code XREVRANGE}), or the alerts after one alert id (its entry id is the value of its dedupe key, then
 * {@code XRANGE} from there). A failure (Redis away) fails the request, and the web side answers from memory.
 */
final class StreamHistory {
    /** The most entries one page reads. */
    static final int MAX_PAGE = 1000;
    /** The most alerts one request of those after an alert reads. */
    static final int MAX_AFTER = 10_000;
    private final Redis redis;

    StreamHistory(Redis redis) {
        this.redis = redis;
    }

    void answer(Message<JsonObject> message) {
        JsonObject body = message.body();
        boolean after = body.containsKey("after");
        int most = after ? MAX_AFTER : MAX_PAGE;
        int count = Math.max(1, Math.min(most, body.getInteger("count", most)));
        Future<JsonObject> reply = after ? after(body.getString("after"), count) : page(body.getString("before"), count);
        reply.timeout(AlertStream.TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(done -> {
            if (done.succeeded()) {
                message.reply(done.result());
            } else {
                message.fail(503, "the alert stream could not be read: " + done.cause().getMessage());
            }
        });
    }

    /** {@code {"entries": [{"id", "alert"}...]}}, newest first, older than entry {@code before} when given. */
    private Future<JsonObject> page(String before, int count) {
        return redis.send(Request.cmd(Command.XREVRANGE).arg(RedisKeys.ALERT_STREAM)
                .arg(before == null ? "+" : "(" + before).arg("-").arg("COUNT").arg(count)).map(entries -> {
                    JsonArray out = new JsonArray();
                    for (Response entry : entries) {
                        out.add(new JsonObject().put("id", entry.get(0).toString()).put("alert", alert(entry)));
                    }
                    return new JsonObject().put("entries", out);
                });
    }

    /**
     * {@code {"found": false}} when the alert is not in the stream (unknown, or its key expired), else
     * {@code {"found": true, "alerts": [...], "more": bool}}: at most {@code count} alerts after it, oldest first,
     * and whether more followed.
     */
    private Future<JsonObject> after(String alertId, int count) {
        return redis.send(Request.cmd(Command.GET).arg(RedisKeys.alert(alertId))).compose(entryId -> {
            if (entryId == null || !entryId.toString().contains("-")) {
                return Future.succeededFuture(new JsonObject().put("found", false));
            }
            return redis.send(Request.cmd(Command.XRANGE).arg(RedisKeys.ALERT_STREAM).arg("(" + entryId)
                    .arg("+").arg("COUNT").arg(count + 1)).map(entries -> {
                        JsonArray alerts = new JsonArray();
                        for (int i = 0; i < Math.min(count, entries.size()); i++) {
                            alerts.add(alert(entries.get(i)));
                        }
                        return new JsonObject().put("found", true).put("alerts", alerts)
                                .put("more", entries.size() > count);
                    });
        });
    }

    /** The alert JSON of a stream entry {@code [id, [field, value, ...]]}. */
    private static JsonObject alert(Response entry) {
        Response fields = entry.get(1);
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if ("alert".equals(fields.get(i).toString())) {
                return new JsonObject(fields.get(i + 1).toString());
            }
        }
        return new JsonObject();
    }
}
