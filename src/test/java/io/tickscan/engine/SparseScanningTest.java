package io.tickscan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Alert;
import io.tickscan.engine.EngineVsReferenceModelTest.AlertLine;
import io.tickscan.engine.EngineVsReferenceModelTest.RandomCase;
import io.tickscan.engine.EngineVsReferenceModelTest.Tick;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetReader;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sparse scanning ({@link EventTimeDriver}, which evaluates only the seconds at which something can change and
 * passes over the others) against a scan at every second, on the same engine class: random rules (every metric and
 * operator, crosses and their negations, cooldowns of 0, 1, 5 and 60 s, universes with price bounds) over random
 * tick streams (quiet seconds and minutes, late and out-of-order ticks, a UTC midnight), with sessions that start
 * at UTC midnight, at a local time in a zone with a 45-minute offset, and at an offset of 30 seconds (a session
 * boundary that is no minute boundary). Both must fire the same alerts, bit for bit, in the same order, with the
 * same tick outcomes; and the sparse run must actually pass over most seconds, so the comparison is not vacuous.
 */
class SparseScanningTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        ZoneId[] zones = {ZoneOffset.UTC, ZoneId.of("Asia/Kathmandu"), ZoneOffset.ofTotalSeconds(30)};
        LocalTime[] starts = {LocalTime.MIDNIGHT, LocalTime.of(5, 30), LocalTime.MIDNIGHT};
        for (long seed = 1; seed <= 18; seed++) {
            int z = (int) (seed % zones.length);
            cases.add(Arguments.of(seed, zones[z], starts[z], seed % 2 == 0));
        }
        return cases.stream();
    }

    /**
     * @param longCooldowns every cooldown raised to a minute at least: a rule of cooldown 0 that holds (such as
     *                      {@code volume(5m) >= 0}) fires every second, so every second is scanned; without them
     *                      most seconds are passed over, which this case requires
     */
    @ParameterizedTest(name = "seed {0}, sessions from {2} in {1}, cooldowns of a minute at least: {3}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void sparseScansFireWhatAScanEverySecondFires(long seed, ZoneId zone, LocalTime sessionStart,
                                                   boolean longCooldowns) {
        Random random = new Random(seed);
        RandomCase c = new RandomCase(random, 4, EngineSettings.DEFAULT_HISTORY_MINUTES, false,
                90 + random.nextInt(60));
        if (longCooldowns) {
            c.rules.forEach(rule -> ((Map<String, Object>) rule).merge("cooldown_sec", 60, (a, b) -> Math.max(
                    (Integer) a, (Integer) b)));
        }
        RuleSet rules = RuleSetReader.read(c.rules, c.history);
        EngineSettings settings = new EngineSettings(c.history, zone, sessionStart);
        String context = c.describe(seed);

        ScanEngine sparse = new ScanEngine(rules, settings);
        List<AlertLine> sparseAlerts = new ArrayList<>();
        EventTimeDriver driver = new EventTimeDriver(sparse, EventTimeDriver.DEFAULT_MAX_GAP_MS,
                (rule, symbol, t) -> sparseAlerts.add(AlertLine.of(sparse.alert(rule, symbol, t, Alert::new))));
        ScanEngine dense = new ScanEngine(rules, settings);
        List<AlertLine> denseAlerts = new ArrayList<>();
        EverySecond everySecond = new EverySecond(dense,
                (rule, symbol, t) -> denseAlerts.add(AlertLine.of(dense.alert(rule, symbol, t, Alert::new))));

        for (Tick tick : c.ticks) {
            TickOutcome a = driver.offer(tick.symbol(), tick.ts(), tick.price(), tick.size());
            TickOutcome b = everySecond.offer(tick.symbol(), tick.ts(), tick.price(), tick.size());
            assertThat(a).as("tick %s%n%s", tick, context).isEqualTo(b);
        }
        driver.finish();
        everySecond.finish();

        for (int i = 0; i < Math.max(sparseAlerts.size(), denseAlerts.size()); i++) {
            AlertLine s = i < sparseAlerts.size() ? sparseAlerts.get(i) : null;
            AlertLine d = i < denseAlerts.size() ? denseAlerts.get(i) : null;
            assertThat(AlertLine.difference(s, d))
                    .as("alert %d: sparse %s, every second %s%n%s", i + 1, s, d, context).isNull();
        }
        assertThat(denseAlerts).as("alerts%n%s", context).isNotEmpty();
        assertThat(sparse.scans() + sparse.quietScans()).as("seconds covered").isEqualTo(dense.scans());
        if (longCooldowns) {
            assertThat(sparse.quietScans()).as("seconds passed over, of %d", dense.scans())
                    .isGreaterThan(dense.scans() / 2);
        }
        assertThat(sparse.lateTicks()).isEqualTo(dense.lateTicks());
    }

    /** The replay clock of the spec, taken literally: a scan at every whole second, none passed over. */
    private static final class EverySecond {
        private final ScanEngine engine;
        private final FiringListener listener;
        private long nextScan = Long.MIN_VALUE;
        private long newest = Long.MIN_VALUE;

        EverySecond(ScanEngine engine, FiringListener listener) {
            this.engine = engine;
            this.listener = listener;
        }

        TickOutcome offer(String symbol, long ts, double price, double size) {
            if (nextScan == Long.MIN_VALUE) {
                nextScan = Math.floorDiv(ts, 1000L) * 1000 + 1000;
            }
            scanThrough(ts);
            newest = Math.max(newest, ts);
            return engine.apply(symbol, ts, price, size);
        }

        void finish() {
            scanThrough(Math.floorDiv(newest, 1000L) * 1000 + 1000);
        }

        private void scanThrough(long end) {
            while (nextScan <= end) {
                engine.scan(nextScan, listener);
                nextScan += 1000;
            }
        }
    }
}
