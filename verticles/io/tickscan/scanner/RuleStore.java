package io.tickscan.scanner;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The cluster's rule set and its version, kept in a {@link RuleCell}: in Redis under {@code tickscan:rules} when
 * Redis is configured (it then survives a restart of the whole cluster, and a node started against it takes it
 * rather than its {@code rules.file}), else in the cluster manager's map, which lives as long as one member does.
 * A replacement is a compare-and-set on the stored value, retried on conflict, so two concurrent replacements get
 * two different versions and the higher one wins everywhere. Every operation fails after {@link #TIMEOUT_MS}
 * rather than wait on an unreachable member or Redis (a replacement that timed out may still land).
 */
final class RuleStore {
    static final long TIMEOUT_MS = 5_000;
    private static final int ATTEMPTS = 20;

    private final RuleCell cell;

    RuleStore(RuleCell cell) {
        this.cell = cell;
    }

    /** The cluster's current rule set; when there is none, {@code seed} becomes it. */
    Future<VersionedRules> current(VersionedRules seed) {
        String initial = seed.toJson().encode();
        return cell.putIfAbsent(initial)
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
        return update(edit, ATTEMPTS).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private Future<VersionedRules> update(UnaryOperator<String> edit, int attempts) {
        return cell.get().compose(old -> {
            VersionedRules stored = old == null ? null : VersionedRules.decode(old);
            String text = edit.apply(stored == null ? null : stored.text());
            long version = stored == null ? 1 : stored.version() + 1;
            String next = VersionedRules.encode(version, text);
            Future<Boolean> swapped = old == null ? cell.putIfAbsent(next).map(v -> v == null)
                    : cell.replace(old, next);
            return swapped.compose(done -> done ? Future.succeededFuture(new VersionedRules(version, text))
                    : attempts > 1 ? update(edit, attempts - 1)
                    : Future.failedFuture("the rule set changed " + ATTEMPTS + " times while this one was stored"));
        });
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
