package io.tickscan.web.ws;

import io.tickscan.codec.Alert;
import io.vertx.core.MultiMap;

/**
 * A selection of the recent alerts ({@code GET /api/alerts?rule=&symbol=&since=&until=&limit=}).
 *
 * @param rule   the rule id, or null for every rule
 * @param symbol the symbol, or null for every symbol
 * @param since  the earliest alert {@code ts} (epoch ms, inclusive), or null
 * @param until  the latest alert {@code ts} (epoch ms, inclusive), or null
 * @param limit  at most this many alerts, the newest; 1 to {@value #MAX_LIMIT}
 */
public record HistoryQuery(String rule, String symbol, Long since, Long until, int limit) {
    /** The limit when none is given. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest limit. */
    public static final int MAX_LIMIT = 1000;

    /** @throws IllegalArgumentException when {@code limit} is not between 1 and {@value #MAX_LIMIT} */
    public HistoryQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", found " + limit);
        }
    }

    /**
     * The query of a request's parameters; absent or empty ones select everything, {@code limit} defaults to
     * {@value #DEFAULT_LIMIT}.
     *
     * @throws IllegalArgumentException with a message for the client (400) naming the parameter that is wrong
     */
    public static HistoryQuery of(MultiMap params) {
        Long limit = number(params, "limit");
        if (limit != null && limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", found " + limit);
        }
        return new HistoryQuery(text(params, "rule"), text(params, "symbol"), number(params, "since"),
                number(params, "until"), limit == null ? DEFAULT_LIMIT : limit.intValue());
    }

    /** True when {@code alert} is one this query selects (limit aside). */
    boolean selects(Alert alert) {
        return (rule == null || rule.equals(alert.ruleId())) && (symbol == null || symbol.equals(alert.symbol()))
                && (since == null || alert.ts() >= since) && (until == null || alert.ts() <= until);
    }

    private static String text(MultiMap params, String name) {
        String value = params.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private static Long number(MultiMap params, String name) {
        String value = text(params, name);
        if (value == null) {
            return null;
        }
        if (value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(name + " must be a whole number"
                    + (name.equals("limit") ? "" : " (epoch milliseconds)") + ", found \""
                    + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "\"");
        }
        return Long.parseLong(value);
    }
}
