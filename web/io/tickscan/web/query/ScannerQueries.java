package io.tickscan.web.query;

import io.tickscan.codec.Addresses;
import io.tickscan.web.Echo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The web side of the scanner queries ({@code docs/web-api.md}, "Scanner queries"): the live screener of a rule,
 * the preview of a draft rule and a symbol's snapshot, each asked of every scanner instance of the cluster at once
 * ({@link Addresses#SCANNER_QUERY}) and merged. A query completes as soon as every instance of
 * {@link Addresses#SCANNER_REGISTRY} on a live member answered, or at the deadline, whichever comes first; the
 * body says how many answered ({@code "answered"}) and names the instances that did not, or that failed to
 * ({@code "missing"}).
 *
 * <p>A query that cannot be answered as asked fails with a {@link QueryException} that holds the HTTP status and
 * body to answer with (400, 404, 422, 503); any other failure is the node's own (500).
 *
 * <p>One per web verticle instance: {@link #start()} registers its reply consumer; the queries then run on the
 * context that started it, whichever thread calls them.
 */
public final class ScannerQueries {
    /** The most matches a screener or preview returns; {@code count} still tells how many there are. */
    public static final int MAX_LIMIT = 1000;
    /** The matches returned when no limit is asked for. */
    public static final int DEFAULT_LIMIT = 100;

    private final Vertx vertx;
    private final long deadlineMs;
    private final Gatherer gatherer;
    private Context context;

    /**
     * @param vertx      the node's Vert.x
     * @param deadlineMs how long a query waits for the scanner instances ({@code http.query_deadline_ms})
     */
    public ScannerQueries(Vertx vertx, long deadlineMs) {
        this.vertx = vertx;
        this.deadlineMs = deadlineMs;
        this.gatherer = new Gatherer(vertx, deadlineMs);
    }

    /** Registers the cluster-wide reply consumer, on the calling context (the web verticle's). */
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        return gatherer.start();
    }

    /** Unregisters the reply consumer. */
    public Future<Void> stop() {
        return gatherer.stop();
    }

    /**
     * The live screener: the symbols that satisfy an enabled rule at the latest scan of each instance (condition
     * and universe; cooldown not applied), sorted and cut to {@code limit}. The body:
     * {@code {"rule", "scan_ts", "evaluated", "metrics", "sort", "order", "count", "matches": [match...],
     * "answered", "missing"}}, where a match is {@code {"symbol", "price", "metrics": {"<metric>": value | null}}},
     * {@code metrics} the rule's canonical metric names, {@code count} the number of matches before the limit,
     * {@code scan_ts} the latest scan among the instances (null before any), {@code evaluated} false when an
     * instance had not evaluated the rule set yet (it swapped a new one in, or has not scanned).
     *
     * @param ruleId the rule's id
     * @param sort   {@code symbol}, {@code price} or a metric of the rule in its canonical form
     *               ({@code change_pct(5m)}); null for the rule's first metric
     * @param order  {@code asc} or {@code desc} (null); undefined values come last either way
     * @param limit  1 to {@link #MAX_LIMIT} ({@link #DEFAULT_LIMIT} is the documented default)
     * @return the body; or a {@link QueryException}: 400 for a bad parameter, 404 when no instance runs the rule,
     *         503 when none answered
     */
    public Future<JsonObject> matches(String ruleId, String sort, String order, int limit) {
        MatchOrder asked;
        try {
            asked = MatchOrder.of(sort, order, limit);
            required(ruleId, "a rule id");
        } catch (QueryException e) {
            return Future.failedFuture(e);
        }
        return ask(new JsonObject().put("kind", "matches").put("rule", ruleId)).map(gathered -> {
            List<JsonObject> known = usable(gathered).stream().filter(a -> a.getBoolean("known", false)).toList();
            if (known.isEmpty()) {
                throw new QueryException(404, gathered.account(new JsonObject().put("error", "no scanner runs rule '"
                        + Echo.cut(ruleId) + "': it is not in the rule set, or it is disabled")));
            }
            return gathered.account(merge(known, asked).put("rule", ruleId));
        });
    }

    /** {@link #preview(JsonObject, String, String, int)} sorted by the rule's first metric, descending, limit 100. */
    public Future<JsonObject> preview(JsonObject rule) {
        return preview(rule, null, null, DEFAULT_LIMIT);
    }

    /**
     * What a draft rule (saved or not, {@code id} optional) would match at the latest scan of each instance,
     * validated as a rule of a rules file; the body is as for {@link #matches} without {@code rule}. A
     * {@code crosses_above}/{@code crosses_below} in a draft has no previous scan to compare with, so it never
     * matches.
     *
     * @return the body; or a {@link QueryException}: 400 for a bad parameter or no rule, 422 when the rule is not
     *         valid (body {@code {"valid": false, "error", "error_count", "errors": [{"index", "rule_id", "place",
     *         "message", "text"}]}}), 503 when no instance answered
     */
    public Future<JsonObject> preview(JsonObject rule, String sort, String order, int limit) {
        MatchOrder asked;
        try {
            asked = MatchOrder.of(sort, order, limit);
            if (rule == null) {
                throw QueryException.of(400, "send one rule object to preview");
            }
        } catch (QueryException e) {
            return Future.failedFuture(e);
        }
        return ask(new JsonObject().put("kind", "preview").put("rule", rule)).map(gathered -> {
            for (JsonObject answer : gathered.answers()) {
                if (answer.containsKey("errors")) {
                    throw new QueryException(422, new JsonObject().put("valid", false)
                            .put("error", answer.getString("error")).put("error_count", answer.getInteger("error_count"))
                            .put("errors", answer.getJsonArray("errors")));
                }
            }
            return gathered.account(merge(usable(gathered), asked));
        });
    }

    /**
     * A symbol as the instance that owns it holds it: {@code {"symbol", "last", "ts", "session": {"start",
     * "open", "high", "low", "volume", "vwap", "notional"}, "bars": [{"t", "o", "h", "l", "c", "v"}...] (the newest
     * complete 1-minute bars, oldest first, at most 120), "live": {bar} (the incomplete bar), "scan_ts",
     * "metrics": {"<metric>": value | null} (every metric the rules read, at scan_ts), "instance", "answered",
     * "missing"}}.
     *
     * @return the body; or a {@link QueryException}: 400 for an empty symbol, 404 when no instance knows it, 503
     *         when none answered
     */
    public Future<JsonObject> symbol(String symbol) {
        try {
            required(symbol, "a symbol");
        } catch (QueryException e) {
            return Future.failedFuture(e);
        }
        return ask(new JsonObject().put("kind", "symbol").put("symbol", symbol)).map(gathered -> {
            JsonObject owner = usable(gathered).stream().filter(a -> a.getBoolean("found", false))
                    .max(Comparator.comparingLong(a -> a.getJsonObject("symbol").getLong("ts"))).orElse(null);
            if (owner == null) {
                throw new QueryException(404, gathered.account(new JsonObject().put("error", "no scanner knows "
                        + "symbol '" + Echo.cut(symbol) + "'")));
            }
            return gathered.account(owner.getJsonObject("symbol").copy().put("instance", owner.getString("instance")));
        });
    }

    /** Gathers the answers to {@code query} on this object's context. */
    private Future<Gathered> ask(JsonObject query) {
        Supplier<Future<Gathered>> gather = () -> gatherer.gather(query);
        if (Vertx.currentContext() == context) {
            return gather.get();
        }
        Promise<Gathered> done = Promise.promise();
        context.runOnContext(v -> gather.get().onComplete(done));
        return done.future();
    }

    /** The answers that can be used; none fails with 503. */
    private List<JsonObject> usable(Gathered gathered) {
        List<JsonObject> usable = gathered.usable();
        if (usable.isEmpty()) {
            throw new QueryException(503, gathered.account(new JsonObject().put("error", "no scanner answered within "
                    + deadlineMs + " ms (http.query_deadline_ms)")));
        }
        return usable;
    }

    /** The matches of every answer, sorted and cut, with the scan time, the metrics and the count. */
    private static JsonObject merge(List<JsonObject> answers, MatchOrder asked) {
        List<String> metrics = new ArrayList<>();
        answers.get(0).getJsonArray("metrics", new JsonArray()).forEach(m -> metrics.add((String) m));
        MatchOrder order = asked.resolve(metrics);
        List<JsonObject> matches = new ArrayList<>();
        Long scanTs = null;
        boolean evaluated = true;
        for (JsonObject answer : answers) {
            answer.getJsonArray("matches").forEach(m -> matches.add((JsonObject) m));
            Long ts = answer.getLong("scan_ts");
            if (ts != null && (scanTs == null || ts > scanTs)) {
                scanTs = ts;
            }
            evaluated &= answer.getBoolean("evaluated", false);
        }
        return new JsonObject().put("scan_ts", scanTs).put("evaluated", evaluated)
                .put("metrics", new JsonArray(metrics)).put("sort", order.sort())
                .put("order", order.desc() ? "desc" : "asc").put("count", matches.size())
                .put("matches", order.apply(matches));
    }

    private static void required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw QueryException.of(400, "name " + what);
        }
    }
}
