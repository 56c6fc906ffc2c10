package io.tickscan.scanner;

import java.util.Arrays;

/**
 * Ticks stamped at or after the second a scanner scans next, held until that scan has run, in arrival order:
 * bounded, in primitive columns that are reused, so holding and releasing allocate nothing once grown.
 */
final class HeldTicks {
    /** Receives the released ticks. */
    interface Sink {
        void apply(String symbol, long ts, double price, double size, long arrivedAt);
    }

    private final int capacity;
    private String[] symbols = new String[64];
    private long[] timestamps = new long[64];
    private double[] prices = new double[64];
    private double[] sizes = new double[64];
    private long[] arrivals = new long[64];
    private int count;
    private long earliest = Long.MAX_VALUE;

    /** @param capacity the most ticks held at once */
    HeldTicks(int capacity) {
        this.capacity = capacity;
    }

    /** Holds a tick; false when {@code capacity} ticks are held already. */
    boolean hold(String symbol, long ts, double price, double size, long arrivedAt) {
        if (count == capacity) {
            return false;
        }
        if (count == symbols.length) {
            int grown = (int) Math.min(capacity, 2L * count);
            symbols = Arrays.copyOf(symbols, grown);
            timestamps = Arrays.copyOf(timestamps, grown);
            prices = Arrays.copyOf(prices, grown);
            sizes = Arrays.copyOf(sizes, grown);
            arrivals = Arrays.copyOf(arrivals, grown);
        }
        symbols[count] = symbol;
        timestamps[count] = ts;
        prices[count] = price;
        sizes[count] = size;
        arrivals[count] = arrivedAt;
        count++;
        earliest = Math.min(earliest, ts);
        return true;
    }

    /**
     * Hands {@code sink} every held tick stamped before {@code next}, in arrival order, and keeps the others, in
     * order. The sink must not throw.
     */
    void releaseBefore(long next, Sink sink) {
        if (earliest >= next) {
            return;
        }
        int kept = 0;
        long keptEarliest = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            if (timestamps[i] < next) {
                sink.apply(symbols[i], timestamps[i], prices[i], sizes[i], arrivals[i]);
            } else {
                keptEarliest = Math.min(keptEarliest, timestamps[i]);
                move(i, kept++);
            }
        }
        Arrays.fill(symbols, kept, count, null);
        count = kept;
        earliest = keptEarliest;
    }

    /** Hands {@code sink} every held tick, in arrival order, keeping them all. */
    void forEach(Sink sink) {
        for (int i = 0; i < count; i++) {
            sink.apply(symbols[i], timestamps[i], prices[i], sizes[i], arrivals[i]);
        }
    }

    /** Drops the held ticks whose symbol {@code symbols} accepts, keeping the others in order. */
    void dropIf(java.util.function.Predicate<String> symbols) {
        int kept = 0;
        long keptEarliest = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            if (!symbols.test(this.symbols[i])) {
                keptEarliest = Math.min(keptEarliest, timestamps[i]);
                move(i, kept++);
            }
        }
        Arrays.fill(this.symbols, kept, count, null);
        count = kept;
        earliest = keptEarliest;
    }

    /** The earliest stamp held, or {@link Long#MAX_VALUE} when none is. */
    long earliest() {
        return earliest;
    }

    private void move(int from, int to) {
        symbols[to] = symbols[from];
        timestamps[to] = timestamps[from];
        prices[to] = prices[from];
        sizes[to] = sizes[from];
        arrivals[to] = arrivals[from];
    }

    /** Ticks held now. */
    int size() {
        return count;
    }
}
