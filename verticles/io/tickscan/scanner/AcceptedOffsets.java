package io.tickscan.scanner;

import io.tickscan.codec.TickOrigin;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per partition of a scanner and Kafka partition, the offset up to which it has every tick of that Kafka partition
 * that belongs to it: a tick read again (after a restart from a checkpoint, a rewind of its source, a rebalance) at
 * or below it was taken already and is skipped, so that reading a partition again never applies a tick twice.
 *
 * <p>Ticks of one Kafka partition reach a scanner partition in the order of their offsets while one router sends
 * them; but a batch lost on its way (its owner died with it in flight) is known lost only when its answer times out,
 * after later batches have reached the partition's next owner. So every tick says which tick of its Kafka partition
 * its router sent to this partition before it ({@link io.tickscan.codec.TickBatch#previous}): when this partition
 * has that one, it has every tick before this one, and the offset moves on; when it has not, some ticks are
 * missing. The tick is then applied and kept above the <em>gap</em>, with its predecessor; the ticks of the gap,
 * read again once their loss is known, are applied when they come, and the offset moves on through the kept ones
 * they reach; a kept tick read again is skipped. A gap that is not filled within {@value #GAP_WAIT_MS} ms, or
 * that keeps more than {@value #GAP_LIMIT} ticks, is given up: the offset moves past it, and what it lacks is lost
 * (counted, {@link #gapsGivenUp()}). Gaps go with the partition's offsets into checkpoints and hand-overs
 * ({@link #exportGaps}).
 *
 * <p>Written with the partition's checkpoint, where each offset is raised to what the source has acknowledged
 * (every tick below it was taken by its owner): those offsets tell the source where to read again after a crash
 * ({@code io.tickscan.kafka.CheckpointedOffsets}).
 */
final class AcceptedOffsets {
    /** How long a gap may wait for its ticks: longer than a lost batch's answer takes to time out, plus a rewind. */
    static final long GAP_WAIT_MS = 30_000;
    /** How many ticks a gap may keep above it. */
    static final int GAP_LIMIT = 100_000;
    private static final long[] NONE = new long[0];
    private final long[][] highest;
    /** Per partition, its gaps by Kafka partition; null for a partition without any (nearly always). */
    private final Map<Integer, Gap>[] gaps;
    /**
     * Per partition restored from a checkpoint, the Kafka partitions whose ticks since are read again and have not
     * linked to its offsets yet (null for the others, nearly always): until one does, a reading that begins past
     * what it has opens a gap rather than moving its offset on.
     */
    private final Set<Integer>[] unlinked;
    /** Per partition, whether it catches up in a lane, which scans a second only once its ticks are read again. */
    private final boolean[] inLane;
    private long gapsGivenUp;

    /** @param partitions P, the partition count */
    @SuppressWarnings({"unchecked", "rawtypes"})
    AcceptedOffsets(int partitions) {
        highest = new long[partitions][];
        Arrays.fill(highest, NONE);
        gaps = new Map[partitions];
        unlinked = new Set[partitions];
        inLane = new boolean[partitions];
    }

    /**
     * True when partition {@code p} has not taken the tick of {@code origin} yet, which it now has; always true
     * for a tick without an origin.
     *
     * @param previous the offset of the tick its router sent to {@code p} before it from the same Kafka partition
     *                 ({@link io.tickscan.codec.TickBatch#previous}); -1 when unknown (taken as had while no gap
     *                 is open)
     * @param now      wall-clock milliseconds, for the gaps' deadline
     */
    boolean accept(int p, long origin, long previous, long now) {
        if (origin == TickOrigin.NONE) {
            return true;
        }
        int source = TickOrigin.partition(origin);
        long offset = TickOrigin.offset(origin);
        long[] offsets = highest[p];
        if (source >= offsets.length) {
            offsets = highest[p] = TickOrigin.grownOffsets(offsets, source + 1);
        }
        if (offset <= offsets[source]) {
            return false;
        }
        Gap gap = gaps[p] == null ? null : gaps[p].get(source);
        // without a gap, a tick with no known predecessor, or the first since a reading began, follows what it has;
        // not a reading that begins past it while the partition waits for its ticks since a checkpoint
        boolean waiting = unlinked[p] != null && unlinked[p].contains(source);
        if (waiting && inLane[p] && gap == null && previous != -1 && !follows(previous, offsets[source])) {
            // of a reading that began past what it has (a rewind to a commit, a reading assigned before the
            // re-read): the reading its lane asked for brings this tick again, after its predecessors, before the
            // lane scans its second; taking it now would apply it before them, and sums over ticks in another
            // order differ in their last bits
            return false;
        }
        if (gap == null && (previous == TickOrigin.NONE || (previous < 0 && !waiting)
                || follows(previous, offsets[source]))) {
            if (waiting && follows(previous, offsets[source])) {
                linked(p, source);
            }
            offsets[source] = offset;
            return true;
        }
        if (gap == null) {
            gap = new Gap(now);
            if (gaps[p] == null) {
                gaps[p] = new HashMap<>(4);
            }
            gaps[p].put(source, gap);
        }
        if (gap.above.containsKey(offset)) {
            return false;
        }
        if (follows(previous, offsets[source])) {
            offsets[source] = offset;
            if (waiting) {
                linked(p, source);
            }
        } else {
            gap.above.put(offset, previous);
        }
        close(p, source, gap, now);
        return true;
    }

    /** Moves the offset through the kept ticks the gap's filling reached; gives the gap up when it is over. */
    private void close(int p, int source, Gap gap, long now) {
        long[] offsets = highest[p];
        while (!gap.above.isEmpty()) {
            Map.Entry<Long, Long> lowest = gap.above.firstEntry();
            if (lowest.getKey() <= offsets[source] || follows(lowest.getValue(), offsets[source])) {
                offsets[source] = Math.max(offsets[source], lowest.getKey());
                gap.above.pollFirstEntry();
            } else {
                break;
            }
        }
        if (!gap.above.isEmpty() && (now - gap.since > GAP_WAIT_MS || gap.above.size() > GAP_LIMIT)) {
            offsets[source] = gap.above.lastKey();
            gap.above.clear();
            gapsGivenUp++;
        }
        if (gap.above.isEmpty()) {
            gaps[p].remove(source);
            if (gaps[p].isEmpty()) {
                gaps[p] = null;
            }
        }
    }

    /**
     * Whether a tick with predecessor {@code previous} continues what a partition has up to {@code had}, while a gap
     * is open: a known predecessor it has, or a reading that began right after what it has; an unknown one does
     * not close a gap.
     */
    private static boolean follows(long previous, long had) {
        if (TickOrigin.isReadingStart(previous)) {
            return TickOrigin.readingStart(previous) - 1 <= had;
        }
        return previous >= 0 && previous <= had;
    }

    /** Gaps given up so far: ticks they lacked were not applied. */
    long gapsGivenUp() {
        return gapsGivenUp;
    }

    /**
     * Partition {@code p}'s offsets as {@code {"<kafka partition>": offset}}, each at least {@code next - 1} of the
     * source's acknowledged {@code {"<kafka partition>": next}} (so -1 for a Kafka partition read from offset 0).
     */
    JsonObject export(int p, JsonObject acknowledged) {
        JsonObject out = new JsonObject();
        long[] offsets = highest[p];
        for (int source = 0; source < offsets.length; source++) {
            if (offsets[source] >= 0) {
                out.put(Integer.toString(source), offsets[source]);
            }
        }
        if (acknowledged != null) {
            for (String source : acknowledged.fieldNames()) {
                long floor = acknowledged.getLong(source) - 1;
                int kafkaPartition = Integer.parseInt(source);
                if (floor > out.getLong(source, Long.MIN_VALUE) && !hasGap(p, kafkaPartition)
                        && !waitsForReread(p, kafkaPartition)) {
                    out.put(source, floor); // -1 when nothing was read: all of it is to be read
                }
            }
        }
        return out;
    }

    private boolean waitsForReread(int p, int source) {
        return unlinked[p] != null && unlinked[p].contains(source);
    }

    private boolean hasGap(int p, int source) {
        return gaps[p] != null && gaps[p].containsKey(source);
    }

    /**
     * Partition {@code p}'s gaps as {@code {"<kafka partition>": [[offset, previous], ...]}}, the ticks it keeps
     * above each; null when it has none.
     */
    JsonObject exportGaps(int p) {
        if (gaps[p] == null) {
            return null;
        }
        JsonObject out = new JsonObject();
        gaps[p].forEach((source, gap) -> {
            JsonArray kept = new JsonArray();
            gap.above.forEach((offset, previous) -> kept.add(new JsonArray().add(offset).add(previous)));
            out.put(Integer.toString(source), kept);
        });
        return out;
    }

    /**
     * Takes partition {@code p}'s offsets from a checkpoint or a hand-over, keeping any higher one it holds
     * already, and its gaps ({@link #exportGaps}, or null).
     *
     * @param now wall-clock milliseconds: the gaps taken wait from now
     */
    void restore(int p, JsonObject offsets, JsonObject gapsOfP, long now) {
        restore(p, offsets);
        if (gapsOfP == null) {
            return;
        }
        for (String source : gapsOfP.fieldNames()) {
            int kafkaPartition = Integer.parseInt(source);
            for (Object kept : gapsOfP.getJsonArray(source)) {
                JsonArray tick = (JsonArray) kept;
                accept(p, TickOrigin.of(kafkaPartition, tick.getLong(0)), tick.getLong(1), now);
            }
        }
    }

    /** Takes partition {@code p}'s offsets from a checkpoint, keeping any higher one it holds already. */
    void restore(int p, JsonObject offsets) {
        for (String source : offsets.fieldNames()) {
            int kafkaPartition = Integer.parseInt(source);
            long offset = offsets.getLong(source);
            if (kafkaPartition < 0 || kafkaPartition > TickOrigin.MAX_PARTITION || offset < -1) {
                throw new IllegalArgumentException("offset " + offset + " of Kafka partition " + source);
            }
            if (kafkaPartition >= highest[p].length) {
                highest[p] = TickOrigin.grownOffsets(highest[p], kafkaPartition + 1);
            }
            highest[p][kafkaPartition] = Math.max(highest[p][kafkaPartition], offset);
        }
    }

    /**
     * Partition {@code p}, restored from a checkpoint, waits for the ticks of Kafka partitions {@code sources} since
     * it: its lost owner may have taken some, and the source's commits may be past them. Until a tick of such a
     * Kafka partition links to what {@code p} has (its predecessor is there, or its reading began right after), a
     * reading that begins further on (a rewind to a commit, an assignment read before the re-read) must not move
     * the offset past ticks {@code p} never had, which the reading asked for again would then skip as taken: in a
     * lane ({@code inLane}), which scans a second only once its ticks are read again, its ticks are not taken (the
     * reading asked for brings them again, in their order); in the scanner's engine, which scans on its own clock,
     * they are taken above a gap (applied now, before the ticks the gap lacks); and its offset of such a
     * Kafka partition is not raised to what the sources acknowledged ({@link #export}), which may be ticks only
     * its lost owner had.
     */
    void awaitReread(int p, Set<Integer> sources, boolean inLane) {
        unlinked[p] = sources.isEmpty() ? null : new HashSet<>(sources);
        this.inLane[p] = inLane;
    }

    /**
     * Partition {@code p} has every tick its checkpoint lacked of Kafka partitions {@code sources}: it caught up
     * with the readings it asked for (its lane read them through the second it joined at, or later, see
     * {@link CatchUpLanes}). It waits no more for those, and its offsets of them may be raised to what the
     * sources acknowledged.
     *
     * @return at a lane's join (the first call after {@link #awaitReread} in a lane), the Kafka partitions still
     *         not read through, each with the offset after what {@code p} has: the lane left the ticks of a reading
     *         past its checkpoint for the reading it asked for, which has not come, so they are to be asked for
     *         again (into the scanner's engine from now on); empty otherwise
     */
    Map<Integer, Long> rereadDone(int p, Set<Integer> sources) {
        boolean joining = inLane[p];
        inLane[p] = false; // told at the join first: its ticks go to the scanner's engine from then on
        for (Integer source : sources) {
            if (unlinked[p] != null) {
                linked(p, source);
            }
        }
        if (!joining || unlinked[p] == null) {
            return Map.of();
        }
        Map<Integer, Long> askAgain = new HashMap<>();
        for (Integer source : unlinked[p]) {
            askAgain.put(source, source < highest[p].length ? highest[p][source] + 1 : 0);
        }
        return askAgain;
    }



    private void linked(int p, int source) {
        unlinked[p].remove(source);
        if (unlinked[p].isEmpty()) {
            unlinked[p] = null;
        }
    }

    /** Forgets partition {@code p}'s offsets and gaps: it went to another scanner, and comes back with its own. */
    void forget(int p) {
        highest[p] = NONE;
        gaps[p] = null;
        unlinked[p] = null;
        inLane[p] = false;
    }

    /** The ticks kept above a gap, by offset, with their predecessors; since when it is open. */
    private static final class Gap {
        final TreeMap<Long, Long> above = new TreeMap<>();
        final long since;

        Gap(long since) {
            this.since = since;
        }
    }
}
