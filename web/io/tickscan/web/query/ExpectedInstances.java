package io.tickscan.web.query;

import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scanner instances a query over all of them expects answers from: the entries of
 * {@link Addresses#SCANNER_REGISTRY} whose member is alive, the live members being the {@code members} of this
 * node's status ({@link Addresses#NODE_STATUS}). On a standalone node, or when this node's status does not answer,
 * every entry is expected.
 */
final class ExpectedInstances {
    private final Vertx vertx;

    ExpectedInstances(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The ids of the instances expected to answer. */
    Future<Set<String>> read() {
        Future<Map<String, JsonObject>> entries = vertx.sharedData()
                .<String, JsonObject>getAsyncMap(Addresses.SCANNER_REGISTRY).compose(AsyncMap::entries);
        Future<Set<String>> members = vertx.eventBus()
                .<JsonObject>request(Addresses.NODE_STATUS, null, Addresses.local())
                .map(reply -> liveMembers(reply.body()))
                .otherwise((Set<String>) null);
        return Future.all(entries, members).map(both -> {
            Set<String> live = members.result();
            Set<String> expected = new TreeSet<>();
            entries.result().forEach((instance, entry) -> {
                if (live == null || live.contains(entry.getString("member"))) {
                    expected.add(instance);
                }
            });
            return expected;
        });
    }

    /** The members a clustered node sees; null when the node is standalone (every entry is its own). */
    private static Set<String> liveMembers(JsonObject status) {
        if (!Boolean.TRUE.equals(status.getBoolean("clustered"))) {
            return null;
        }
        Set<String> members = new TreeSet<>();
        JsonArray list = status.getJsonArray("members", new JsonArray());
        // each member an object with its id (a bare id from older nodes)
        list.forEach(m -> members.add(m instanceof JsonObject member ? member.getString("id") : String.valueOf(m)));
        return members;
    }
}
