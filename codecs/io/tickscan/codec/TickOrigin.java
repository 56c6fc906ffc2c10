package io.tickscan.codec;

/**
 * Where a tick was read, packed in one {@code long}: the Kafka partition it came from (high 16 bits) and its offset
 * there (low 48 bits), so that a scanner can tell a record it already took from one it has not
 * ({@link TickBatch#origins()}). Sources without positions (the simulator, files, HTTP) give {@link #NONE}.
 * Partitions up to 65,535 and offsets below 2<sup>48</sup> (nine years at a million records a second on one
 * partition) fit; the Kafka source gives the ticks of a partition beyond no origin (they are then applied at least
 * once, as from a source without positions, and that partition is left out of the checkpoints' offsets).
 */
public final class TickOrigin {
    /** A tick without a position. */
    public static final long NONE = -1;
    /** The greatest partition number an origin holds. */
    public static final int MAX_PARTITION = 0xFFFF;
    private static final int OFFSET_BITS = 48;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    private TickOrigin() {
    }

    /** The origin of the record at {@code offset} of {@code partition}. */
    public static long of(int partition, long offset) {
        if (partition < 0 || partition > MAX_PARTITION || offset < 0 || offset > OFFSET_MASK) {
            throw new IllegalArgumentException("partition " + partition + " offset " + offset
                    + " is beyond what a tick origin holds (partition <= " + MAX_PARTITION + ", offset < 2^48)");
        }
        return ((long) partition << OFFSET_BITS) | offset;
    }

    /** The partition of an origin other than {@link #NONE}. */
    public static int partition(long origin) {
        return (int) (origin >>> OFFSET_BITS);
    }

    /**
     * The {@link TickBatch#previous} of the first tick offered for a partition since its Kafka partition's reading
     * began at {@code from}: no tick of that partition lies in {@code [from, offset)}, and what lies before
     * {@code from} is not known to the router (encoded below -1).
     */
    public static long readingFrom(long from) {
        return -from - 2;
    }

    /** True when a {@link TickBatch#previous} is a {@link #readingFrom} marker. */
    public static boolean isReadingStart(long previous) {
        return previous <= -2;
    }

    /** The offset reading began at, of a {@link #readingFrom} marker. */
    public static long readingStart(long previous) {
        return -previous - 2;
    }

    /** The offset of an origin other than {@link #NONE}. */
    public static long offset(long origin) {
        return origin & OFFSET_MASK;
    }

    /**
     * {@code offsets}, an array of offsets by Kafka partition, grown to at least {@code length} (at least doubled),
     * the new entries -1 (none).
     */
    public static long[] grownOffsets(long[] offsets, int length) {
        long[] grown = java.util.Arrays.copyOf(offsets, Math.max(length, 2 * offsets.length));
        java.util.Arrays.fill(grown, offsets.length, grown.length, -1);
        return grown;
    }
}
