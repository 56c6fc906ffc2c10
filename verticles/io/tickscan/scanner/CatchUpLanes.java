package io.tickscan.scanner;

import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.Screen;
import io.tickscan.engine.StateImport;
import io.tickscan.rules.RuleSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions of a scanner that catch up in an engine of their own before they join its engine: live equals
 * replay after a failover.
 *
 * <p>A partition taken from its Redis checkpoint was scanned by its lost owner up to the checkpoint's second, while
 * this scanner has scanned on. Its ticks since the checkpoint are read from Kafka again ({@link
 * io.tickscan.codec.Addresses#KAFKA_REREAD}); applied to this scanner's engine, those of a minute it has ended would
 * be late and dropped, and the partition's bars and session stats would stay off. So the partition goes into a
 * <em>lane</em>: a new engine that resumes the checkpoint with its clock ({@link ScanEngine#resume}), takes the
 * partition's ticks as they come (holding those stamped at or after its next scan), and is scanned second after
 * second from the checkpoint's, each second once the Kafka partitions the checkpoint has offsets of are delivered
 * past it by a reading that began after the lane asked for them (a reading number above any its source had reported
 * when the lane opened) at or before the checkpoint's offset. Its alerts are published as the scanner's. When it has
 * scanned the scanner's last second, its state is imported into the scanner's engine ({@link ScanEngine#importState},
 * the same second, so crosses and cooldowns carry on) and its held ticks go to the scanner's. A second whose ticks
 * lack only Kafka partitions nobody reports (a dead member's, until the group gives them to a survivor) is scanned
 * once it is {@code scanner.watermark_wait_ms} late, as the scanner's own scans are; after twice that wait the lane
 * scans up to the scanner's second with what it has and joins, counted as forced. A joined lane goes on watching the
 * reports for the Kafka partitions it had not read through, and says when each has been
 * ({@link AcceptedOffsets#rereadDone}).
 *
 * <p>A state handed over by a live owner whose scans were behind the scanner's opens a lane too
 * ({@link #openHandedOver}): it holds every tick of its seconds, so the lane scans them at the scanner's next scan
 * and joins. A checkpoint taken into the scanner's engine as it is gets no lane, only the watch that says when its
 * Kafka partitions have been read again ({@link #watch}).
 *
 * <p>Meanwhile the partition is not checkpointed (its state is in the lane; its stored checkpoint stays what the
 * lane resumed), and the scanner's queries do not see its symbols. Giving the partition away joins the lane first;
 * dropping it discards the lane.
 */
final class CatchUpLanes {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpLanes.class);
    /** A checkpoint further behind the scanner's clock than this is taken as it is: too far to catch up. */
    static final long MAX_BEHIND_MS = 5 * 60_000;
    /**
     * How long a new lane waits before it may scan a second without its ticks: the sources that read its Kafka
     * partitions begin their readings for it within a few of their 20 ms reports.
     */
    static final long SETTLE_MS = 1000;
    /**
     * How long a joined lane watches for the Kafka partitions it had not read through; past it, they are taken as
     * read (as a gap is given up), so that the partition's offsets of them are raised again.
     */
    static final long WATCH_MS = 60_000;

    /**
     * Runs a lane's scan of second {@code t} and publishes its alerts: its held ticks stamped before {@code t}
     * applied first, those before the next second after.
     */
    interface LaneScan {
        void scan(Lane lane, long t);
    }

    /**
     * Told the partition of a lane that joined (its state changed), and the Kafka partitions it had every tick of
     * up to the second it joined at (read again through it by a reading that counted for it).
     */
    interface Joined {
        void joined(int partition, Set<Integer> readThrough);
    }

    /** Applies a tick to an engine; never throws (a failure is counted and logged). */
    interface TickApplier {
        void apply(ScanEngine engine, String symbol, long ts, double price, double size, long arrivedAt);
    }

    private final ScanEngine scanner;
    private final Supplier<ScanEngine> newEngine;
    private final SourceWatermarks watermarks;
    private final int holdTicks;
    private final long waitMs;
    private final long graceMs;
    private final LongSupplier clock;
    private final LaneScan laneScan;
    private final TickApplier applier;
    private final HeldTicks.Sink heldByScanner;
    private final Joined joined;
    /** By partition: the lane catching it up, or null (nearly always). */
    private final Lane[] lanes;
    /** Joined lanes still watching for Kafka partitions they had not read through. */
    private final List<Lane> watching = new ArrayList<>();
    private int open;
    private long caughtUp;
    private long forced;

    /**
     * @param scanner       the scanner's engine, which lanes join
     * @param newEngine     makes an engine with the scanner's rules and settings
     * @param watermarks    the scanner's watermarks: which source readings a new lane has seen already
     * @param holdTicks     the most ticks a lane holds for its later scans ({@code scanner.hold_ticks})
     * @param waitMs        {@code scanner.watermark_wait_ms}: a lane scans a second without waiting for a Kafka
     *                      partition nobody reads yet once it is this late, as the scanner does; and every second,
     *                      whatever it waits for, once it has been open for twice this
     * @param graceMs       {@code scanner.grace_ms}
     * @param laneScan      scans a lane and publishes its alerts
     * @param applier       applies a held tick to a lane's engine
     * @param heldByScanner takes a lane's held ticks when it joins, as ticks just arrived
     * @param joined        told the partition of a lane that joined (its state changed), and what it had read
     */
    CatchUpLanes(int partitions, ScanEngine scanner, Supplier<ScanEngine> newEngine, SourceWatermarks watermarks,
                 int holdTicks,
                 long waitMs, long graceMs, LongSupplier clock, LaneScan laneScan, TickApplier applier,
                 HeldTicks.Sink heldByScanner, Joined joined) {
        this.lanes = new Lane[partitions];
        this.scanner = scanner;
        this.newEngine = newEngine;
        this.watermarks = watermarks;
        this.holdTicks = holdTicks;
        this.waitMs = waitMs;
        this.graceMs = graceMs;
        this.clock = clock;
        this.laneScan = laneScan;
        this.applier = applier;
        this.heldByScanner = heldByScanner;
        this.joined = joined;
    }

    /**
     * Opens a lane for partition {@code p} when its checkpoint {@code state} (an engine export) was scanned before
     * the scanner's last scan, and not more than {@link #MAX_BEHIND_MS} before.
     *
     * @param rereadFrom for each Kafka partition the checkpoint has an offset of, the offset after it
     * @return the lane, or null when the state is to be taken into the scanner's engine as it is
     * @throws IllegalArgumentException when {@code state} is not a checkpoint the engine reads (no lane opened)
     */
    Lane open(int p, byte[] state, Map<Integer, Long> rereadFrom) {
        return rereadFrom.isEmpty() ? null : openBehind(p, state, rereadFrom, "restored from a checkpoint");
    }

    /**
     * Opens a lane for partition {@code p} when the {@code state} its live owner handed over was scanned before the
     * scanner's last scan (the giver's scans were held, by the watermarks say, while the taker's ran): the lane
     * scans the seconds between at the scanner's next scan, since the state and the ticks routed to the taker since
     * hold every tick of them, and joins. Not when the scanner holds no symbol: it takes the giver's clock instead
     * ({@link ScanEngine#importState(byte[], boolean)}).
     *
     * @return the lane, or null when the state is to be taken into the scanner's engine as it is
     * @throws IllegalArgumentException when {@code state} is not a checkpoint the engine reads (no lane opened)
     */
    Lane openHandedOver(int p, byte[] state) {
        return scanner.holdsNoSymbol() ? null : openBehind(p, state, Map.of(), "handed over");
    }

    private Lane openBehind(int p, byte[] state, Map<Integer, Long> rereadFrom, String how) {
        long at = ScanEngine.lastScanOf(state);
        long now = scanner.lastScan();
        if (now == Screen.NO_SCAN || at == Screen.NO_SCAN || at >= now || now - at > MAX_BEHIND_MS) {
            return null;
        }
        ScanEngine engine = newEngine.get();
        StateImport imported = engine.resume(state);
        Lane lane = new Lane(p, engine, new HeldTicks(holdTicks), imported, rereadFrom, watermarks.readingsSeen(),
                clock.getAsLong(), applier);
        lanes[p] = lane;
        open++;
        LOG.info("partition {} {} with a state of {} catches up from there: {} s behind the scanner, {} symbols", p,
                how, Instant.ofEpochMilli(at), (now - at) / 1000, imported.restored());
        return lane;
    }

    /**
     * Watches the readings of partition {@code p}'s Kafka partitions for a checkpoint taken into the scanner's
     * engine as it is (not behind the scanner, or too far behind), as for a joined lane: the ticks its lost owner
     * took after the checkpoint come again, and until each Kafka partition has been read through now, its offset
     * is not raised to what the sources acknowledged ({@link AcceptedOffsets#rereadDone}, at most
     * {@link #WATCH_MS} later).
     *
     * @param rereadFrom for each Kafka partition the checkpoint has an offset of, the offset after it (not empty)
     */
    void watch(int p, Map<Integer, Long> rereadFrom) {
        Lane watcher = new Lane(p, null, null, null, rereadFrom, watermarks.readingsSeen(), clock.getAsLong(),
                applier);
        watcher.joinedAt = clock.getAsLong();
        watching.add(watcher);
    }

    /** True while {@code p}'s Kafka partitions are watched for the re-read of its checkpoint's ticks. */
    boolean watches(int p) {
        return watching.stream().anyMatch(lane -> lane.partition == p);
    }

    /** The lane of partition {@code p}, or null when it has none. */
    Lane of(int p) {
        return lanes[p];
    }

    /** Partitions catching up now. */
    int size() {
        return open;
    }

    /** Lanes that joined after catching up. */
    long caughtUp() {
        return caughtUp;
    }

    /** Lanes that joined forced, without every tick their seconds needed. */
    long forced() {
        return forced;
    }

    /** Takes a watermark report into every lane; true when one of them may scan further. */
    boolean observe(JsonObject report) {
        if ((open == 0 && watching.isEmpty()) || !watermarks.ofTopic(report)) {
            return false;
        }
        long now = clock.getAsLong();
        boolean moved = false;
        for (Lane lane : lanes) {
            if (lane != null) {
                moved |= lane.observe(report, now);
            }
        }
        for (Lane lane : List.copyOf(watching)) {
            if (now - lane.openedAt > WATCH_MS) {
                Set<Integer> rest = new HashSet<>(lane.rereadFrom.keySet());
                rest.removeAll(lane.toldRead);
                LOG.warn("partition {}: Kafka partitions {} were not read again through {} within {} s; taken as read",
                        lane.partition, rest, Instant.ofEpochMilli(lane.joinedAt), WATCH_MS / 1000);
                watching.remove(lane);
                joined.joined(lane.partition, rest);
            } else if (lane.observe(report, now)) {
                Set<Integer> read = lane.readThrough(lane.joinedAt);
                read.removeAll(lane.toldRead);
                if (!read.isEmpty()) {
                    lane.toldRead.addAll(read);
                    joined.joined(lane.partition, read);
                }
                if (lane.toldRead.size() == lane.rereadFrom.size()) {
                    watching.remove(lane);
                }
            }
        }
        return moved;
    }

    /**
     * Scans every lane on, second by second, as far as its marks allow and the scanner has scanned, and joins those
     * that reach the scanner's last scan (forced after their wait). Run between the scanner's scans, only while
     * the scanner may publish.
     */
    void advance() {
        if (open == 0) {
            return;
        }
        long now = clock.getAsLong();
        for (Lane lane : lanes) {
            if (lane != null) {
                catchUp(lane, now, now - lane.openedAt >= 2 * waitMs);
            }
        }
    }

    /** Scans partition {@code p}'s lane up to the scanner's last second without waiting, and joins it. */
    void finish(int p) {
        Lane lane = lanes[p];
        if (lane != null) {
            catchUp(lane, clock.getAsLong(), true);
        }
    }

    /**
     * Drops partition {@code p}'s lane, its state with it, and stops watching for it: the partition is given up
     * (after a hand-over, which joined the lane first, or without one).
     */
    void discard(int p) {
        if (lanes[p] != null) {
            lanes[p] = null;
            open--;
        }
        watching.removeIf(lane -> lane.partition == p);
    }

    /** Swaps a new rule set into every lane's engine, as into the scanner's. */
    void replaceRules(RuleSet rules) {
        for (Lane lane : lanes) {
            if (lane != null) {
                lane.engine.replaceRules(rules);
            }
        }
    }

    /**
     * Scans {@code lane} on up to the scanner's last scan and joins it there. A second is scanned once its ticks
     * are all read again; or, the lane settled, once it is {@code waitMs} late (as the scanner's scans are forced)
     * when what it still lacks is only of Kafka partitions nobody reads for it yet (a dead member's, until the
     * group gives them to a survivor); or at once when {@code force}.
     */
    private void catchUp(Lane lane, long now, boolean force) {
        long target = scanner.lastScan();
        while (lane.engine.lastScan() < target) {
            long next = lane.nextScan();
            if (!lane.reached(next)) {
                boolean overdue = now - lane.openedAt >= SETTLE_MS && now >= next + graceMs + waitMs
                        && lane.lacksOnlyUnread(next, now - SETTLE_MS);
                if (!force && !overdue) {
                    return;
                }
                lane.forcedScans++;
            }
            laneScan.scan(lane, next);
            if (lane.engine.lastScan() < next) {
                lane.forcedScans++;
                break; // the scan failed (counted, logged): the lane joins as it is rather than try it again
            }
        }
        join(lane, lane.forcedScans > 0);
    }

    private void join(Lane lane, boolean waitedOut) {
        lanes[lane.partition] = null;
        open--;
        StateImport imported = scanner.importState(lane.engine.exportState(i -> true));
        lane.held.forEach(heldByScanner);
        if (waitedOut) {
            forced++;
        } else {
            caughtUp++;
        }
        lane.joinedAt = scanner.lastScan();
        lane.toldRead.addAll(lane.readThrough(lane.joinedAt));
        joined.joined(lane.partition, Set.copyOf(lane.toldRead));
        if (lane.toldRead.size() < lane.rereadFrom.size()) {
            watching.add(lane);
        }
        LOG.info("partition {} caught up{} and joined the scanner at {}: {} symbols", lane.partition,
                waitedOut ? " with " + lane.forcedScans + " seconds scanned before all their ticks were read again "
                        + "(forced)" : "", Instant.ofEpochMilli(scanner.lastScan()), imported.restored());
    }

    /** One partition catching up: its engine, its held ticks, and how far its Kafka partitions are read again. */
    static final class Lane {
        final int partition;
        final ScanEngine engine;
        final HeldTicks held;
        final StateImport imported;
        final long openedAt;
        /** Applies a held tick to the lane's engine; never throws. */
        final HeldTicks.Sink apply;
        final Map<Integer, Long> rereadFrom;
        /** The scanner's second the lane joined at, once joined. */
        long joinedAt;
        /** The Kafka partitions told read through {@link #joinedAt}. */
        final Set<Integer> toldRead = new HashSet<>();
        /** Per Kafka partition, when a report last gave a mark of it (any source, any reading). */
        private final Map<Integer, Long> reportedAt = new HashMap<>();
        private final Map<String, Long> seenBefore;
        /** Per Kafka partition, the sources whose readings count for this lane. */
        private final Map<Integer, Set<String>> counted = new HashMap<>();
        private final Map<Integer, Long> marks = new HashMap<>();
        private int forcedScans;

        Lane(int partition, ScanEngine engine, HeldTicks held, StateImport imported, Map<Integer, Long> rereadFrom,
             Map<String, Long> seenBefore, long openedAt, TickApplier applier) {
            this.partition = partition;
            this.engine = engine;
            this.held = held;
            this.imported = imported;
            this.rereadFrom = Map.copyOf(rereadFrom);
            this.seenBefore = seenBefore;
            this.openedAt = openedAt;
            this.apply = (symbol, ts, price, size, arrivedAt) -> applier.apply(engine, symbol, ts, price, size,
                    arrivedAt);
        }

        /** The second the lane scans next. */
        long nextScan() {
            return engine.lastScan() + 1000;
        }

        /**
         * Takes a source's watermark report: a mark counts for Kafka partition {@code k} when its reading began
         * after the lane opened (a number above any that source had reported before) and at or before the offset
         * the lane needs, or when it follows such a reading of the same source (a rewind of it).
         */
        boolean observe(JsonObject report, long now) {
            String source = report.getString("source");
            JsonObject readings = report.getJsonObject("readings");
            JsonObject reported = report.getJsonObject("marks");
            if (source == null || readings == null || reported == null) {
                return false;
            }
            boolean moved = false;
            for (Map.Entry<Integer, Long> need : rereadFrom.entrySet()) {
                String k = Integer.toString(need.getKey());
                JsonArray reading = readings.getJsonArray(k);
                Long mark = reported.getLong(k);
                if (mark != null) {
                    reportedAt.put(need.getKey(), now);
                }
                if (reading == null || mark == null || reading.getLong(0) <= seenBefore.getOrDefault(source, 0L)) {
                    continue;
                }
                Set<String> sources = counted.computeIfAbsent(need.getKey(), x -> new HashSet<>());
                if (reading.getLong(1) > need.getValue() && !sources.contains(source)) {
                    continue; // a reading that skips ticks the lane lacks
                }
                sources.add(source);
                if (mark > marks.getOrDefault(need.getKey(), Long.MIN_VALUE)) {
                    marks.put(need.getKey(), mark);
                    moved = true;
                }
            }
            return moved;
        }

        /**
         * True when the Kafka partitions not yet read past {@code second} for the lane are read by nobody: no
         * reading of theirs has counted for it yet, and no source has reported one since {@code quietSince}.
         */
        boolean lacksOnlyUnread(long second, long quietSince) {
            for (Integer k : rereadFrom.keySet()) {
                if (marks.getOrDefault(k, Long.MIN_VALUE) < second && (!counted.getOrDefault(k, Set.of()).isEmpty()
                        || reportedAt.getOrDefault(k, Long.MIN_VALUE) >= quietSince)) {
                    return false;
                }
            }
            return true;
        }

        /** The Kafka partitions whose ticks stamped before {@code second} have all reached the lane. */
        Set<Integer> readThrough(long second) {
            Set<Integer> read = new HashSet<>();
            for (Integer k : rereadFrom.keySet()) {
                if (marks.getOrDefault(k, Long.MIN_VALUE) >= second) {
                    read.add(k);
                }
            }
            return read;
        }

        /** True when every tick of the lane's Kafka partitions stamped before {@code second} has reached it. */
        boolean reached(long second) {
            for (Integer k : rereadFrom.keySet()) {
                if (marks.getOrDefault(k, Long.MIN_VALUE) < second) {
                    return false;
                }
            }
            return true;
        }
    }
}
