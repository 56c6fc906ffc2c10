package io.tickscan.engine;

/**
 * Runs an engine in event time, as {@code replay} does: before a tick with timestamp {@code ts} is applied,
 * every whole-second scan {@code t <= ts} not run yet runs first, starting with the second after the first
 * tick; {@link #finish()} runs the scans up to the second after the newest tick. A tick more than
 * {@code maxGapMs} after the newest tick so far is rejected as a jump, so one stray timestamp cannot start
 * years of scans. Only the seconds at which something can change are evaluated
 * ({@link ScanEngine#nextScanNeeded()}); the others are passed over as quiet, which fires exactly what scanning
 * them would.
 */
public final class EventTimeDriver {
    /** Default largest gap between a tick and the newest tick before it: 7 days. */
    public static final long DEFAULT_MAX_GAP_MS = 7L * 24 * 3600 * 1000;

    private final ScanEngine engine;
    private final long maxGapMs;
    private final FiringListener listener;
    private long nextScan = Long.MIN_VALUE;
    private long newest = Long.MIN_VALUE;

    /**
     * @param engine   the engine to drive
     * @param maxGapMs largest accepted jump forward past the newest tick
     * @param listener receives the firings of every scan
     */
    public EventTimeDriver(ScanEngine engine, long maxGapMs, FiringListener listener) {
        this.engine = engine;
        this.maxGapMs = maxGapMs;
        this.listener = listener;
    }

    /** Runs the scans due before {@code ts}, then applies the tick (fields already valid). */
    public TickOutcome offer(String symbol, long ts, double price, double size) {
        if (nextScan == Long.MIN_VALUE) {
            nextScan = secondAfter(ts);
        } else if (ts - newest > maxGapMs) {
            return TickOutcome.JUMP;
        }
        scanThrough(Math.floorDiv(ts, 1000L) * 1000);
        if (ts > newest) {
            newest = ts;
        }
        return engine.apply(symbol, ts, price, size);
    }

    /** Runs the remaining scans, up to the second after the newest tick. */
    public void finish() {
        if (newest == Long.MIN_VALUE) {
            return;
        }
        scanThrough(secondAfter(newest));
    }

    /** Runs or passes over every second from the next one through {@code end}. */
    private void scanThrough(long end) {
        while (nextScan <= end) {
            long needed = Math.max(engine.nextScanNeeded(), nextScan);
            if (needed > end) {
                engine.skipQuietScans(end);
                nextScan = end + 1000;
                return;
            }
            if (needed > nextScan) {
                engine.skipQuietScans(needed - 1000);
            }
            engine.scan(needed, listener);
            nextScan = needed + 1000;
        }
    }

    private static long secondAfter(long ts) {
        return Math.floorDiv(ts, 1000L) * 1000 + 1000;
    }
}
