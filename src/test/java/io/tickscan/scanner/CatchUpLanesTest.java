package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Partitions restored from a checkpoint behind the scanner catch up in a lane: which source readings open its
 * gate, its scans second by second, its join, forced after its wait, on a hand-over, and dropped.
 */
class CatchUpLanesTest {
    private static final long T0 = 1_700_000_040_000L; // minute-aligned
    private static final long WAIT = 3000;
    private static final RuleSet RULES = RulesFile.parse(
            "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 0}]", new RuleLimits(180, 100, 64));

    private final AtomicLong now = new AtomicLong(T0 + 100_000);
    private final SourceWatermarks watermarks = new SourceWatermarks("ticks");
    private final ScanEngine scanner = new ScanEngine(RULES, EngineSettings.DEFAULTS);
    private final List<String> scans = new ArrayList<>();
    private final List<String> joined = new ArrayList<>();
    private final List<String> heldByScanner = new ArrayList<>();
    private final CatchUpLanes lanes = new CatchUpLanes(16, scanner,
            () -> new ScanEngine(RULES, EngineSettings.DEFAULTS), watermarks, 100, WAIT, 50, now::get, this::scanLane,
            (engine, symbol, ts, price, size, at) ->
            engine.apply(symbol, ts, price, size, at), (symbol, ts, price, size, at) -> heldByScanner.add(symbol),
            (p, read) -> joined.add("p" + p + read));

    /** As the scanner does: held ticks before the second, the scan and its alerts, then those before the next. */
    private void scanLane(CatchUpLanes.Lane lane, long t) {
        lane.held.releaseBefore(t, lane.apply);
        lane.engine.scan(t, (rule, symbol, at) -> scans.add(lane.engine.symbol(symbol) + "@" + (at - T0) / 1000));
        scans.add("scan@" + (t - T0) / 1000);
        lane.held.releaseBefore(t + 1000, lane.apply);
    }

    /** A checkpoint of one symbol, scanned up to {@code T0 + seconds}, its last price {@code price}. */
    private static byte[] checkpoint(int seconds, double price) {
        ScanEngine owner = new ScanEngine(RULES, EngineSettings.DEFAULTS);
        owner.apply("ACME", T0 + 500, price, 1);
        for (int s = 1; s <= seconds; s++) {
            owner.scan(T0 + s * 1000L, (rule, symbol, at) -> { });
        }
        return owner.exportState(i -> true);
    }

    /** The scanner's engine, scanned up to {@code T0 + seconds} (it holds no symbol of the lane's partition). */
    private void scannerAt(int seconds) {
        for (long t = Math.max(scanner.lastScan() + 1000, T0 + 1000); t <= T0 + seconds * 1000L; t += 1000) {
            scanner.scan(t, (rule, symbol, at) -> { });
        }
    }

    private static JsonObject report(String source, long seq, int k, long from, long mark) {
        return new JsonObject().put("topic", "ticks").put("partitions", 2).put("source", source)
                .put("marks", new JsonObject().put(Integer.toString(k), mark))
                .put("readings", new JsonObject().put(Integer.toString(k), new JsonArray().add(seq).add(from)));
    }

    @Test
    @DisplayName("a mark counts only from a reading begun after the lane opened, at or before the offset it needs, "
            + "or from a later reading of a source that had one")
    void onlyReadingsThatReReadTheLanesTicksCount() {
        watermarks.update(report("a", 5, 0, 0, T0 + 90_000));
        scannerAt(10);
        CatchUpLanes.Lane lane = lanes.open(7, checkpoint(2, 99), Map.of(0, 101L, 1, 51L));
        assertThat(lane).isNotNull();

        assertThat(lanes.observe(report("a", 5, 0, 0, T0 + 9_000))).as("a reading known before").isFalse();
        assertThat(lanes.observe(report("a", 6, 0, 200, T0 + 9_000))).as("a reading that skips ticks").isFalse();
        assertThat(lanes.observe(report("a", 7, 0, 90, T0 + 9_000))).isTrue();
        assertThat(lane.reached(T0 + 3_000)).as("Kafka partition 1 not read yet").isFalse();
        assertThat(lanes.observe(report("b", 1, 1, 51, T0 + 4_000))).as("a source new to the lane").isTrue();
        assertThat(lane.reached(T0 + 4_000)).isTrue();
        assertThat(lane.reached(T0 + 5_000)).isFalse();
        assertThat(lanes.observe(report("b", 2, 1, 400, T0 + 6_000))).as("a rewind of a source counted").isTrue();
        assertThat(lane.reached(T0 + 6_000)).isTrue();
        assertThat(lanes.observe(report("c", 1, 1, 400, T0 + 9_000))).as("another source skipping").isFalse();
        assertThat(lanes.observe(new JsonObject().put("topic", "other").put("source", "b")
                .put("marks", new JsonObject().put("1", T0 + 9_000))
                .put("readings", new JsonObject().put("1", new JsonArray().add(9).add(0))))).isFalse();
    }

    @Test
    @DisplayName("scans second by second as the marks allow, takes ticks of a minute the scanner has ended, and "
            + "joins at the scanner's last scan")
    void catchesUpAndJoins() {
        scannerAt(70); // the scanner has ended minute 0
        CatchUpLanes.Lane lane = lanes.open(7, checkpoint(2, 99), Map.of(0, 101L));
        lanes.advance();
        assertThat(scans).as("nothing read again yet").isEmpty();

        lanes.observe(report("a", 1, 0, 101, T0 + 4_000));
        lanes.advance();
        assertThat(scans).containsExactly("scan@3", "scan@4");
        // read again: a tick of minute 0, late for the scanner, is the lane's at 4.5 s
        lane.engine.apply("ACME", T0 + 4_500, 101, 1);
        lane.held.hold("ACME", T0 + 69_500, 98, 1, 0); // arrived live before the ticks read again
        lanes.observe(report("a", 1, 0, 101, T0 + 80_000));
        lanes.advance();
        assertThat(scans).containsSubsequence("scan@4", "ACME@5", "scan@5", "ACME@69", "scan@69", "scan@70");
        assertThat(scans).doesNotContain("ACME@70").last().isEqualTo("scan@70");
        assertThat(lanes.of(7)).isNull();
        assertThat(joined).as("Kafka partition 0 read through the join").containsExactly("p7[0]");
        assertThat(lanes.caughtUp()).isEqualTo(1);
        assertThat(scanner.snapshot("ACME", 2).last()).as("the held tick was applied in the lane at 69 s")
                .isEqualTo(98);
        assertThat(scanner.snapshot("ACME", 2).bars()).hasSize(1);
        assertThat(scanner.snapshot("ACME", 2).bars().get(0).high()).as("minute 0 has the tick read again")
                .isEqualTo(101);
        assertThat(scanner.lateTicks()).isZero();
    }

    @Test
    @DisplayName("scans a second without the ticks of a Kafka partition nobody reads yet once it is as late as the "
            + "scanner's forced scans, not before the lane has settled, and not when a reading of it is under way")
    void scansWithoutAnUnreadPartitionOnceOverdue() {
        now.set(T0 + 10_000);
        scannerAt(10);
        CatchUpLanes.Lane lane = lanes.open(1, checkpoint(2, 101), Map.of(0, 101L, 1, 51L));
        lanes.observe(report("a", 1, 0, 101, T0 + 10_000)); // Kafka partition 1: its reader died, nobody reads it
        assertThat(lane.reached(T0 + 3_000)).isFalse();
        lanes.advance();
        assertThat(scans).as("not settled").isEmpty();
        now.addAndGet(CatchUpLanes.SETTLE_MS);
        lanes.advance();
        assertThat(scans).as("overdue at 11 s: the seconds up to 11 - 3 - 0.05 s").filteredOn(s -> s.startsWith("scan"))
                .containsExactly("scan@3", "scan@4", "scan@5", "scan@6", "scan@7");
        now.addAndGet(3_000);
        scannerAt(13);
        lanes.observe(report("b", 1, 1, 51, T0 + 9_000)); // the group gave it to a survivor, which reads it again
        lanes.advance();
        assertThat(scans).filteredOn(s -> s.startsWith("scan")).last().as("read up to 9 s, then waiting for it")
                .isEqualTo("scan@9");
        lanes.observe(report("b", 1, 1, 51, T0 + 13_000));
        lanes.observe(report("a", 1, 0, 101, T0 + 13_000));
        lanes.advance();
        assertThat(lanes.of(1)).isNull();
        assertThat(lanes.forced()).isEqualTo(1);
        assertThat(scans).filteredOn(s -> s.startsWith("scan")).last().isEqualTo("scan@13");
    }

    @Test
    @DisplayName("joins forced after twice the watermark wait, on a hand-over at once, and a dropped partition's "
            + "lane goes with it")
    void forcedFinishedAndDiscarded() {
        scannerAt(10);
        CatchUpLanes.Lane one = lanes.open(1, checkpoint(2, 101), Map.of(0, 101L));
        lanes.observe(report("a", 1, 0, 101, T0 + 3_000)); // read for it, and lagging
        CatchUpLanes.Lane two = lanes.open(2, checkpoint(2, 101), Map.of(0, 101L));
        two.held.hold("ACME", T0 + 11_500, 102, 1, 0);
        lanes.open(3, checkpoint(2, 101), Map.of(0, 101L));
        assertThat(lanes.size()).isEqualTo(3);

        lanes.finish(2);
        assertThat(joined).containsExactly("p2[]");
        assertThat(heldByScanner).as("held for the scanner's next scan").containsExactly("ACME");
        lanes.discard(3);
        assertThat(lanes.of(3)).isNull();

        now.addAndGet(2 * WAIT - 1);
        lanes.advance();
        assertThat(lanes.of(1)).isNotNull();
        assertThat(one.engine.lastScan()).isEqualTo(T0 + 3_000);
        now.addAndGet(1);
        lanes.advance();
        assertThat(lanes.of(1)).isNull();
        assertThat(joined).containsExactly("p2[]", "p1[]");
        assertThat(lanes.forced()).isEqualTo(2);
        assertThat(scans).filteredOn(s -> s.startsWith("ACME")).as("up fired at every second caught up, twice")
                .hasSize(2 * 8);
    }

    @Test
    @DisplayName("no lane for a checkpoint not behind, too far behind, without offsets, or before the first scan")
    void noLaneWhenThereIsNothingToCatchUp() {
        assertThat(lanes.open(1, checkpoint(2, 99), Map.of(0, 1L))).as("no scan yet").isNull();
        scannerAt(2);
        assertThat(lanes.open(1, checkpoint(2, 99), Map.of(0, 1L))).as("not behind").isNull();
        scannerAt(5);
        assertThat(lanes.open(1, checkpoint(2, 99), Map.of())).as("no offsets").isNull();
        scannerAt(2 + (int) (CatchUpLanes.MAX_BEHIND_MS / 1000) + 1);
        assertThat(lanes.open(1, checkpoint(2, 99), Map.of(0, 1L))).as("too far").isNull();
        assertThat(lanes.size()).isZero();
    }

    @Test
    @DisplayName("a joined lane tells when a Kafka partition it lacked is read through its join; a Kafka partition "
            + "another reading still reports is not taken for unread")
    void watchesAfterTheJoinAndWaitsForAPartitionStillReported() {
        now.set(T0 + 10_000);
        scannerAt(10);
        CatchUpLanes.Lane lane = lanes.open(1, checkpoint(2, 101), Map.of(0, 101L, 1, 51L));
        lanes.observe(report("a", 1, 0, 101, T0 + 10_000));
        now.addAndGet(CatchUpLanes.SETTLE_MS);
        lanes.observe(report("old", 0, 1, 0, T0 + 10_000)); // a reading of before the lane: read, but not for it
        lanes.advance();
        assertThat(scans).as("Kafka partition 1 is read by someone: no scan without it").isEmpty();
        now.addAndGet(CatchUpLanes.SETTLE_MS + 1);
        lanes.advance();
        assertThat(scans).as("quiet for a second: taken for unread").contains("scan@3");
        now.addAndGet(2 * WAIT);
        lanes.advance();
        assertThat(joined).containsExactly("p1[0]");
        assertThat(lane.joinedAt).isEqualTo(T0 + 10_000);
        lanes.observe(report("b", 1, 1, 51, T0 + 9_000));
        assertThat(joined).as("not yet through the join").hasSize(1);
        lanes.observe(report("b", 1, 1, 51, T0 + 10_000));
        assertThat(joined).containsExactly("p1[0]", "p1[1]");
        lanes.observe(report("b", 1, 1, 51, T0 + 11_000));
        assertThat(joined).as("told once").hasSize(2);
    }

    @Test
    @DisplayName("a checkpoint taken into the scanner as it is (not behind it) is watched: each Kafka partition is "
            + "told read again once a reading begun for it has delivered every tick stamped before the take")
    void aCheckpointNotBehindIsWatchedUntilItsTicksAreReadAgain() {
        watermarks.update(report("a", 5, 0, 0, T0 + 9_000));
        now.set(T0 + 9_500);
        scannerAt(9);
        assertThat(lanes.open(3, checkpoint(9, 101), Map.of(0, 101L, 1, 51L))).isNull();
        lanes.watch(3, Map.of(0, 101L, 1, 51L));
        assertThat(lanes.watches(3)).isTrue();
        lanes.observe(report("a", 5, 0, 0, T0 + 10_000));
        assertThat(joined).as("a reading known before the take does not count").isEmpty();
        lanes.observe(report("a", 6, 0, 101, T0 + 9_000));
        assertThat(joined).as("not yet past the take").isEmpty();
        lanes.observe(report("a", 6, 0, 101, T0 + 9_500));
        assertThat(joined).containsExactly("p3[0]");
        lanes.observe(report("b", 1, 1, 40, T0 + 10_000));
        assertThat(joined).containsExactly("p3[0]", "p3[1]");
        assertThat(lanes.watches(3)).as("every Kafka partition told: watched no more").isFalse();
    }

    @Test
    @DisplayName("a state handed over behind the scanner's clock is scanned through the seconds between at once, "
            + "then joins; not when the scanner holds no symbol, which takes the giver's clock")
    void aStateHandedOverBehindTheScannerCatchesUpAtOnce() {
        now.set(T0 + 10_000);
        scannerAt(10);
        assertThat(lanes.openHandedOver(5, checkpoint(8, 101))).as("the scanner holds no symbol").isNull();
        scanner.apply("OTHER", T0 + 10_100, 50, 1);
        assertThat(lanes.openHandedOver(5, checkpoint(10, 101))).as("not behind").isNull();
        CatchUpLanes.Lane lane = lanes.openHandedOver(5, checkpoint(8, 101));
        assertThat(lane).isNotNull();
        lanes.advance();
        assertThat(scans).containsExactly("ACME@9", "scan@9", "ACME@10", "scan@10");
        assertThat(lanes.of(5)).as("joined").isNull();
        assertThat(joined).containsExactly("p5[]");
        assertThat(lanes.watches(5)).isFalse();
        assertThat(scanner.symbolCount()).as("ACME joined OTHER in the scanner").isEqualTo(2);
    }

    @Test
    @DisplayName("a lane whose scan fails joins as it is instead of trying the same second again")
    void aFailingScanJoinsTheLane() {
        List<Long> tried = new ArrayList<>();
        CatchUpLanes failing = new CatchUpLanes(16, scanner, () -> new ScanEngine(RULES, EngineSettings.DEFAULTS),
                watermarks, 100, WAIT, 50, now::get, (lane, t) -> tried.add(t), (engine, symbol, ts, price, size,
                at) -> engine.apply(symbol, ts, price, size, at), (symbol, ts, price, size, at) -> { },
                (p, read) -> joined.add("p" + p));
        scannerAt(10);
        failing.open(4, checkpoint(2, 101), Map.of(0, 101L));
        failing.finish(4);
        assertThat(tried).containsExactly(T0 + 3_000);
        assertThat(failing.of(4)).isNull();
        assertThat(joined).containsExactly("p4");
        assertThat(failing.forced()).isEqualTo(1);
    }

    @Test
    @DisplayName("a joined lane stops watching after a minute and takes what it lacked for read")
    void watchingEnds() {
        scannerAt(10);
        lanes.open(2, checkpoint(2, 101), Map.of(0, 101L, 1, 51L));
        lanes.finish(2);
        assertThat(joined).containsExactly("p2[]");
        now.addAndGet(CatchUpLanes.WATCH_MS);
        lanes.observe(report("a", 1, 0, 0, T0 + 1_000));
        assertThat(joined).hasSize(1);
        now.addAndGet(1);
        lanes.observe(report("a", 1, 0, 0, T0 + 1_000));
        assertThat(joined).containsExactly("p2[]", "p2[0, 1]");
        lanes.observe(report("a", 1, 0, 0, T0 + 1_000));
        assertThat(joined).hasSize(2);
    }
}
