package io.tickscan.scanner;

import io.tickscan.codec.TickOrigin;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * Per partition of a scanner, the highest Kafka offset it took from each Kafka partition: a tick read again (after a
 * restart from a checkpoint, or a rewind of its source) at or below it was taken already and is skipped, so that
 * reading a partition again never applies a tick twice. This assumes that ticks of one Kafka partition reach a
 * scanner partition in the order of their offsets: one consumer reads them and one router sends them in order to
 * a node-local consumer. A batch the router sent again after a failure while a later one went through would break
 * that; on one node a failure means the scanner is gone, so its later batches fail too (batches that cross nodes
 * will need numbering, with the cluster issue).
 *
 * <p>Written with the partition's checkpoint, where each offset is raised to what the source has acknowledged
 * (every tick below it was taken by its owner): those offsets tell the source where to read again after a crash
 * ({@code io.tickscan.kafka.CheckpointedOffsets}).
 */
final class AcceptedOffsets {
    private static final long[] NONE = new long[0];
    private final long[][] highest;

    /** @param partitions P, the partition count */
    AcceptedOffsets(int partitions) {
        highest = new long[partitions][];
        Arrays.fill(highest, NONE);
    }

    /**
     * True when partition {@code p} has not taken the tick of {@code origin} yet, which it now has; always true
     * for a tick without an origin.
     */
    boolean accept(int p, long origin) {
        if (origin == TickOrigin.NONE) {
            return true;
        }
        int source = TickOrigin.partition(origin);
        long offset = TickOrigin.offset(origin);
        long[] offsets = highest[p];
        if (source >= offsets.length) {
            offsets = highest[p] = grown(offsets, source + 1);
        }
        if (offset <= offsets[source]) {
            return false;
        }
        offsets[source] = offset;
        return true;
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
                if (floor > out.getLong(source, Long.MIN_VALUE)) {
                    out.put(source, floor); // -1 when nothing was read: all of it is to be read
                }
            }
        }
        return out;
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
                highest[p] = grown(highest[p], kafkaPartition + 1);
            }
            highest[p][kafkaPartition] = Math.max(highest[p][kafkaPartition], offset);
        }
    }

    /** Forgets partition {@code p}'s offsets: it went to another scanner, and comes back with its own. */
    void forget(int p) {
        highest[p] = NONE;
    }

    private static long[] grown(long[] offsets, int length) {
        long[] grown = Arrays.copyOf(offsets, Math.max(length, 2 * offsets.length));
        Arrays.fill(grown, offsets.length, grown.length, -1);
        return grown;
    }
}
