package io.tickscan.scanner;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The cluster's rule set and its version, kept in the cluster manager's map {@value #MAP} (Hazelcast, with a
 * backup on another member; a local map on a standalone node). A replacement is a compare-and-set on the stored
 * value, retried on conflict, so two concurrent replacements get two different versions and the higher one wins
 * everywhere. Every operation fails after {@link #TIMEOUT_MS} rather than wait on an unreachable member (a
 * replacement that timed out may still land).
 *
 * <p>The map lives as long as one member does: a restart of the whole cluster starts again from
 * {@code rules.file}.
 */
final class RuleStore {
    static final String MAP = "tickscan.rules";
    static final long TIMEOUT_MS = 5_000;
    private static final String KEY = "current";
    private static final int ATTEMPTS = 20;

    private final Vertx vertx;

    RuleStore(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The cluster's current rule set; when there is none, {@code seed} becomes it. */
    Future<VersionedRules> current(VersionedRules seed) {
        String initial = seed.toJson().encode();
        return map().compose(m -> m.putIfAbsent(KEY, initial))
                .map(existing -> VersionedRules.decode(existing != null ? existing : initial))
                .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Makes {@code text} the cluster's rule set under the next version. */
    Future<VersionedRules> replace(String text) {
        return update(old -> text);
    }

    /**
     * Makes {@code edit(stored text)} the cluster's rule set under the next version; when another member stored
     * a set in between, {@code edit} is applied again to that one. An exception thrown by {@code edit} fails the
     * future with it, and nothing is stored.
     */
    Future<VersionedRules> update(UnaryOperator<String> edit) {
        return map().compose(m -> update(m, edit, ATTEMPTS)).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private Future<VersionedRules> update(AsyncMap<String, String> map, UnaryOperator<String> edit, int attempts) {
        return map.get(KEY).compose(old -> {
            VersionedRules stored = old == null ? null : VersionedRules.decode(old);
            String text = edit.apply(stored == null ? null : stored.text());
            long version = stored == null ? 1 : stored.version() + 1;
            String next = VersionedRules.encode(version, text);
            Future<Boolean> swapped = old == null ? map.putIfAbsent(KEY, next).map(v -> v == null)
                    : map.replaceIfPresent(KEY, old, next);
            return swapped.compose(done -> done ? Future.succeededFuture(new VersionedRules(version, text))
                    : attempts > 1 ? update(map, edit, attempts - 1)
                    : Future.failedFuture("the rule set changed " + ATTEMPTS + " times while this one was stored"));
        });
    }

    private Future<AsyncMap<String, String>> map() {
        try {
            return vertx.sharedData().getAsyncMap(MAP);
        } catch (RuntimeException e) { // a cluster manager that has stopped throws instead of failing the future
            return Future.failedFuture(e);
        }
    }

    /**
     * A rule set and its version.
     *
     * @param version grows by one with every replacement, cluster-wide
     * @param text    the rules file's JSON text
     */
    record VersionedRules(long version, String text) {
        static String encode(long version, String text) {
            return new VersionedRules(version, text).toJson().encode();
        }

        static VersionedRules decode(String stored) {
            return fromJson(new JsonObject(stored));
        }

        JsonObject toJson() {
            return new JsonObject().put("version", version).put("text", text);
        }

        static VersionedRules fromJson(JsonObject json) {
            return new VersionedRules(json.getLong("version"), json.getString("text"));
        }
    }
}
