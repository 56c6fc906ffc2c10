package io.tickscan.codec;

import java.util.Objects;

/**
 * Ticks of one partition, collected by an ingest verticle and sent to the partition's address in one message.
 * Immutable once built: the arrays are owned by the batch and never written after construction, so local
 * delivery passes this very instance to the scanner.
 *
 * @param partition  the partition every symbol of the batch hashes to
 * @param arrivedAt  wall-clock epoch milliseconds at which the batch's first tick was received
 * @param symbols    the symbol of each tick
 * @param timestamps event time of each tick, epoch milliseconds
 * @param prices     price of each tick
 * @param sizes      size of each tick
 * @param origins    where each tick was read ({@link TickOrigin}), or null when the source has no positions
 * @param previous   for each tick with an origin, the offset of the tick before it on the same Kafka partition that
 *                   the sending router sent to this partition since its reading of that Kafka partition began
 *                   (for the first, where it began, {@link TickOrigin#readingFrom}): no tick of this partition lies
 *                   between the two on that Kafka partition, so a scanner that has the previous one has every tick
 *                   before this one; -1 when unknown; null when the source gives none
 */
public record TickBatch(int partition, long arrivedAt, String[] symbols, long[] timestamps, double[] prices,
                        double[] sizes, long[] origins, long[] previous) {

    /** Checks that the arrays have one entry per tick. */
    public TickBatch {
        Objects.requireNonNull(symbols, "symbols");
        if (timestamps.length != symbols.length || prices.length != symbols.length
                || sizes.length != symbols.length || (origins != null && origins.length != symbols.length)
                || (previous != null && (origins == null || previous.length != symbols.length))) {
            throw new IllegalArgumentException("a tick batch needs one timestamp, price, size (and origin, when "
                    + "it has origins, and previous offset, when it has those) per symbol");
        }
    }

    /** A batch of ticks without origins. */
    public TickBatch(int partition, long arrivedAt, String[] symbols, long[] timestamps, double[] prices,
                     double[] sizes) {
        this(partition, arrivedAt, symbols, timestamps, prices, sizes, null, null);
    }

    /** Number of ticks. */
    public int size() {
        return symbols.length;
    }
}
