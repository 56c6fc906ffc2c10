package io.tickscan.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A rule set of mixed shapes for benchmarks: every metric, every operator, both forms, some universes. */
final class BenchRules {
    private static final String[] TEMPLATES = {
        "change_pct(5m) > %1$s and rel_volume(5m) > 1.5",
        "rsi(14) crosses_below %2$s",
        "last > high(30m) and volume(5m) > %3$s",
        "ema(9) crosses_above ema(21)",
        "last between day_low and vwap and change_pct_day < -%1$s",
        "not (change_pct(15m) > %1$s) and day_volume > %3$s",
        "sma(20) < last or rsi(7) > %4$s",
        "rel_volume(1m) > %5$s",
        "low(60m) > vwap or (change_pct(1h) < -%1$s and rel_volume(15m) between 1 and 3)",
        "last crosses_above sma(50) and rsi(14) < %4$s",
    };

    private BenchRules() {
    }

    /** {@code count} rules cycling through the templates with thresholds that vary per rule, cooldown 60 s. */
    static List<Object> mixed(int count) {
        return mixed(count, 60);
    }

    /** {@code count} rules cycling through the templates with thresholds that vary per rule. */
    static List<Object> mixed(int count, int cooldownSec) {
        List<Object> rules = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int round = i / TEMPLATES.length;
            String when = String.format(java.util.Locale.ROOT, TEMPLATES[i % TEMPLATES.length],
                    0.2 + 0.1 * round, 30 - round, 10 + 5 * round, 70 + round, 2 + 0.5 * round);
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", "rule-" + i);
            rule.put("when", when);
            rule.put("cooldown_sec", cooldownSec);
            if (i % 7 == 0) {
                rule.put("universe", Map.of("min_price", 5, "max_price", 500));
            }
            rules.add(rule);
        }
        return rules;
    }
}
