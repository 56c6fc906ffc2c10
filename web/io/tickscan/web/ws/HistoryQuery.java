package io.tickscan.web.ws;

import io.tickscan.codec.Alert;

/**
 * A selection of the recent alerts ({@code GET /api/alerts?rule=&symbol=&since=&until=&limit=}, whose
 * parameters the OpenAPI document validates).
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

    /** True when {@code alert} is one this query selects (limit aside). */
    boolean selects(Alert alert) {
        return (rule == null || rule.equals(alert.ruleId())) && (symbol == null || symbol.equals(alert.symbol()))
                && (since == null || alert.ts() >= since) && (until == null || alert.ts() <= until);
    }
}
