package io.tickscan.engine;

import io.tickscan.codec.Alert;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetReader;
import io.tickscan.rules.WhenParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Drives a {@link ScanEngine} by hand in tests: ticks, scans, the alerts of each scan, metric values. */
final class EngineHarness {
    /** A UTC midnight (2023-11-14), so that sessions are easy to reason about. */
    static final long DAY = 1_699_920_000_000L;
    static final long MINUTE = 60_000L;
    /** 10:00 UTC of {@link #DAY}: minute-aligned. */
    static final long T0 = DAY + 10 * 3_600_000L;

    final ScanEngine engine;

    private EngineHarness(ScanEngine engine) {
        this.engine = engine;
    }

    /** One rule per condition, ids r0, r1, ..., each with the given cooldown. */
    static EngineHarness of(int cooldownSec, String... conditions) {
        List<Object> rules = new ArrayList<>();
        for (int i = 0; i < conditions.length; i++) {
            rules.add(rule("r" + i, conditions[i], cooldownSec));
        }
        return of(rules, EngineSettings.DEFAULTS);
    }

    static EngineHarness of(List<Object> rules, EngineSettings settings) {
        RuleSet set = RuleSetReader.read(rules, settings.historyMinutes());
        return new EngineHarness(new ScanEngine(set, settings));
    }

    static Map<String, Object> rule(String id, String when, int cooldownSec) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("id", id);
        rule.put("when", when);
        rule.put("cooldown_sec", cooldownSec);
        return rule;
    }

    TickOutcome tick(String symbol, long ts, double price, double size) {
        return engine.apply(symbol, ts, price, size);
    }

    /** Runs the scan at {@code t} and returns its alerts. */
    List<Alert> scan(long t) {
        List<Alert> alerts = new ArrayList<>();
        engine.scan(t, (rule, symbol, at) -> alerts.add(engine.alert(rule, symbol, at, Alert::new)));
        return alerts;
    }

    /** Ids of the rules that fired for {@code symbol} at the scan at {@code t}. */
    List<String> firedAt(long t, String symbol) {
        return scan(t).stream().filter(a -> a.symbol().equals(symbol)).map(Alert::ruleId).toList();
    }

    /** A metric's value for a symbol as of the latest scan (the metric must be read by a rule). */
    double value(String symbol, String metric) {
        return engine.value(symbol, WhenParser.parseMetric(metric, engine.settings().historyMinutes()));
    }
}
