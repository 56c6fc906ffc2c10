package io.tickscan.engine;

import static io.tickscan.engine.EngineHarness.MINUTE;
import static io.tickscan.engine.EngineHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Alert;
import io.tickscan.rules.RuleDefinition;
import io.tickscan.rules.RuleSetReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The live screener ({@link ScanEngine#matches}), the preview of a draft rule ({@link ScanEngine#preview}) and
 * the symbol snapshot ({@link ScanEngine#snapshot}), checked against what the scans fire, on random ticks.
 */
@DisplayName("the screener, the preview and the symbol snapshot")
class ScreenTest {
    private static final int HISTORY = 180;

    /** Rules of mixed shape, all with cooldown 0, so that every scan fires exactly what the condition holds. */
    private static List<Object> mixedRules() {
        List<Object> rules = new ArrayList<>();
        rules.add(rule("change", "change_pct(1m) > 0.1", null));
        rules.add(rule("bounded", "last > 100 and volume(2m) > 50", universe(null, 95.0, 110.0)));
        rules.add(rule("listed", "not (rsi(5) < 50) or sma(3) < last",
                universe(List.of("S1", "S3", "S5", "S8", "S13", "S40", "S41"), null, null)));
        rules.add(rule("cross", "last crosses_above sma(2)", null));
        rules.add(rule("session", "vwap between 95 and 105 and change_pct_day > -1", universe(null, 97.0, null)));
        rules.add(rule("ema", "ema(4) > sma(4) or rel_volume(2m) > 1.2", null));
        rules.add(rule("day", "day_high > day_open", null));
        return rules;
    }

    @Test
    @DisplayName("with cooldown 0, a rule matches at each scan exactly the symbols that fired, with the alert's "
            + "price and metrics, through idle scans, new symbols and growth")
    void matchesAreTheFiringsOfTheScan() {
        Run run = new Run(new ScanEngine(RuleSetReader.read(mixedRules(), HISTORY), EngineSettings.DEFAULTS, 16));
        SplittableRandom random = new SplittableRandom(7);
        int checked = 0;
        for (int second = 1; second <= 8 * 60; second++) {
            if (second % 7 != 0) { // every seventh second has no tick: the unchanged fast path
                run.ticks(random, T0 + (second - 1) * 1000L, 30, Math.min(10 + second / 4, 130));
            }
            Map<String, List<Alert>> fired = run.scan(T0 + second * 1000L);
            // symbols that appear after the scan (and grow the engine) do not change what it matched
            run.ticks(random, T0 + second * 1000L, 3, Math.min(12 + second / 4, 132));
            for (CompiledRule rule : run.engine.rules()) {
                Screen screen = run.engine.matches(rule.id());
                assertThat(screen.evaluated()).isTrue();
                assertThat(screen.scanTs()).isEqualTo(T0 + second * 1000L);
                assertSame(screen, fired.getOrDefault(rule.id(), List.of()), rule.id() + " at " + second);
                checked += screen.matches().size();
            }
        }
        assertThat(run.engine.symbolCount()).as("grew beyond its first 16").isGreaterThan(50);
        assertThat(checked).as("matches compared").isGreaterThan(1000);
        for (CompiledRule rule : run.engine.rules()) {
            assertThat(run.everFired).as("rule %s fired at least once", rule.id()).contains(rule.id());
        }
    }

    @Test
    @DisplayName("the preview of a rule identical to an active one (no cross) equals its matches, even with ticks "
            + "applied since the scan")
    void previewOfAnActiveRuleEqualsItsMatches() {
        Run run = new Run(new ScanEngine(RuleSetReader.read(mixedRules(), HISTORY), EngineSettings.DEFAULTS, 16));
        SplittableRandom random = new SplittableRandom(11);
        int compared = 0;
        for (int second = 1; second <= 5 * 60; second++) {
            run.ticks(random, T0 + (second - 1) * 1000L, 40, 60);
            run.scan(T0 + second * 1000L);
            run.ticks(random, T0 + second * 1000L, 40, 70);
            if (second % 10 != 0) {
                continue;
            }
            for (CompiledRule rule : run.engine.rules()) {
                if (rule.id().equals("cross")) {
                    continue;
                }
                Screen preview = run.engine.preview(rule.definition());
                assertEqual(preview, run.engine.matches(rule.id()), rule.id());
                compared += preview.matches().size();
            }
        }
        assertThat(compared).isGreaterThan(200);
    }

    @Test
    @DisplayName("a draft with EMA and RSI windows the rules lack matches what the same rule run from the start "
            + "matches; a cross in a draft never matches")
    void aDraftWithNewWindowsMatchesTheSameRuleRunFromTheStart() {
        Map<String, Object> draft = rule("draft", "ema(7) > sma(5) and rsi(9) > 45", universe(null, 96.0, null));
        List<Object> withDraft = new ArrayList<>(mixedRules());
        withDraft.add(draft);
        Run without = new Run(new ScanEngine(RuleSetReader.read(mixedRules(), HISTORY), EngineSettings.DEFAULTS));
        Run with = new Run(new ScanEngine(RuleSetReader.read(withDraft, HISTORY), EngineSettings.DEFAULTS));
        RuleDefinition definition = RuleSetReader.read(List.of(draft), HISTORY).rules().get(0);
        RuleDefinition cross = RuleSetReader.read(List.of(rule("x", "last crosses_above ema(3)", null)), HISTORY)
                .rules().get(0);
        SplittableRandom a = new SplittableRandom(3);
        SplittableRandom b = new SplittableRandom(3);
        int matched = 0;
        for (int second = 1; second <= 30 * 60; second += 5) {
            without.ticks(a, T0 + (second - 1) * 1000L, 30, 30);
            with.ticks(b, T0 + (second - 1) * 1000L, 30, 30);
            without.scan(T0 + second * 1000L);
            with.scan(T0 + second * 1000L);
            if (second % 60 == 1 && second > 10 * 60) {
                Screen preview = without.engine.preview(definition);
                assertEqual(preview, with.engine.matches("draft"), "draft at " + second);
                matched += preview.matches().size();
                assertThat(with.engine.matches("x")).isNull();
                Screen crossed = with.engine.preview(cross);
                assertThat(crossed.evaluated()).isTrue();
                assertThat(crossed.matches()).isEmpty();
            }
        }
        assertThat(matched).isGreaterThan(20);
    }

    @Test
    @DisplayName("previews, of any rule, never change what the engine fires afterwards")
    void previewsNeverChangeLaterFirings() {
        List<RuleDefinition> drafts = RuleSetReader.read(List.of(
                rule("cross", "last crosses_above sma(2)", null),
                rule("ema", "ema(11) > ema(4) and rsi(3) < 70", null),
                rule("listed", "last > 0", universe(List.of("S2", "S77"), null, null)),
                rule("new", "change_pct(2m) < 0 or vwap > last", universe(null, null, 104.0))), HISTORY).rules();
        Run quiet = new Run(new ScanEngine(RuleSetReader.read(mixedRules(), HISTORY), EngineSettings.DEFAULTS, 16));
        Run previewed = new Run(new ScanEngine(RuleSetReader.read(mixedRules(), HISTORY), EngineSettings.DEFAULTS,
                16));
        SplittableRandom a = new SplittableRandom(5);
        SplittableRandom b = new SplittableRandom(5);
        int previews = 0;
        for (int second = 1; second <= 6 * 60; second++) {
            quiet.ticks(a, T0 + (second - 1) * 1000L, 30, 25 + second / 10);
            previewed.ticks(b, T0 + (second - 1) * 1000L, 30, 25 + second / 10);
            quiet.scan(T0 + second * 1000L);
            previewed.scan(T0 + second * 1000L);
            if (second % 3 == 0) {
                for (RuleDefinition draft : drafts) {
                    previewed.engine.preview(draft);
                    previews++;
                }
            }
        }
        assertThat(previews).isGreaterThan(400);
        assertThat(previewed.all).isNotEmpty().isEqualTo(quiet.all);
    }

    @Test
    @DisplayName("a rule set swapped in after the latest scan has no matches yet and says so; the next scan has")
    void aSwappedRuleSetIsNotEvaluatedUntilTheNextScan() {
        Run run = new Run(new ScanEngine(RuleSetReader.read(mixedRules(), HISTORY), EngineSettings.DEFAULTS));
        assertThat(run.engine.matches("change").evaluated()).isFalse();
        assertThat(run.engine.matches("change").scanTs()).isEqualTo(Screen.NO_SCAN);
        run.engine.apply("A", T0 + 100, 100, 1);
        run.scan(T0 + 1000);
        run.engine.replaceRules(RuleSetReader.read(List.of(rule("all", "last > 0", null)), HISTORY));
        Screen swapped = run.engine.matches("all");
        assertThat(swapped.evaluated()).isFalse();
        assertThat(swapped.scanTs()).isEqualTo(T0 + 1000);
        assertThat(swapped.matches()).isEmpty();
        RuleDefinition draft = RuleSetReader.read(List.of(rule("p", "last > 0", null)), HISTORY).rules().get(0);
        assertThat(run.engine.preview(draft).evaluated()).isFalse();
        assertThat(run.engine.matches("change")).as("not in the set any more").isNull();
        run.scan(T0 + 2000);
        assertThat(run.engine.matches("all").matches()).extracting(Screen.Match::symbol).containsExactly("A");
    }

    @Test
    @DisplayName("a snapshot holds the bars, the session, the newest tick, and the values of ScanEngine.value and "
            + "of the alerts")
    void aSnapshotHoldsBarsSessionAndTheScannedMetrics() {
        EngineHarness h = EngineHarness.of(0, "sma(3) > 0 and volume(3m) >= 0", "last > vwap or day_low < 95");
        h.tick("A", T0 + 1_000, 100, 2);
        h.tick("A", T0 + 2_000, 104, 1);             // bar 0: O 100 H 104 L 100 C 104 V 3
        h.tick("A", T0 + 3 * MINUTE + 5_000, 90, 4); // bars 1, 2 flat at 104
        h.tick("A", T0 + 3 * MINUTE + 6_000, 95, 1); // bar 3: O 90 H 95 L 90 C 95 V 5
        h.tick("A", T0 + 3 * MINUTE + 4_000, 96, 1); // older than the newest: not last, not close
        h.tick("A", T0 + 4 * MINUTE + 500, 97, 2);   // live bar 4
        List<Alert> alerts = h.scan(T0 + 4 * MINUTE + 1_000);
        h.tick("A", T0 + 4 * MINUTE + 1_500, 98, 1); // after the scan: in the bars and session, not the metrics
        SymbolSnapshot s = h.engine.snapshot("A", 120);
        assertThat(s.last()).isEqualTo(98);
        assertThat(s.lastTs()).isEqualTo(T0 + 4 * MINUTE + 1_500);
        assertThat(s.bars()).containsExactly(
                new SymbolSnapshot.Bar(T0, 100, 104, 100, 104, 3),
                new SymbolSnapshot.Bar(T0 + MINUTE, 104, 104, 104, 104, 0),
                new SymbolSnapshot.Bar(T0 + 2 * MINUTE, 104, 104, 104, 104, 0),
                new SymbolSnapshot.Bar(T0 + 3 * MINUTE, 90, 96, 90, 95, 6));
        assertThat(s.live()).isEqualTo(new SymbolSnapshot.Bar(T0 + 4 * MINUTE, 97, 98, 97, 98, 3));
        assertThat(h.engine.snapshot("A", 2).bars()).containsExactlyElementsOf(s.bars().subList(2, 4));
        assertThat(s.session()).isEqualTo(new SymbolSnapshot.Session(EngineHarness.DAY, 100, 104, 90, 12,
                100 * 2 + 104 + 90 * 4 + 95 + 96 + 97 * 2 + 98));
        assertThat(s.scanTs()).isEqualTo(T0 + 4 * MINUTE + 1_000);
        assertThat(s.metricNames()).containsExactly("sma(3)", "volume(3m)", "last", "vwap", "day_low");
        for (int j = 0; j < s.metricNames().size(); j++) {
            assertThat(s.metricValues()[j]).as(s.metricNames().get(j)).isEqualTo(h.value("A", s.metricNames().get(j)));
        }
        assertThat(s.metricValues()[2]).as("last at the scan").isEqualTo(97);
        assertThat(alerts).hasSize(2);
        for (Alert alert : alerts) {
            for (int j = 0; j < alert.metricNames().size(); j++) {
                assertThat(s.metricValues()[s.metricNames().indexOf(alert.metricNames().get(j))])
                        .isEqualTo(alert.metricValues()[j]);
            }
        }
        assertThat(h.engine.snapshot("B", 120)).isNull();
    }

    // ---- helpers

    /** Asserts that a screen lists exactly the alerts of its rule at its scan, with their prices and metrics. */
    private static void assertSame(Screen screen, List<Alert> fired, String what) {
        assertThat(screen.matches()).as(what).extracting(Screen.Match::symbol)
                .containsExactlyElementsOf(fired.stream().map(Alert::symbol).toList());
        for (int k = 0; k < fired.size(); k++) {
            Alert alert = fired.get(k);
            Screen.Match match = screen.matches().get(k);
            assertThat(match.price()).as(what).isEqualTo(alert.price());
            assertThat(screen.metrics()).isEqualTo(alert.metricNames());
            assertThat(Arrays.equals(match.values(), alert.metricValues())).as("%s %s: %s vs %s", what,
                    alert.symbol(), Arrays.toString(match.values()), Arrays.toString(alert.metricValues())).isTrue();
        }
    }

    private static void assertEqual(Screen actual, Screen expected, String what) {
        assertThat(actual.evaluated()).as(what).isEqualTo(expected.evaluated());
        assertThat(actual.scanTs()).as(what).isEqualTo(expected.scanTs());
        assertThat(actual.metrics()).as(what).isEqualTo(expected.metrics());
        assertThat(actual.matches()).as(what).extracting(Screen.Match::symbol)
                .containsExactlyElementsOf(expected.matches().stream().map(Screen.Match::symbol).toList());
        for (int k = 0; k < actual.matches().size(); k++) {
            Screen.Match a = actual.matches().get(k);
            Screen.Match e = expected.matches().get(k);
            assertThat(a.price()).as(what).isEqualTo(e.price());
            assertThat(Arrays.equals(a.values(), e.values())).as("%s %s: %s vs %s", what, a.symbol(),
                    Arrays.toString(a.values()), Arrays.toString(e.values())).isTrue();
        }
    }

    private static Map<String, Object> rule(String id, String when, Map<String, Object> universe) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("id", id);
        rule.put("when", when);
        rule.put("cooldown_sec", 0);
        if (universe != null) {
            rule.put("universe", universe);
        }
        return rule;
    }

    private static Map<String, Object> universe(List<String> symbols, Double min, Double max) {
        Map<String, Object> universe = new LinkedHashMap<>();
        if (symbols != null) {
            universe.put("symbols", symbols);
        }
        if (min != null) {
            universe.put("min_price", min);
        }
        if (max != null) {
            universe.put("max_price", max);
        }
        return universe;
    }

    /** An engine with every firing kept, by scan. */
    private static final class Run {
        final ScanEngine engine;
        final List<String> all = new ArrayList<>();
        final List<String> everFired = new ArrayList<>();
        private final double[] prices = new double[200];

        Run(ScanEngine engine) {
            this.engine = engine;
            Arrays.fill(prices, 100);
        }

        /** {@code count} random ticks stamped in {@code [from, from + 1000)} of symbols S0 to S(symbols-1). */
        void ticks(SplittableRandom random, long from, int count, int symbols) {
            for (int k = 0; k < count; k++) {
                int s = random.nextInt(symbols);
                prices[s] *= 1 + (random.nextDouble() - 0.5) * 0.02;
                engine.apply("S" + s, from + random.nextInt(1000), prices[s], random.nextInt(20));
            }
        }

        /** Runs a scan; its alerts by rule id. */
        Map<String, List<Alert>> scan(long t) {
            Map<String, List<Alert>> fired = new TreeMap<>();
            engine.scan(t, (rule, symbol, at) -> {
                Alert alert = engine.alert(rule, symbol, at, Alert::new);
                fired.computeIfAbsent(rule.id(), id -> new ArrayList<>()).add(alert);
                all.add(alert.alertId() + " " + alert.price() + " " + Arrays.toString(alert.metricValues()));
                if (!everFired.contains(rule.id())) {
                    everFired.add(rule.id());
                }
            });
            return fired;
        }
    }
}
