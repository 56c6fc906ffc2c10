package io.tickscan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

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
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints of engine state ({@link ScanEngine#exportState}, {@link ScanEngine#importState}): an engine restored
 * from one at any point of a random stream fires exactly as the engine it was taken from, from then on.
 */
class StateCheckpointTest {
    static final long MINUTE = 60_000L;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    @DisplayName("engines restored at a quarter, half and three quarters of a random stream fire as the original")
    void restoredEnginesFireAsTheOriginal(long seed) {
        Random random = new Random(seed);
        roundTrip(seed, new RandomCase(random, 4, EngineSettings.DEFAULT_HISTORY_MINUTES, false,
                90 + random.nextInt(60)));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 31})
    @DisplayName("130 symbols at a 64-bar history, the ring wrapped: restored engines fire as the original")
    void restoredEnginesFireAsTheOriginalWithTheRingWrapped(long seed) {
        Random random = new Random(seed);
        roundTrip(seed, new RandomCase(random, 130, 64, true, 64 + 60 + random.nextInt(10)));
    }

    /**
     * Runs the original engine over the stream in event time; at three points, right after a scan, it exports its
     * state into a fresh engine (the middle one from two checkpoints, the even and the odd symbols, as two
     * partitions); from then on every restored engine gets the same ticks and scans, and must give the same
     * outcome for every tick and, scan by scan, the same alerts bit for bit. At the half, the first restored engine
     * also gives up its odd symbols ({@link ScanEngine#release}) and takes them back from their checkpoint, as a
     * partition handed away and back.
     */
    private static void roundTrip(long seed, RandomCase c) {
        String context = c.describe(seed);
        RuleSet ruleSet = RuleSetReader.read(c.rules, c.history);
        EngineSettings settings = new EngineSettings(c.history, ZoneOffset.UTC, LocalTime.MIDNIGHT);
        ScanEngine original = new ScanEngine(ruleSet, settings, 4);
        List<ScanEngine> restored = new ArrayList<>();
        int[] splits = {c.ticks.size() / 4, c.ticks.size() / 2, 3 * c.ticks.size() / 4};
        long nextScan = Long.MIN_VALUE;
        long compared = 0;
        for (int n = 0; n < c.ticks.size(); n++) {
            Tick tick = c.ticks.get(n);
            if (nextScan == Long.MIN_VALUE) {
                nextScan = Math.floorDiv(tick.ts(), 1000L) * 1000 + 1000;
            }
            while (nextScan <= tick.ts()) {
                compared += scanAll(original, restored, nextScan, context);
                nextScan += 1000;
            }
            int split = Arrays.binarySearch(splits, n);
            if (split == 1 && !restored.isEmpty()) {
                ScanEngine first = restored.get(0);
                byte[] odd = first.exportState(i -> i % 2 == 1);
                int released = first.release(i -> i % 2 == 1);
                assertThat(first.exportState(i -> i % 2 == 1)).as("nothing of them left to export")
                        .isEqualTo(first.exportState(i -> false));
                assertThat(first.importState(odd).restored()).as("taken back%n%s", context).isEqualTo(released);
            }
            if (split >= 0 && original.lastScan() != Screen.NO_SCAN) {
                ScanEngine copy = new ScanEngine(ruleSet, settings, 4);
                if (split == 1) {
                    StateImport even = copy.importState(original.exportState(i -> i % 2 == 0));
                    StateImport odd = copy.importState(original.exportState(i -> i % 2 == 1));
                    assertThat(even.restored() + odd.restored()).isEqualTo(original.symbolCount());
                } else {
                    StateImport all = copy.importState(original.exportState(i -> true));
                    assertThat(all).isEqualTo(new StateImport(original.symbolCount(), 0, false, false, false));
                }
                restored.add(copy);
            }
            TickOutcome expected = original.apply(tick.symbol(), tick.ts(), tick.price(), tick.size());
            for (ScanEngine copy : restored) {
                TickOutcome actual = copy.apply(tick.symbol(), tick.ts(), tick.price(), tick.size());
                if (actual != expected) {
                    fail("tick #%d %s: restored engine says %s, original says %s%n%s", n, tick, actual, expected,
                            context);
                }
            }
        }
        for (int k = 0; k < 3; k++, nextScan += 1000) {
            compared += scanAll(original, restored, nextScan, context);
        }
        assertThat(restored).as("engines restored%n%s", context).hasSize(3);
        // guard against a vacuous comparison: the restored engines saw alerts to compare
        assertThat(compared).as("alerts compared%n%s", context).isPositive();
    }

    private static void assertSameAlerts(List<AlertLine> actual, List<AlertLine> expected, String where,
                                         String context) {
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            AlertLine a = i < actual.size() ? actual.get(i) : null;
            AlertLine e = i < expected.size() ? expected.get(i) : null;
            String difference = AlertLine.difference(a, e);
            if (difference != null) {
                fail("first difference %s, alert %d: %s%n  actual: %s%n  original: %s%n%s", where, i + 1,
                        difference, a, e, context);
            }
        }
    }

    /** Scans every engine at {@code t}; returns how many alerts the restored engines were compared on. */
    private static long scanAll(ScanEngine original, List<ScanEngine> restored, long t, String context) {
        List<AlertLine> expected = scan(original, t);
        for (ScanEngine copy : restored) {
            assertSameAlerts(scan(copy, t), expected, "in a restored engine at the scan at " + t, context);
        }
        return (long) expected.size() * restored.size();
    }

    /** The alerts of the scan at {@code t}, by rule id then symbol (restored symbols may have other indices). */
    private static List<AlertLine> scan(ScanEngine engine, long t) {
        List<AlertLine> alerts = new ArrayList<>();
        engine.scan(t, (rule, symbol, at) -> alerts.add(AlertLine.of(engine.alert(rule, symbol, at, Alert::new))));
        alerts.sort(Comparator.comparing(AlertLine::ruleId).thenComparing(AlertLine::symbol));
        return alerts;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    @DisplayName("a checkpoint 90 s behind caught up in an engine of its own, then joined, fires as the original")
    void aCheckpointCaughtUpInItsOwnEngineThenJoinedFiresAsTheOriginal(long seed) {
        Random random = new Random(seed);
        RandomCase c = new RandomCase(random, 4, EngineSettings.DEFAULT_HISTORY_MINUTES, false, 150);
        String context = c.describe(seed);
        RuleSet ruleSet = RuleSetReader.read(c.rules, c.history);
        EngineSettings settings = new EngineSettings(c.history, ZoneOffset.UTC, LocalTime.MIDNIGHT);
        ScanEngine original = new ScanEngine(ruleSet, settings, 4);
        // the survivor's engine: it scans on, holding nothing of the partition, while the partition catches up
        ScanEngine survivor = new ScanEngine(ruleSet, settings, 4);
        // the old way, for contrast: the checkpoint taken into the survivor's engine, its ticks since applied late
        ScanEngine plain = new ScanEngine(ruleSet, settings, 4);
        int checkpointAt = c.ticks.size() / 3;
        byte[] checkpoint = null;
        List<Tick> since = new ArrayList<>();
        List<TickOutcome> outcomes = new ArrayList<>();
        List<List<AlertLine>> expected = new ArrayList<>();
        long checkpointScan = 0;
        long joinAt = Long.MAX_VALUE;
        long nextScan = Long.MIN_VALUE;
        long compared = 0;
        for (int n = 0; n < c.ticks.size(); n++) {
            Tick tick = c.ticks.get(n);
            if (nextScan == Long.MIN_VALUE) {
                nextScan = Math.floorDiv(tick.ts(), 1000L) * 1000 + 1000;
            }
            while (nextScan <= tick.ts()) {
                if (nextScan == joinAt) {
                    catchUpAndJoin(ruleSet, settings, checkpoint, since, outcomes, checkpointScan, survivor, expected,
                            context);
                    plain.importState(checkpoint);
                    since.forEach(t -> plain.apply(t.symbol(), t.ts(), t.price(), t.size()));
                    since.clear();
                    checkpoint = null;
                }
                List<AlertLine> reference = scan(original, nextScan);
                scan(plain, nextScan);
                if (checkpoint != null) {
                    expected.add(reference);
                    assertThat(scan(survivor, nextScan)).isEmpty();
                } else {
                    List<AlertLine> actual = scan(survivor, nextScan);
                    if (original.lastScan() > joinAt - 1000) {
                        assertSameAlerts(actual, reference, "after the join, at " + nextScan, context);
                        compared += reference.size();
                    }
                }
                nextScan += 1000;
            }
            if (n == checkpointAt) {
                checkpoint = original.exportState(i -> true);
                checkpointScan = original.lastScan();
                joinAt = checkpointScan + 91_000; // past a minute's end: those ticks are late for the survivor
            }
            TickOutcome outcome = original.apply(tick.symbol(), tick.ts(), tick.price(), tick.size());
            if (checkpoint != null) {
                since.add(tick);
                outcomes.add(outcome);
            } else if (joinAt != Long.MAX_VALUE) {
                survivor.apply(tick.symbol(), tick.ts(), tick.price(), tick.size());
                plain.apply(tick.symbol(), tick.ts(), tick.price(), tick.size());
            }
        }
        assertThat(checkpoint).as("joined before the stream's end%n%s", context).isNull();
        assertThat(plain.lateTicks()).as("ticks the old way drops as late%n%s", context).isPositive();
        assertThat(compared).as("alerts compared after the join%n%s", context).isPositive();
    }

    /**
     * The lane: a new engine resumes the checkpoint, takes the ticks since in their order with a scan at every
     * second from the checkpoint's to the survivor's (each firing as the original did then), and joins the
     * survivor's engine at its last scan.
     */
    private static void catchUpAndJoin(RuleSet ruleSet, EngineSettings settings, byte[] checkpoint, List<Tick> since,
                                       List<TickOutcome> outcomes, long checkpointScan, ScanEngine survivor,
                                       List<List<AlertLine>> expected, String context) {
        ScanEngine lane = new ScanEngine(ruleSet, settings, 4);
        assertThatThrownBy(() -> survivor.resume(checkpoint)).isInstanceOf(IllegalStateException.class);
        assertThat(ScanEngine.lastScanOf(checkpoint)).isEqualTo(checkpointScan);
        lane.resume(checkpoint);
        assertThat(lane.lastScan()).isEqualTo(checkpointScan);
        int k = 0;
        for (List<AlertLine> reference : expected) {
            long t = lane.lastScan() + 1000;
            for (; k < since.size() && since.get(k).ts() < t; k++) {
                Tick tick = since.get(k);
                assertThat(lane.apply(tick.symbol(), tick.ts(), tick.price(), tick.size()))
                        .as("%s in the lane%n%s", tick, context).isEqualTo(outcomes.get(k));
            }
            assertSameAlerts(scan(lane, t), reference, "in the lane, at " + t, context);
        }
        assertThat(lane.lastScan()).isEqualTo(survivor.lastScan());
        assertThat(survivor.importState(lane.exportState(i -> true)).restored()).isEqualTo(lane.symbolCount());
        for (; k < since.size(); k++) {
            survivor.apply(since.get(k).symbol(), since.get(k).ts(), since.get(k).price(), since.get(k).size());
        }
    }

    @Test
    @DisplayName("a rule needing 65 minutes of history fires at once in an engine restored from a checkpoint, "
            + "and not in a fresh one; a cooldown travels with the state")
    void historyAndCooldownsTravel() {
        EngineHarness original = EngineHarness.of(3600, "change_pct(65m) > 1");
        long t0 = EngineHarness.T0;
        for (int m = 0; m < 66; m++) {
            original.tick("ACME", t0 + m * MINUTE + 5_000, 100, 1);
            original.tick("QUIET", t0 + m * MINUTE + 5_000, 50, 1);
            assertThat(original.scan(t0 + m * MINUTE + 10_000)).isEmpty();
        }
        byte[] checkpoint = original.engine.exportState(i -> true);
        original.tick("QUIET", t0 + 66 * MINUTE + 1_000, 51, 1);
        assertThat(original.scan(t0 + 66 * MINUTE + 2_000)).extracting(Alert::symbol).containsExactly("QUIET");
        byte[] afterFiring = original.engine.exportState(i -> true);

        EngineHarness restored = EngineHarness.of(3600, "change_pct(65m) > 1");
        assertThat(restored.engine.importState(checkpoint).restored()).isEqualTo(2);
        restored.tick("ACME", t0 + 66 * MINUTE + 1_000, 102, 1);
        assertThat(restored.firedAt(t0 + 66 * MINUTE + 2_000, "ACME")).containsExactly("r0");

        EngineHarness fresh = EngineHarness.of(3600, "change_pct(65m) > 1");
        fresh.tick("ACME", t0 + 66 * MINUTE + 1_000, 102, 1);
        assertThat(fresh.scan(t0 + 66 * MINUTE + 2_000)).isEmpty();

        EngineHarness cooled = EngineHarness.of(3600, "change_pct(65m) > 1");
        cooled.engine.importState(afterFiring);
        cooled.tick("QUIET", t0 + 66 * MINUTE + 3_000, 52, 1);
        cooled.tick("ACME", t0 + 66 * MINUTE + 3_000, 102, 1);
        assertThat(cooled.scan(t0 + 66 * MINUTE + 4_000)).extracting(Alert::symbol).containsExactly("ACME");
    }

    @Test
    @DisplayName("an engine that held nothing and takes a handed-over state's clock takes its crosses' previous "
            + "values too: a cross fires at the first scan after the hand-over")
    void aCrossCarriesOnThroughAHandOverToAnEngineThatHeldNothing() {
        long t0 = EngineHarness.T0;
        EngineHarness giver = EngineHarness.of(0, "last crosses_above vwap");
        giver.tick("ACME", t0 + 500, 100, 1);
        giver.scan(t0 + 1_000);
        giver.tick("ACME", t0 + 1_500, 90, 1);
        assertThat(giver.scan(t0 + 2_000)).isEmpty();
        byte[] acme = giver.engine.exportState(i -> true);
        giver.tick("ACME", t0 + 2_500, 120, 1);
        assertThat(giver.scan(t0 + 3_000)).as("the giver, had it kept it").extracting(Alert::symbol)
                .containsExactly("ACME");

        EngineHarness taker = EngineHarness.of(0, "last crosses_above vwap"); // woken: it scanned long ago
        taker.tick("OTHER", t0 - 9_500, 100, 1);
        taker.scan(t0 - 9_000);
        taker.engine.release(i -> true);
        assertThat(taker.engine.importState(acme, true).clockTaken()).isTrue();
        taker.tick("ACME", t0 + 2_500, 120, 1);
        assertThat(taker.scan(t0 + 3_000)).extracting(Alert::symbol).containsExactly("ACME");
    }

    @Test
    @DisplayName("a comparison two rules share is computed again after the engine took a handed-over state's clock "
            + "back to a second it had scanned past")
    void aSharedComparisonIsComputedAgainAfterTheClockWentBack() {
        EngineHarness taker = tookClockBack(acmeAtOneSecond("last > 50", "last > 50"), "last > 50", "last > 50");
        assertThat(taker.scan(EngineHarness.T0 + 4_000)).extracting(Alert::symbol).containsExactly("ACME", "ACME");
    }

    /** The state of an engine of {@code rules} that got one tick of ACME at 100 and scanned T0 + 1 s. */
    private static byte[] acmeAtOneSecond(String... rules) {
        EngineHarness giver = EngineHarness.of(0, rules);
        giver.tick("ACME", EngineHarness.T0 + 500, 100, 1);
        giver.scan(EngineHarness.T0 + 1_000);
        return giver.engine.exportState(i -> true);
    }

    /**
     * An engine of {@code rules} that scanned OTHER up to T0 + 4 s, gave it away and took {@code acme}
     * ({@link #acmeAtOneSecond}) with its clock: its next scan is of a second it had scanned before.
     */
    private static EngineHarness tookClockBack(byte[] acme, String... rules) {
        long t0 = EngineHarness.T0;
        EngineHarness taker = EngineHarness.of(0, rules);
        taker.tick("OTHER", t0 + 500, 100, 1);
        taker.scan(t0 + 1_000);
        taker.scan(t0 + 4_000);
        taker.engine.release(i -> true);
        assertThat(taker.engine.importState(acme, true).clockTaken()).isTrue();
        assertThat(taker.engine.lastScan()).isEqualTo(t0 + 1_000);
        return taker;
    }

    @Test
    @DisplayName("an engine that holds nothing takes the scan of a state handed over, one that holds symbols or reads "
            + "a checkpoint keeps its own")
    void anEngineHoldingNothingTakesTheClockOfTheStateItTakes() {
        long t0 = EngineHarness.T0;
        byte[] acme = acmeAtOneSecond("last > 0");
        EngineHarness taker = tookClockBack(acme, "last > 0");
        assertThat(taker.scan(t0 + 2_000)).extracting(Alert::symbol).containsExactly("ACME");

        EngineHarness holding = EngineHarness.of(0, "last > 0");
        holding.tick("KEPT", t0 + 500, 100, 1);
        holding.scan(t0 + 4_000);
        assertThat(holding.engine.importState(acme, true).clockTaken()).isFalse();
        assertThat(holding.engine.lastScan()).isEqualTo(t0 + 4_000);

        EngineHarness behind = EngineHarness.of(0, "last > 0"); // fenced: it scanned nothing for a while
        behind.tick("OLD", t0 - 5_000, 100, 1);
        behind.scan(t0 - 4_000);
        behind.engine.release(i -> true);
        assertThat(behind.engine.importState(acme, true).clockTaken()).isTrue();
        assertThat(behind.engine.lastScan()).as("later").isEqualTo(t0 + 1_000);

        EngineHarness restoring = EngineHarness.of(0, "last > 0"); // a checkpoint: its owner is gone
        restoring.tick("OLD", t0 - 5_000, 100, 1);
        restoring.scan(t0 + 4_000);
        restoring.engine.release(i -> true);
        assertThat(restoring.engine.importState(acme, false).clockTaken()).isFalse();
        assertThat(restoring.engine.lastScan()).isEqualTo(t0 + 4_000);
    }

    @Test
    @DisplayName("a released symbol is no longer scanned, shown or exported; a tick takes it back as never seen, "
            + "its checkpoint with its history and cooldown")
    void releasedSymbolsAreGoneUntilTakenBack() {
        EngineHarness engine = EngineHarness.of(3600, "change_pct(65m) > 1");
        long t0 = EngineHarness.T0;
        for (int m = 0; m < 66; m++) {
            engine.tick("ACME", t0 + m * MINUTE + 5_000, 100, 1);
            engine.tick("KEPT", t0 + m * MINUTE + 5_000, 100, 1);
            engine.scan(t0 + m * MINUTE + 10_000);
        }
        byte[] acme = engine.engine.exportState(i -> engine.engine.symbol(i).equals("ACME"));
        assertThat(engine.engine.release(i -> engine.engine.symbol(i).equals("ACME"))).isEqualTo(1);
        assertThat(engine.engine.snapshot("ACME", 10)).isNull();
        assertThat(engine.engine.snapshot("KEPT", 10)).isNotNull();
        assertThat(engine.engine.exportState(i -> true)).isEqualTo(
                engine.engine.exportState(i -> engine.engine.symbol(i).equals("KEPT")));
        engine.tick("KEPT", t0 + 66 * MINUTE + 1_000, 102, 1);
        assertThat(engine.scan(t0 + 66 * MINUTE + 2_000)).extracting(Alert::symbol).containsExactly("KEPT");

        // a tick takes it back without its history: nothing to compare with 65 minutes ago
        engine.tick("ACME", t0 + 66 * MINUTE + 3_000, 102, 1);
        assertThat(engine.scan(t0 + 66 * MINUTE + 4_000)).isEmpty();
        assertThat(engine.engine.snapshot("ACME", 10).bars()).isEmpty();

        // its checkpoint takes it back with its history, into the same index
        int symbols = engine.engine.symbolCount();
        engine.engine.release(i -> engine.engine.symbol(i).equals("ACME"));
        assertThat(engine.engine.importState(acme).restored()).isEqualTo(1);
        assertThat(engine.engine.symbolCount()).isEqualTo(symbols);
        engine.tick("ACME", t0 + 66 * MINUTE + 5_000, 102, 1);
        assertThat(engine.scan(t0 + 66 * MINUTE + 6_000)).extracting(Alert::symbol).containsExactly("ACME");
    }

    @Test
    @DisplayName("an indicator window the checkpoint lacks is warmed up from the restored bars; one it has is exact")
    void missingIndicatorsAreWarmedUp() {
        EngineHarness withEma5 = EngineHarness.of(0, "ema(5) > 0");
        EngineHarness withBoth = EngineHarness.of(0, "ema(5) > 0", "ema(7) > 0 and rsi(6) > 0");
        long t0 = EngineHarness.T0;
        for (int m = 0; m < 30; m++) {
            double price = 100 + (m * 7 % 11);
            withEma5.tick("ACME", t0 + m * MINUTE + 5_000, price, 1);
            withBoth.tick("ACME", t0 + m * MINUTE + 5_000, price, 1);
        }
        withEma5.scan(t0 + 30 * MINUTE);
        withBoth.scan(t0 + 30 * MINUTE);
        EngineHarness restored = EngineHarness.of(0, "ema(5) > 0", "ema(7) > 0 and rsi(6) > 0");
        restored.engine.importState(withEma5.engine.exportState(i -> true));
        restored.scan(t0 + 30 * MINUTE + 1_000);
        withBoth.scan(t0 + 30 * MINUTE + 1_000);
        for (String metric : List.of("ema(5)", "ema(7)", "rsi(6)")) {
            assertThat(restored.value("ACME", metric)).as(metric).isNotNaN()
                    .isEqualTo(withBoth.value("ACME", metric));
        }
    }

    @Test
    @DisplayName("a symbol the engine knows keeps its own state; quiet minutes take a byte; a bad checkpoint "
            + "changes nothing")
    void knownSymbolsCompactnessAndBadInput() {
        EngineHarness original = EngineHarness.of(0, "last > 0");
        long t0 = EngineHarness.T0;
        original.tick("ACME", t0, 100, 1);
        original.tick("BETA", t0, 7, 1);
        original.scan(t0 + 1_000);
        byte[] oneMinute = original.engine.exportState(i -> original.engine.symbol(i).equals("ACME"));
        original.scan(t0 + 100 * MINUTE);
        byte[] hundredMinutes = original.engine.exportState(i -> original.engine.symbol(i).equals("ACME"));
        // the first complete bar takes a tag and five doubles, the 99 quiet minutes after it a tag byte each
        assertThat(hundredMinutes.length - oneMinute.length).isEqualTo(1 + 5 * 8 + 99);

        EngineHarness other = EngineHarness.of(0, "last > 0");
        other.tick("ACME", t0 + 100 * MINUTE + 500, 300, 1);
        StateImport result = other.engine.importState(original.engine.exportState(i -> true));
        assertThat(result).isEqualTo(new StateImport(1, 1, false, false, false));
        other.scan(t0 + 100 * MINUTE + 1_000);
        assertThat(other.value("ACME", "last")).isEqualTo(300);
        assertThat(other.value("BETA", "last")).isEqualTo(7);

        byte[] cut = Arrays.copyOf(hundredMinutes, hundredMinutes.length - 3);
        EngineHarness target = EngineHarness.of(0, "last > 0");
        assertThatThrownBy(() -> target.engine.importState(cut)).isInstanceOf(IllegalArgumentException.class);
        byte[] otherVersion = hundredMinutes.clone();
        otherVersion[5] = 9;
        assertThatThrownBy(() -> target.engine.importState(otherVersion))
                .hasMessageContaining("version 9");
        assertThat(target.engine.symbolCount()).isZero();
    }

    @Test
    @DisplayName("session stats of another session calendar are dropped; bars beyond a shorter history too")
    void otherSettings() {
        EngineHarness original = EngineHarness.of(0, "day_open > 0");
        long t0 = EngineHarness.T0;
        for (int m = 0; m < 30; m++) {
            original.tick("ACME", t0 + m * MINUTE, 100 + m, 1);
        }
        original.scan(t0 + 30 * MINUTE);
        byte[] checkpoint = original.engine.exportState(i -> true);

        EngineHarness newYork = EngineHarness.of(List.of(EngineHarness.rule("r0", "day_open > 0 or sma(10) > 0", 0)),
                new EngineSettings(10, ZoneId.of("America/New_York"), LocalTime.of(9, 30)));
        StateImport result = newYork.engine.importState(checkpoint);
        assertThat(result).isEqualTo(new StateImport(1, 0, true, true, false));
        newYork.scan(t0 + 30 * MINUTE + 1_000);
        assertThat(newYork.value("ACME", "day_open")).isNaN();
        // the 10 newest bars are kept: closes 120 .. 129
        assertThat(newYork.value("ACME", "sma(10)")).isEqualTo(124.5);
    }
}
