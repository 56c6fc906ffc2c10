package io.tickscan.web.ws;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.AlertJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert history in the Redis stream, asked of this node's alert pipeline on {@link Addresses#ALERTS_HISTORY}.
 * Each request fails when the node has no Redis or Redis is away; the caller then answers from memory.
 */
final class StoredHistory {
    private static final int PAGE = 1000;
    private final Vertx vertx;
    /** The most stream entries one query reads, newest first: the same bound as the in-memory history. */
    private final int depth;

    StoredHistory(Vertx vertx, int depth) {
        this.vertx = vertx;
        this.depth = Math.max(1, depth);
    }

    /** The alerts {@code query} selects among the newest {@code depth} of the stream, newest first, as JSON. */
    Future<JsonArray> select(HistoryQuery query) {
        return page(query, null, new JsonArray(), 0);
    }

    private Future<JsonArray> page(HistoryQuery query, String before, JsonArray selected, int read) {
        int count = Math.min(PAGE, depth - read);
        return ask(new JsonObject().put("before", before).put("count", count)).compose(reply -> {
            JsonArray entries = reply.getJsonArray("entries");
            String last = before;
            for (int i = 0; i < entries.size() && selected.size() < query.limit(); i++) {
                JsonObject entry = entries.getJsonObject(i);
                last = entry.getString("id");
                if (query.selects(AlertJson.parse(entry.getJsonObject("alert")))) {
                    selected.add(entry.getJsonObject("alert"));
                }
            }
            int now = read + entries.size();
            boolean done = selected.size() >= query.limit() || entries.size() < count || now >= depth;
            return done ? Future.succeededFuture(selected) : page(query, last, selected, now);
        });
    }

    /**
     * The alerts after {@code alertId}, oldest first, or null when they cannot be told: it is not in the stream,
     * or more than {@code depth} came after it.
     */
    Future<List<EncodedAlert>> after(String alertId) {
        return ask(new JsonObject().put("after", alertId).put("count", depth)).map(reply -> {
            if (!reply.getBoolean("found") || reply.getBoolean("more")) {
                return null;
            }
            JsonArray alerts = reply.getJsonArray("alerts");
            List<EncodedAlert> missed = new ArrayList<>(alerts.size());
            for (int i = 0; i < alerts.size(); i++) {
                JsonObject json = alerts.getJsonObject(i);
                missed.add(EncodedAlert.of(AlertJson.parse(json), json.encode()));
            }
            return missed;
        });
    }

    private Future<JsonObject> ask(JsonObject request) {
        return vertx.eventBus().<JsonObject>request(Addresses.ALERTS_HISTORY, request, Addresses.local())
                .map(reply -> reply.body());
    }
}
