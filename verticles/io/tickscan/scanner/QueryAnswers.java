package io.tickscan.scanner;

import io.tickscan.codec.Addresses;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.Screen;
import io.tickscan.engine.SymbolSnapshot;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSetException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The answers of one scanner instance to the queries of {@link Addresses#SCANNER_QUERY}, as JSON, read from its
 * engine between scans ({@code docs/web-api.md}, "Scanner queries"):
 * <ul>
 *   <li>{@code matches}: {@code {"scan_ts", "evaluated", "known", "metrics", "matches": [match...]}}</li>
 *   <li>{@code preview}: {@code {"scan_ts", "evaluated", "metrics", "matches"}}, or {@code {"error", "errors"}}
 *       when the rule is not valid</li>
 *   <li>{@code symbol}: {@code {"found": false}} or {@code {"found": true, "symbol": {...}}}</li>
 * </ul>
 * Each answer also carries the query's {@code id} and the instance's {@code instance} and {@code node}. A match
 * is {@code {"symbol", "price", "metrics": {"<canonical metric>": value | null}}}; {@code scan_ts} is null before
 * the first scan; {@code evaluated} is false when the rules have not been evaluated by a scan yet (before the
 * first, or when a new set was swapped in since), and {@code matches} is then empty.
 */
final class QueryAnswers {
    /** Complete 1-minute bars in a symbol's answer, at most. */
    static final int MAX_BARS = 120;
    /** Id given to a previewed rule that has none. */
    static final String PREVIEW_ID = "preview";

    private final ScanEngine engine;
    private final RuleLimits limits;
    private final String instance;
    private final String node;

    QueryAnswers(ScanEngine engine, RuleLimits limits, String instance, String node) {
        this.engine = engine;
        this.limits = limits;
        this.instance = instance;
        this.node = node;
    }

    /** The answer to one query; an unknown kind or a malformed query answers {@code {"error"}}. */
    JsonObject answer(JsonObject query) {
        JsonObject reply = new JsonObject().put("id", query.getValue("id")).put("instance", instance)
                .put("node", node);
        Object kind = query.getValue("kind");
        if ("matches".equals(kind) && query.getValue("rule") instanceof String rule) {
            return matches(rule, reply);
        }
        if ("preview".equals(kind) && query.getValue("rule") instanceof JsonObject rule) {
            return preview(rule, reply);
        }
        if ("symbol".equals(kind) && query.getValue("symbol") instanceof String symbol) {
            return symbol(symbol, reply);
        }
        return reply.put("error", "a query is {\"kind\": \"matches\", \"rule\": \"<id>\"}, {\"kind\": \"preview\", "
                + "\"rule\": {...}} or {\"kind\": \"symbol\", \"symbol\": \"<symbol>\"}, not " + query.getValue("kind"));
    }

    private JsonObject matches(String ruleId, JsonObject reply) {
        Screen screen = engine.matches(ruleId);
        if (screen == null) {
            return reply.put("known", false).put("scan_ts", scanTs(engine.lastScan())).put("evaluated", false)
                    .put("metrics", new JsonArray()).put("matches", new JsonArray());
        }
        return screen(screen, reply.put("known", true));
    }

    private JsonObject preview(JsonObject rule, JsonObject reply) {
        JsonObject draft = rule.containsKey("id") ? rule : rule.copy().put("id", PREVIEW_ID);
        try {
            String file = new JsonObject().put("rules", new JsonArray().add(draft)).encode();
            return screen(engine.preview(RulesFile.parse(file, limits).rules().get(0)), reply);
        } catch (RuleSetException e) {
            return reply.put("error", "the rule is not valid: " + e.summary(3)).mergeIn(RulesFile.errors(e));
        }
    }

    private JsonObject symbol(String symbol, JsonObject reply) {
        SymbolSnapshot s = engine.snapshot(symbol, MAX_BARS);
        if (s == null) {
            return reply.put("found", false);
        }
        JsonArray bars = new JsonArray();
        s.bars().forEach(bar -> bars.add(bar(bar)));
        SymbolSnapshot.Session session = s.session();
        return reply.put("found", true).put("symbol", new JsonObject().put("symbol", s.symbol())
                .put("last", number(s.last())).put("ts", s.lastTs())
                .put("session", new JsonObject().put("start", session.start()).put("open", number(session.open()))
                        .put("high", number(session.high())).put("low", number(session.low()))
                        .put("volume", number(session.volume())).put("vwap", number(session.vwap()))
                        .put("notional", number(session.notional())))
                .put("bars", bars).put("live", bar(s.live()))
                .put("scan_ts", scanTs(s.scanTs())).put("metrics", metrics(s.metricNames(), s.metricValues())));
    }

    private static JsonObject screen(Screen screen, JsonObject reply) {
        JsonArray matches = new JsonArray();
        for (Screen.Match m : screen.matches()) {
            matches.add(new JsonObject().put("symbol", m.symbol()).put("price", number(m.price()))
                    .put("metrics", metrics(screen.metrics(), m.values())));
        }
        return reply.put("scan_ts", scanTs(screen.scanTs())).put("evaluated", screen.evaluated())
                .put("metrics", new JsonArray(screen.metrics())).put("matches", matches);
    }

    private static JsonObject bar(SymbolSnapshot.Bar bar) {
        return new JsonObject().put("t", bar.t()).put("o", number(bar.open())).put("h", number(bar.high()))
                .put("l", number(bar.low())).put("c", number(bar.close())).put("v", number(bar.volume()));
    }

    /** Canonical metric names to values, undefined (or infinite after an overflow) as null, as in alerts. */
    private static JsonObject metrics(List<String> names, double[] values) {
        JsonObject metrics = new JsonObject();
        for (int j = 0; j < names.size(); j++) {
            metrics.put(names.get(j), number(values[j]));
        }
        return metrics;
    }

    private static Double number(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static Long scanTs(long ts) {
        return ts == Screen.NO_SCAN ? null : ts;
    }
}
