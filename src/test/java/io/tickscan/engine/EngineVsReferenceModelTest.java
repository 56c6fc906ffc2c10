package io.tickscan.engine;

import io.tickscan.codec.Alert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tickscan.rules.Condition;
import io.tickscan.rules.Condition.And;
import io.tickscan.rules.Condition.Between;
import io.tickscan.rules.Condition.Comparison;
import io.tickscan.rules.Condition.Cross;
import io.tickscan.rules.Condition.Not;
import io.tickscan.rules.Condition.Operand;
import io.tickscan.rules.Condition.Or;
import io.tickscan.rules.MetricKind;
import io.tickscan.rules.MetricRef;
import io.tickscan.rules.RuleDefinition;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetReader;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential test: the {@link ScanEngine} against a reference model of {@code rules-and-metrics.md}, on random
 * rules and random tick streams generated from fixed seeds.
 *
 * <p>The reference model ({@link ReferenceModel}) is a naive reading of the spec, written to be obviously right
 * rather than fast. It keeps every applied tick of every symbol in a plain list and, at every scan, recomputes
 * every metric from scratch straight from the spec's formulas: the minute bars are rebuilt from the raw ticks
 * (with flat bars for quiet minutes), windows are summed left to right, EMA and RSI are replayed from the symbol's
 * first bar, and the session stats are re-accumulated from the session's ticks. It is independent of the engine:
 * no ring buffer, no incremental indicators, no metric columns, no bitsets, no "nothing changed since the last
 * scan" shortcut, no arrays that grow, and its own replay clock instead of {@link EventTimeDriver}. The one thing
 * it shares with the engine is the rule parser ({@link RuleSetReader}), so both evaluate the same
 * {@link Condition} trees: this test is about the engine's state, metrics, three-valued evaluation, crosses,
 * cooldowns and universes, not about the text form (which {@code WhenParserTest} covers).
 *
 * <p>Each case ({@link RandomCase}) draws random rules (every metric and operator, and/or/not nested three deep,
 * {@code between}, crosses, one cross shared by two rules, one comparison shared by three, one rule reading every metric so that its alerts carry
 * them all, cooldowns of 0, 1, 5 and 60 s, universes with symbol lists and price bounds, a disabled rule now and
 * then) and a random tick stream (out-of-order and late ticks, equal timestamps, quiet minutes, sizes of 0, prices
 * on and off a binary grid, a UTC midnight, symbols appearing midway). It feeds the same ticks to both and requires,
 * scan by scan, the same alerts in the same order (the {@link FiringListener} order: rule id, then symbol index),
 * bit for bit (time, rule, symbol, price and every metric value), the same outcome for every tick and the same
 * count of late ticks. A failure names the seed, the first difference and the rules.
 */
class EngineVsReferenceModelTest {
    static final long MINUTE = 60_000L;
    static final long DAY_MS = 86_400_000L;
    /** 2023-11-15T00:00Z: every stream starts shortly before this UTC midnight and runs past it. */
    static final long MIDNIGHT = EngineHarness.DAY + DAY_MS;
    /** The engine is sized for this many symbols, so that it grows while running. */
    static final int EXPECTED_SYMBOLS = 4;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    @DisplayName("4 symbols, one appearing midway, 90 to 150 minutes across a UTC midnight")
    void fourSymbols(long seed) {
        Random random = new Random(seed);
        compare(seed, new RandomCase(random, 4, EngineSettings.DEFAULT_HISTORY_MINUTES, false,
                90 + random.nextInt(60)));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {12})
    @DisplayName("130 symbols appearing over time: arrays grow while running, bitsets spill into a third word")
    void oneHundredThirtySymbols(long seed) {
        Random random = new Random(seed);
        compare(seed, new RandomCase(random, 130, EngineSettings.DEFAULT_HISTORY_MINUTES, false,
                80 + random.nextInt(20)));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22})
    @DisplayName("windows at the history limit of 75 bars, running long enough for the bar ring to wrap twice")
    void windowsAtTheHistoryLimitWithTheRingWrapping(long seed) {
        Random random = new Random(seed);
        int history = 75;
        compare(seed, new RandomCase(random, 4, history, true, 2 * history + 20 + random.nextInt(40)));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31})
    @DisplayName("130 symbols at a 64-bar history limit: the engine grows after the ring has wrapped")
    void oneHundredThirtySymbolsWithTheRingWrapping(long seed) {
        Random random = new Random(seed);
        int history = 64;
        compare(seed, new RandomCase(random, 130, history, true, history + 60 + random.nextInt(10)));
    }

    /** Feeds the case's ticks to the engine and the reference model and compares them after every scan. */
    private static void compare(long seed, RandomCase c) {
        String context = c.describe(seed);
        RuleSet ruleSet = RuleSetReader.read(c.rules, c.history);
        EngineSettings settings = new EngineSettings(c.history, ZoneOffset.UTC, LocalTime.MIDNIGHT);
        ScanEngine engine = new ScanEngine(ruleSet, settings, EXPECTED_SYMBOLS);
        ArrayDeque<AlertLine> engineAlerts = new ArrayDeque<>();
        EventTimeDriver driver = new EventTimeDriver(engine, EventTimeDriver.DEFAULT_MAX_GAP_MS,
                (rule, symbol, t) -> engineAlerts.add(AlertLine.of(engine.alert(rule, symbol, t, Alert::new))));
        ReferenceModel reference = new ReferenceModel(ruleSet);
        ReferenceModel.ScanListener check = (t, expected) -> compareScan(t, engineAlerts, expected, context);

        for (int n = 0; n < c.ticks.size(); n++) {
            Tick tick = c.ticks.get(n);
            TickOutcome actual = driver.offer(tick.symbol(), tick.ts(), tick.price(), tick.size());
            TickOutcome expected = reference.offer(tick, check);
            if (actual != expected) {
                fail("tick #%d %s: engine says %s, reference model says %s%n%s", n, tick, actual, expected, context);
            }
        }
        driver.finish();
        reference.finish(check);

        assertThat(engineAlerts).as("engine alerts after the reference model's last scan%n%s", context).isEmpty();
        assertThat(engine.scans() + engine.quietScans()).as("seconds scanned%n%s", context).isEqualTo(reference.scans);
        assertThat(engine.lateTicks()).as("late ticks%n%s", context).isEqualTo(reference.late);
        // Guard against a vacuous comparison: the seeds are chosen so that these hold.
        assertThat(reference.alerts).as("alerts of the reference model%n%s", context).isPositive();
        assertThat(reference.late).as("late ticks of the reference model%n%s", context).isPositive();
    }

    /** Compares the engine's alerts of the scan at {@code t} with the reference model's, in firing order. */
    private static void compareScan(long t, ArrayDeque<AlertLine> engineAlerts, List<AlertLine> expected,
                                    String context) {
        if (!engineAlerts.isEmpty() && engineAlerts.peekFirst().ts() < t) {
            fail("the engine fired at %s, where the reference model ran no scan:%n  engine:    %s%n%s",
                    time(engineAlerts.peekFirst().ts()), engineAlerts.peekFirst(), context);
        }
        List<AlertLine> actual = new ArrayList<>();
        while (!engineAlerts.isEmpty() && engineAlerts.peekFirst().ts() == t) {
            actual.add(engineAlerts.pollFirst());
        }
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            AlertLine a = i < actual.size() ? actual.get(i) : null;
            AlertLine e = i < expected.size() ? expected.get(i) : null;
            String difference = AlertLine.difference(a, e);
            if (difference != null) {
                fail("first difference at the scan at %s, alert %d of %d (engine) / %d (reference): %s%n"
                        + "  engine:    %s%n  reference: %s%n%s", time(t), i + 1, actual.size(), expected.size(),
                        difference, a == null ? "no alert" : a, e == null ? "no alert" : e, context);
            }
        }
    }

    static String time(long t) {
        return Instant.ofEpochMilli(t) + " (" + t + ")";
    }

    /** One tick of a generated stream. */
    record Tick(String symbol, long ts, double price, double size) {
        @Override
        public String toString() {
            return symbol + " " + time(ts) + " price " + price + " size " + size;
        }
    }

    /** An alert reduced to what is compared: time, rule, symbol, price and the metric values. */
    record AlertLine(long ts, String ruleId, String symbol, double price, List<String> metricNames,
                     double[] metricValues) {

        static AlertLine of(Alert alert) {
            return new AlertLine(alert.ts(), alert.ruleId(), alert.symbol(), alert.price(), alert.metricNames(),
                    alert.metricValues().clone());
        }

        /** The first field in which two alerts differ, comparing doubles bit for bit; null when they agree. */
        static String difference(AlertLine actual, AlertLine expected) {
            if (actual == null || expected == null) {
                return actual == expected ? null : actual == null ? "missing in the engine" : "extra in the engine";
            }
            if (actual.ts != expected.ts) {
                return "ts";
            }
            if (!actual.ruleId.equals(expected.ruleId)) {
                return "rule id";
            }
            if (!actual.symbol.equals(expected.symbol)) {
                return "symbol";
            }
            if (Double.compare(actual.price, expected.price) != 0) {
                return "price";
            }
            if (!actual.metricNames.equals(expected.metricNames)) {
                return "metric names";
            }
            if (actual.metricValues.length != expected.metricValues.length) {
                return "number of metric values";
            }
            for (int i = 0; i < expected.metricValues.length; i++) {
                if (Double.compare(actual.metricValues[i], expected.metricValues[i]) != 0) {
                    return "metric " + expected.metricNames.get(i) + ": engine " + actual.metricValues[i]
                            + ", reference " + expected.metricValues[i];
                }
            }
            return null;
        }

        @Override
        public String toString() {
            StringBuilder metrics = new StringBuilder();
            for (int i = 0; i < metricNames.size(); i++) {
                metrics.append(i == 0 ? "" : ", ").append(metricNames.get(i)).append('=').append(metricValues[i]);
            }
            return time(ts) + " " + ruleId + " " + symbol + " price=" + price + " {" + metrics + "}";
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The reference model

    /**
     * The spec read literally: every applied tick kept, every metric recomputed from the ticks at every scan, the
     * replay clock of the spec's "Clock and scans" and "Order and late ticks".
     */
    static final class ReferenceModel {
        /** Receives the alerts of each scan, in firing order. */
        interface ScanListener {
            void scanned(long t, List<AlertLine> alerts);
        }

        private static final MetricRef LAST = new MetricRef(MetricKind.LAST, 0);

        /** An applied tick, with its minute and UTC day worked out once. */
        record Applied(long ts, long minute, long day, double price, double size) {
        }

        private final List<RuleDefinition> rules;
        private final List<List<String>> metricNames;
        private final List<MetricRef> metrics;
        private final Map<MetricRef, Integer> slots = new HashMap<>();
        /** The applied ticks of each symbol in the order they were applied; symbols in order of appearance. */
        private final Map<String, List<Applied>> ticks = new LinkedHashMap<>();
        private final Map<String, Long> lastFired = new HashMap<>();
        private Map<String, double[]> previousValues = new HashMap<>();
        private double[] high = new double[0];
        private double[] low = new double[0];
        private double[] close = new double[0];
        private double[] volume = new double[0];
        private long[] closeTs = new long[0];
        private boolean[] traded = new boolean[0];
        private long previousScan = Long.MIN_VALUE;
        private long nextScan = Long.MIN_VALUE;
        private long newest = Long.MIN_VALUE;
        long scans;
        long late;
        long alerts;

        ReferenceModel(RuleSet ruleSet) {
            rules = ruleSet.rules().stream().filter(RuleDefinition::enabled)
                    .sorted(Comparator.comparing(RuleDefinition::id)).toList();
            Set<MetricRef> all = new LinkedHashSet<>();
            all.add(LAST);
            rules.forEach(rule -> all.addAll(rule.metrics()));
            metrics = List.copyOf(all);
            metricNames = rules.stream().map(r -> r.metrics().stream().map(MetricRef::canonical).toList()).toList();
            for (int i = 0; i < metrics.size(); i++) {
                slots.put(metrics.get(i), i);
            }
        }

        /** Runs every scan {@code t <= ts} not run yet, then applies the tick unless it is late. */
        TickOutcome offer(Tick tick, ScanListener listener) {
            if (nextScan == Long.MIN_VALUE) {
                nextScan = Math.floorDiv(tick.ts(), 1000L) * 1000 + 1000;
            }
            while (nextScan <= tick.ts()) {
                scan(nextScan, listener);
                nextScan += 1000;
            }
            newest = Math.max(newest, tick.ts());
            long minute = Math.floorDiv(tick.ts(), MINUTE);
            List<Applied> own = ticks.get(tick.symbol());
            boolean beforeItsBar = own != null && minute < currentMinute(own);
            boolean beforeTheLatestScan = previousScan != Long.MIN_VALUE
                    && minute < Math.floorDiv(previousScan, MINUTE);
            if (beforeItsBar || beforeTheLatestScan) {
                late++;
                return TickOutcome.LATE;
            }
            ticks.computeIfAbsent(tick.symbol(), s -> new ArrayList<>())
                    .add(new Applied(tick.ts(), minute, Math.floorDiv(tick.ts(), DAY_MS), tick.price(), tick.size()));
            return TickOutcome.APPLIED;
        }

        /** Runs the remaining scans, up to the second after the newest tick. */
        void finish(ScanListener listener) {
            long end = Math.floorDiv(newest, 1000L) * 1000 + 1000;
            while (nextScan <= end) {
                scan(nextScan, listener);
                nextScan += 1000;
            }
        }

        /** The symbol's current minute bar: that of its newest-minute tick. */
        private static long currentMinute(List<Applied> own) {
            long minute = Long.MIN_VALUE;
            for (Applied tick : own) {
                minute = Math.max(minute, tick.minute());
            }
            return minute;
        }

        private void scan(long t, ScanListener listener) {
            Map<String, double[]> values = new HashMap<>();
            ticks.forEach((symbol, own) -> values.put(symbol, metricsAt(own, t)));
            Map<String, double[]> previous = previousScan == t - 1000 ? previousValues : Map.of();
            List<AlertLine> fired = new ArrayList<>();
            for (int r = 0; r < rules.size(); r++) {
                RuleDefinition rule = rules.get(r);
                for (String symbol : ticks.keySet()) {
                    Set<String> listed = rule.universe().symbols();
                    if (listed != null && !listed.contains(symbol)) {
                        continue;
                    }
                    double[] now = values.get(symbol);
                    double last = now[slots.get(LAST)];
                    double min = rule.universe().minPrice();
                    double max = rule.universe().maxPrice();
                    if (!Double.isNaN(min) && !(last >= min) || !Double.isNaN(max) && !(last <= max)) {
                        continue;
                    }
                    if (eval(rule.condition(), now, previous.get(symbol)) != Truth.TRUE) {
                        continue;
                    }
                    String key = rule.id() + " " + symbol;
                    Long at = lastFired.get(key);
                    if (at != null && at > t - rule.cooldownSec() * 1000L) {
                        continue; // fired within (t - cooldown, t)
                    }
                    lastFired.put(key, t);
                    double[] read = new double[rule.metrics().size()];
                    for (int i = 0; i < read.length; i++) {
                        read[i] = now[slots.get(rule.metrics().get(i))];
                    }
                    fired.add(new AlertLine(t, rule.id(), symbol, last, metricNames.get(r), read));
                }
            }
            previousValues = values;
            previousScan = t;
            scans++;
            alerts += fired.size();
            listener.scanned(t, fired);
        }

        /** Every metric of one symbol at scan {@code t}, from its ticks alone (NaN for undefined). */
        private double[] metricsAt(List<Applied> own, long t) {
            long current = Math.floorDiv(t, MINUTE);                       // M
            long first = own.get(0).minute();                              // the symbol's first minute
            int bars = (int) Math.max(0, current - first);                 // complete bars: first .. M-1
            if (high.length < bars) {                                      // scratch arrays, reused
                high = new double[bars];
                low = new double[bars];
                close = new double[bars];
                volume = new double[bars];
                closeTs = new long[bars];
                traded = new boolean[bars];
            }
            Arrays.fill(traded, 0, bars, false);
            double last = Double.NaN;
            long lastTs = Long.MIN_VALUE;
            long session = Math.floorDiv(t - 1, DAY_MS);                  // the UTC day holding t - 1
            boolean inSession = false;
            double dayOpen = Double.NaN;
            double dayHigh = Double.NaN;
            double dayLow = Double.NaN;
            double dayVolume = 0;
            double dayNotional = 0;
            for (Applied tick : own) {
                double price = tick.price();
                if (tick.ts() >= lastTs) {                                 // greatest ts, last applied on a tie
                    lastTs = tick.ts();
                    last = price;
                }
                if (tick.day() == session) {
                    if (!inSession) {
                        inSession = true;
                        dayOpen = dayHigh = dayLow = price;
                        dayVolume = tick.size();
                        dayNotional = price * tick.size();
                    } else {
                        dayHigh = Math.max(dayHigh, price);
                        dayLow = Math.min(dayLow, price);
                        dayVolume += tick.size();
                        dayNotional += price * tick.size();
                    }
                }
                int k = (int) (tick.minute() - first);
                if (k >= bars) {
                    continue;                                              // the current, incomplete minute
                }
                if (!traded[k]) {
                    traded[k] = true;
                    high[k] = low[k] = close[k] = price;
                    volume[k] = tick.size();
                    closeTs[k] = tick.ts();
                } else {
                    high[k] = Math.max(high[k], price);
                    low[k] = Math.min(low[k], price);
                    volume[k] += tick.size();
                    if (tick.ts() >= closeTs[k]) {
                        closeTs[k] = tick.ts();
                        close[k] = price;
                    }
                }
            }
            for (int k = 1; k < bars; k++) {
                if (!traded[k]) {                                          // a quiet minute: flat at the close
                    high[k] = low[k] = close[k] = close[k - 1];
                    volume[k] = 0;
                }
            }

            double[] out = new double[metrics.size()];
            for (int slot = 0; slot < out.length; slot++) {
                MetricRef metric = metrics.get(slot);
                int n = metric.window();
                int from = bars - n;                                       // index of bar M-N
                boolean exists = from >= 0;
                double v = Double.NaN;
                switch (metric.kind()) {
                    case LAST -> v = last;
                    case CHANGE_PCT -> v = exists ? (last - close[from]) / close[from] * 100 : Double.NaN;
                    case VOLUME -> v = exists ? sum(volume, from, n) : Double.NaN;
                    case SMA -> v = exists ? sum(close, from, n) / n : Double.NaN;
                    case HIGH -> {
                        if (exists) {
                            v = high[from];
                            for (int k = from + 1; k < bars; k++) {
                                v = Math.max(v, high[k]);
                            }
                        }
                    }
                    case LOW -> {
                        if (exists) {
                            v = low[from];
                            for (int k = from + 1; k < bars; k++) {
                                v = Math.min(v, low[k]);
                            }
                        }
                    }
                    case REL_VOLUME -> {
                        int baseline = MetricKind.REL_VOLUME_BASELINE_MINUTES;
                        if (from - baseline >= 0) {
                            double before = sum(volume, from - baseline, baseline);
                            v = before == 0 ? Double.NaN : (sum(volume, from, n) / n) / (before / baseline);
                        }
                    }
                    case EMA -> {
                        if (bars >= n) {
                            double seed = 0;
                            for (int k = 0; k < n; k++) {
                                seed += close[k];
                            }
                            v = seed / n;
                            double alpha = 2.0 / (n + 1);
                            for (int k = n; k < bars; k++) {
                                v += (close[k] - v) * alpha;
                            }
                        }
                    }
                    case RSI -> {
                        if (bars - 1 >= n) {
                            double gain = 0;
                            double loss = 0;
                            for (int k = 1; k <= n; k++) {
                                double d = close[k] - close[k - 1];
                                gain += d > 0 ? d : 0;
                                loss += d < 0 ? -d : 0;
                            }
                            gain /= n;
                            loss /= n;
                            for (int k = n + 1; k < bars; k++) {
                                double d = close[k] - close[k - 1];
                                gain = (gain * (n - 1) + (d > 0 ? d : 0)) / n;
                                loss = (loss * (n - 1) + (d < 0 ? -d : 0)) / n;
                            }
                            v = loss == 0 ? (gain == 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
                        }
                    }
                    case VWAP -> v = inSession && dayVolume > 0 ? dayNotional / dayVolume : Double.NaN;
                    case DAY_OPEN -> v = dayOpen;
                    case DAY_HIGH -> v = dayHigh;
                    case DAY_LOW -> v = dayLow;
                    case DAY_VOLUME -> v = inSession ? dayVolume : Double.NaN;
                    case CHANGE_PCT_DAY -> v = inSession ? (last - dayOpen) / dayOpen * 100 : Double.NaN;
                }
                out[slot] = v;
            }
            return out;
        }

        /** {@code a[from] + ... + a[from+count-1]}, added left to right. */
        private static double sum(double[] a, int from, int count) {
            double s = a[from];
            for (int k = from + 1; k < from + count; k++) {
                s += a[k];
            }
            return s;
        }

        enum Truth { TRUE, FALSE, UNKNOWN }

        private double value(Operand operand, double[] values) {
            return operand.isMetric() ? values[slots.get(operand.metric())] : operand.number();
        }

        /** Three-valued evaluation as in SQL; {@code previous} is null when there was no scan one second ago. */
        private Truth eval(Condition condition, double[] now, double[] previous) {
            if (condition instanceof Comparison c) {
                double a = value(c.lhs(), now);
                double b = value(c.rhs(), now);
                if (Double.isNaN(a) || Double.isNaN(b)) {
                    return Truth.UNKNOWN;
                }
                return truth(switch (c.op()) {
                    case GT -> a > b;
                    case GE -> a >= b;
                    case LT -> a < b;
                    case LE -> a <= b;
                });
            }
            if (condition instanceof Between c) {
                double v = value(c.value(), now);
                double lo = value(c.lo(), now);
                double hi = value(c.hi(), now);
                if (Double.isNaN(v) || Double.isNaN(lo) || Double.isNaN(hi)) {
                    return Truth.UNKNOWN;
                }
                return truth(v >= lo && v <= hi);
            }
            if (condition instanceof Cross c) {
                if (previous == null) {
                    return Truth.UNKNOWN;
                }
                double a = value(c.lhs(), now);
                double b = value(c.rhs(), now);
                double pa = value(c.lhs(), previous);
                double pb = value(c.rhs(), previous);
                if (Double.isNaN(a) || Double.isNaN(b) || Double.isNaN(pa) || Double.isNaN(pb)) {
                    return Truth.UNKNOWN;
                }
                return truth(c.above() ? pa <= pb && a > b : pa >= pb && a < b);
            }
            if (condition instanceof Not c) {
                Truth v = eval(c.part(), now, previous);
                return v == Truth.UNKNOWN ? v : truth(v == Truth.FALSE);
            }
            boolean isAnd = condition instanceof And;
            List<Condition> parts = isAnd ? ((And) condition).parts() : ((Or) condition).parts();
            Truth decisive = isAnd ? Truth.FALSE : Truth.TRUE;
            boolean unknown = false;
            for (Condition part : parts) {
                Truth v = eval(part, now, previous);
                if (v == decisive) {
                    return v;
                }
                unknown |= v == Truth.UNKNOWN;
            }
            return unknown ? Truth.UNKNOWN : isAnd ? Truth.TRUE : Truth.FALSE;
        }

        private static Truth truth(boolean b) {
            return b ? Truth.TRUE : Truth.FALSE;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Random rules and ticks

    /** Random rules and a random tick stream, all drawn from one {@link Random}. */
    static final class RandomCase {
        private static final String[] PRICES = {"last", "vwap", "day_open", "day_high", "day_low", "high(%dm)",
            "low(%dm)", "sma(%d)", "ema(%d)"};
        private static final String[] PERCENTS = {"change_pct(%dm)", "change_pct_day"};
        private static final String[] VOLUMES = {"volume(%dm)", "day_volume"};
        private static final String[] OPS = {">", ">=", "<", "<="};
        private static final int[] COOLDOWNS = {0, 1, 5, 60};
        private static final int[] LONG_COOLDOWNS = {5, 60};
        private static final double[] SIZES = {0, 0.5, 1, 2, 0.1, 3};

        private final Random random;
        final int history;
        private final boolean longWindows;
        private final String[] names;
        private final String sharedCross;
        private final String sharedComparison;
        final List<Object> rules = new ArrayList<>();
        final List<Tick> ticks = new ArrayList<>();
        private final int minutes;

        /**
         * @param symbols     4, or more to make the engine grow
         * @param history     the engine's history limit
         * @param longWindows half of the windows at or just under the limit, so that the ring's oldest bars are read
         * @param minutes     length of the stream
         */
        RandomCase(Random random, int symbols, int history, boolean longWindows, int minutes) {
            this.random = random;
            this.history = history;
            this.longWindows = longWindows;
            this.minutes = minutes;
            this.names = new String[symbols];
            for (int i = 0; i < symbols; i++) {
                names[i] = symbols <= 26 ? String.valueOf((char) ('A' + i)) : "S" + i;
            }
            this.sharedCross = cross();
            this.sharedComparison = comparison();
            generateRules();
            generateTicks();
        }

        String describe(long seed) {
            String listing = rules.stream().map(r -> "  " + r).collect(Collectors.joining(System.lineSeparator()));
            return "seed " + seed + ", " + names.length + " symbols, history " + history + ", " + minutes
                    + " minutes, " + ticks.size() + " ticks; rules:" + System.lineSeparator() + listing;
        }

        private void generateRules() {
            int count = 1 + random.nextInt(5);
            for (int i = 0; i < count; i++) {
                Map<String, Object> rule = rule("r" + i, condition(3));
                if (random.nextInt(8) == 0) {
                    rule.put("enabled", false);
                }
                rules.add(rule);
            }
            // One rule reading every metric, so that each firing compares the value of all of them.
            rules.add(rule("every-metric", everyMetric()));
            // Two rules reading the same cross, so that compiled crosses may be shared.
            rules.add(rule("shared-a", sharedCross));
            rules.add(rule("shared-b", switch (random.nextInt(3)) {
                case 0 -> "(" + sharedCross + " and " + leaf() + ")";
                case 1 -> "(" + leaf() + " or " + sharedCross + ")";
                default -> "not (" + sharedCross + ")";
            }));
            // A comparison in three rules, once where an "and" has narrowed the symbols it looks at, so that its
            // shared node is computed in part by one rule and completed by another.
            rules.add(rule("shared-c", "(" + leaf() + " and " + sharedComparison + ")"));
            rules.add(rule("shared-d", sharedComparison));
            rules.add(rule("shared-e", switch (random.nextInt(3)) {
                case 0 -> "(" + leaf() + " or " + sharedComparison + ")";
                case 1 -> "(" + sharedComparison + " or not (" + sharedComparison + "))";
                default -> "not (" + leaf() + " or " + sharedComparison + ")";
            }));
        }

        private Map<String, Object> rule(String id, String when) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", id);
            rule.put("when", when);
            // With many symbols, only the cooldowns whose firing times must survive the arrays growing: they also
            // keep the number of alerts in check.
            int[] cooldowns = names.length > 4 ? LONG_COOLDOWNS : COOLDOWNS;
            rule.put("cooldown_sec", cooldowns[random.nextInt(cooldowns.length)]);
            if (random.nextInt(3) == 0) {
                Map<String, Object> universe = new LinkedHashMap<>();
                if (random.nextBoolean()) {
                    Set<String> listed = new LinkedHashSet<>();
                    listed.add(names[names.length - 1]);                  // the last symbol to appear
                    listed.add(names[random.nextInt(names.length)]);
                    if (random.nextBoolean()) {
                        listed.add(names[0]);
                    }
                    universe.put("symbols", List.copyOf(listed));
                }
                if (random.nextBoolean()) {
                    universe.put("min_price", random.nextBoolean() ? 99 : 100);
                }
                if (random.nextBoolean()) {
                    universe.put("max_price", random.nextBoolean() ? 100.5 : 102);
                }
                if (!universe.isEmpty()) {
                    rule.put("universe", universe);
                }
            }
            return rule;
        }

        private String condition(int depth) {
            int k = depth <= 0 ? 0 : random.nextInt(5);
            return switch (k) {
                case 0, 1 -> leaf();
                case 2 -> "not (" + condition(depth - 1) + ")";
                case 3 -> "(" + condition(depth - 1) + " and " + condition(depth - 1)
                        + (random.nextBoolean() ? " and " + condition(depth - 1) : "") + ")";
                default -> "(" + condition(depth - 1) + " or " + condition(depth - 1)
                        + (random.nextBoolean() ? " or " + condition(depth - 1) : "") + ")";
            };
        }

        private String leaf() {
            return switch (random.nextInt(13)) {
                case 0, 1, 2 -> price() + " " + op() + " " + price();
                case 3 -> pick(PERCENTS) + " " + op() + " " + pick("0", "0.5", "-0.5", "1");
                case 4 -> pick(VOLUMES) + " " + op() + " " + pick("0", "1", "3", "10");
                case 5 -> "rel_volume(" + relVolumeWindow() + "m) " + op() + " " + pick("1", "1.5", "0.5");
                case 6 -> "rsi(" + window() + ") " + op() + " " + pick("30", "50", "70", "100");
                case 7 -> random.nextBoolean() ? price() + " " + op() + " " + pick("99.5", "100", "100.5")
                        : pick("99.5", "100", "100.5") + " " + op() + " " + price();
                case 8, 9 -> cross();
                case 10 -> sharedCross;
                case 11 -> "last between " + price() + " and " + price();
                default -> random.nextBoolean() ? "rsi(" + window() + ") between 30 and 70"
                        : pick(PERCENTS) + " between -0.5 and 0.5";
            };
        }

        /** A leaf that is not a cross. */
        private String comparison() {
            String leaf = leaf();
            while (leaf.contains("crosses")) {
                leaf = leaf();
            }
            return leaf;
        }

        /** An {@code or} of one comparison per metric, in random order. */
        private String everyMetric() {
            List<String> parts = new ArrayList<>();
            for (String price : PRICES) {
                parts.add(pick(price) + " " + op() + " " + pick("99.5", "100", "100.5"));
            }
            for (String percent : PERCENTS) {
                parts.add(pick(percent) + " " + op() + " " + pick("0", "0.5", "-0.5"));
            }
            for (String volume : VOLUMES) {
                parts.add(pick(volume) + " " + op() + " " + pick("0", "1", "3"));
            }
            parts.add("rel_volume(" + relVolumeWindow() + "m) " + op() + " 1");
            parts.add("rsi(" + window() + ") " + op() + " 50");
            Collections.shuffle(parts, random);
            return String.join(" or ", parts);
        }

        private String cross() {
            String direction = random.nextBoolean() ? " crosses_above " : " crosses_below ";
            return random.nextInt(3) == 0 ? pick(PERCENTS) + direction + "0" : price() + direction + price();
        }

        private String price() {
            return pick(PRICES);
        }

        private String op() {
            return OPS[random.nextInt(OPS.length)];
        }

        /** One of the choices, with any {@code %d} replaced by a window. */
        private String pick(String... choices) {
            String choice = choices[random.nextInt(choices.length)];
            return choice.contains("%d") ? String.format(choice, window()) : choice;
        }

        private int window() {
            return longWindows && random.nextBoolean() ? history - random.nextInt(3) : 1 + random.nextInt(4);
        }

        private int relVolumeWindow() {
            int baseline = MetricKind.REL_VOLUME_BASELINE_MINUTES;
            return longWindows && random.nextBoolean() ? history - baseline - random.nextInt(3)
                    : 1 + random.nextInt(3);
        }

        /**
         * A stream starting 20 to 60 minutes before a UTC midnight, with one stretch of 2 to 6 quiet minutes for
         * everybody. Half the symbols (three of four) trade from the start, the others appear one after another
         * until 60% into the stream. Each symbol's price walks
         * from 100, on a grid of 0.5 for even-numbered symbols (so ties with round constants happen) and by 0.01
         * for odd ones (so sums are inexact and their order matters); C trades mostly with size 0.
         */
        private void generateTicks() {
            int n = names.length;
            long start = MIDNIGHT - (20 + random.nextInt(40)) * MINUTE + random.nextInt(60_000);
            long end = start + minutes * MINUTE;
            long[] debut = new long[n];
            int fromStart = n == 4 ? 3 : n / 2;
            for (int i = fromStart; i < n; i++) {
                long span = (long) ((end - start) * 0.6) - 40 * MINUTE;
                debut[i] = start + 40 * MINUTE + span * (i - fromStart + 1) / (n - fromStart);
            }
            long quietFrom = start + (long) ((end - start) * (0.25 + 0.1 * random.nextDouble()));
            long quietMinutes = 2 + random.nextInt(5);
            boolean quietDone = false;
            int meanGapMs = n == 4 ? 500 + random.nextInt(8_000) : 400 + random.nextInt(300);
            int jumpOdds = n == 4 ? 200 : 20_000;
            double[] price = new double[n];
            Arrays.fill(price, 100.0);
            long now = start;
            Tick previous = null;
            while (now < end) {
                now += 1 + (long) (-Math.log(1 - random.nextDouble()) * meanGapMs);
                if (random.nextInt(jumpOdds) == 0) {
                    now += random.nextInt(8) * MINUTE;                     // everybody quiet for a while
                }
                if (!quietDone && now >= quietFrom) {
                    quietDone = true;
                    now += quietMinutes * MINUTE;
                }
                int active = 0;
                while (active < n && debut[active] <= now) {
                    active++;
                }
                int i = random.nextInt(active);
                long ts = now;
                if (previous != null && random.nextInt(30) == 0) {
                    i = indexOf(previous.symbol());                        // same symbol, same timestamp
                    ts = previous.ts();
                } else if (random.nextInt(20) == 0) {
                    ts = now - random.nextInt(90_000);                     // out of order, perhaps late
                }
                double step = i % 2 == 0 ? 0.5 : 0.01;
                price[i] = Math.max(97, price[i] + (random.nextInt(3) - 1) * step);
                double size = i == 2 && random.nextInt(4) != 0 ? 0 : SIZES[random.nextInt(SIZES.length)];
                previous = new Tick(names[i], ts, price[i], size);
                ticks.add(previous);
            }
        }

        private int indexOf(String name) {
            return List.of(names).indexOf(name);
        }
    }
}
