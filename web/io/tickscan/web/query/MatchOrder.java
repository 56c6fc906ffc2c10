package io.tickscan.web.query;

import io.tickscan.web.Echo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * How merged matches are ordered: by {@code symbol}, {@code price} or one of the rule's metrics (canonical name),
 * ascending or descending, undefined values (null) last either way, ties by symbol; then cut to a limit.
 *
 * @param sort  what to sort by
 * @param desc  true for descending
 * @param limit how many matches to keep, 1 to {@link ScannerQueries#MAX_LIMIT}
 */
record MatchOrder(String sort, boolean desc, int limit) {
    static final String SYMBOL = "symbol";
    static final String PRICE = "price";

    /**
     * Checks the order and limit a client asked for; the sort is checked against the rule's metrics later
     * ({@link #resolve}).
     *
     * @param sort  null for the rule's first metric
     * @param order {@code asc}, {@code desc}, or null for {@code desc}
     * @throws QueryException 400 for anything else
     */
    static MatchOrder of(String sort, String order, int limit) {
        String o = order == null ? "desc" : order.toLowerCase(Locale.ROOT);
        if (!o.equals("asc") && !o.equals("desc")) {
            throw QueryException.of(400, "order must be asc or desc, not '" + Echo.cut(order) + "'");
        }
        if (limit < 1 || limit > ScannerQueries.MAX_LIMIT) {
            throw QueryException.of(400, "limit must be from 1 to " + ScannerQueries.MAX_LIMIT + ", not " + limit);
        }
        return new MatchOrder(sort, o.equals("desc"), limit);
    }

    /**
     * This order with its sort checked against the rule's metrics, and the rule's first metric (or the symbol, for
     * a rule that reads none) when none was asked for.
     *
     * @throws QueryException 400 when the sort is neither symbol, price nor one of {@code metrics}
     */
    MatchOrder resolve(List<String> metrics) {
        if (sort == null) {
            return new MatchOrder(metrics.isEmpty() ? SYMBOL : metrics.get(0), desc, limit);
        }
        if (!sort.equals(SYMBOL) && !sort.equals(PRICE) && !metrics.contains(sort)) {
            throw QueryException.of(400, "cannot sort by '" + Echo.cut(sort) + "': sort by symbol, price or a metric of "
                    + "the rule, written as in its matches: " + String.join(", ", metrics));
        }
        return this;
    }

    /** Sorts {@code matches} in place and returns the first {@link #limit} of them. */
    JsonArray apply(List<JsonObject> matches) {
        matches.sort(comparator());
        return new JsonArray(new ArrayList<>(matches.subList(0, Math.min(limit, matches.size()))));
    }

    private Comparator<JsonObject> comparator() {
        Comparator<JsonObject> bySymbol = Comparator.comparing(m -> m.getString(SYMBOL));
        if (sort.equals(SYMBOL)) {
            return desc ? bySymbol.reversed() : bySymbol;
        }
        Comparator<Double> values = desc ? Comparator.reverseOrder() : Comparator.naturalOrder();
        return Comparator.comparing(this::key, Comparator.nullsLast(values)).thenComparing(bySymbol);
    }

    private Double key(JsonObject match) {
        Object value = sort.equals(PRICE) ? match.getValue(PRICE) : match.getJsonObject("metrics").getValue(sort);
        return value instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    }
}
