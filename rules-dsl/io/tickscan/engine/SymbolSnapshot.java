package io.tickscan.engine;

import java.util.List;

/**
 * One symbol as an engine holds it now ({@link ScanEngine#snapshot}): its newest tick, its session stats, its
 * recent 1-minute bars, and the value at the latest scan of every metric the engine's rules read.
 *
 * @param symbol       the symbol
 * @param last         price of the newest tick applied (the one with the greatest {@code ts})
 * @param lastTs       {@code ts} of that tick, epoch milliseconds
 * @param session      the stats of the symbol's newest session
 * @param bars         the newest complete 1-minute bars still in the engine's history, oldest first (flat bars
 *                     included), at most as many as asked for
 * @param live         the live (incomplete) bar: flat at the previous close, volume 0, until a tick opens it
 * @param scanTs       the scan {@code metricValues} are as of, or {@link Screen#NO_SCAN}
 * @param metricNames  canonical names of every metric the engine's enabled rules read
 * @param metricValues their values for this symbol at scan {@code scanTs}, same order; NaN when undefined or when
 *                     the symbol was not scanned yet
 */
public record SymbolSnapshot(String symbol, double last, long lastTs, Session session, List<Bar> bars, Bar live,
                             long scanTs, List<String> metricNames, double[] metricValues) {

    /** Copies the lists. */
    public SymbolSnapshot {
        bars = List.copyOf(bars);
        metricNames = List.copyOf(metricNames);
    }

    /**
     * A 1-minute bar.
     *
     * @param t      its first millisecond, a multiple of 60,000
     * @param open   first price
     * @param high   highest price
     * @param low    lowest price
     * @param close  price of the tick with the greatest {@code ts}
     * @param volume sum of sizes
     */
    public record Bar(long t, double open, double high, double low, double close, double volume) {
    }

    /**
     * The stats of one session, over the ticks applied so far.
     *
     * @param start    the session's first millisecond
     * @param open     its first price
     * @param high     its highest price
     * @param low      its lowest price
     * @param volume   its total size
     * @param notional its sum of {@code price * size}
     */
    public record Session(long start, double open, double high, double low, double volume, double notional) {

        /** {@code notional / volume}, NaN when the volume is 0. */
        public double vwap() {
            return volume > 0 ? notional / volume : Double.NaN;
        }
    }
}
