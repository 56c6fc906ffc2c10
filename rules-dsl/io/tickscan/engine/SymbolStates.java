package io.tickscan.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-symbol state of one engine, as parallel primitive arrays indexed by a dense symbol index: the live
 * 1-minute bar, a ring of complete bars, the newest tick and the session stats.
 *
 * <p>Bar {@code k} covers {@code [k*60000, (k+1)*60000)}. The live bar is always the symbol's newest minute;
 * when it is rolled forward it joins the ring as a complete bar, followed by a flat bar for every quiet
 * minute. A live bar with no tick yet ({@code liveEmpty}) is flat at the previous close until a tick opens it.
 */
final class SymbolStates {
    static final long MINUTE_MS = 60_000L;
    /**
     * Ring slots beyond the history limit, so that a live tick up to a minute ahead of the scan clock, which
     * completes the scan's own minute early, never overwrites a bar a rule may still read.
     */
    private static final int RING_SLACK = 2;

    /** Called with each bar as it becomes complete, in minute order. */
    interface BarListener {
        void barCompleted(int symbol, double close);
    }

    private final int ring;
    private final SessionCalendar sessions;
    private final BarListener listener;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private String[] names;
    private int count;

    long[] firstMinute;
    long[] liveMinute;
    boolean[] liveEmpty;
    double[] open;
    double[] high;
    double[] low;
    double[] close;
    double[] volume;
    double[] notional;
    long[] lastTs;
    double[] last;
    double[] ringClose;
    double[] ringHigh;
    double[] ringLow;
    double[] ringVolume;
    long[] session;
    double[] dayOpen;
    double[] dayHigh;
    double[] dayLow;
    double[] dayVolume;
    double[] dayNotional;

    SymbolStates(int history, SessionCalendar sessions, BarListener listener, int capacity) {
        this.ring = history + RING_SLACK;
        this.sessions = sessions;
        this.listener = listener;
        allocate(Math.max(capacity, 16));
    }

    int count() {
        return count;
    }

    int capacity() {
        return names.length;
    }

    /** Ring length: complete bars kept per symbol. */
    int ring() {
        return ring;
    }

    String name(int symbol) {
        return names[symbol];
    }

    /** The index of {@code name}, or -1 when the engine has not seen it. */
    int indexOf(String name) {
        Integer index = indexByName.get(name);
        return index == null ? -1 : index;
    }

    /** Adds a symbol whose first tick is in {@code minute}; returns its index. */
    int add(String name, long minute) {
        if (count == names.length) {
            allocate(names.length * 2);
        }
        int i = count++;
        names[i] = name;
        indexByName.put(name, i);
        firstMinute[i] = minute;
        liveMinute[i] = minute;
        liveEmpty[i] = true;
        lastTs[i] = Long.MIN_VALUE;
        last[i] = Double.NaN;
        session[i] = Long.MIN_VALUE;
        return i;
    }

    /**
     * Applies a valid, not-late tick of minute {@code minute >= liveMinute[i]}.
     */
    void apply(int i, long ts, long minute, double price, double size) {
        if (minute > liveMinute[i]) {
            rollTo(i, minute);
        }
        if (liveEmpty[i]) {
            liveEmpty[i] = false;
            open[i] = price;
            high[i] = price;
            low[i] = price;
            close[i] = price;
            volume[i] = size;
            notional[i] = price * size;
        } else {
            if (price > high[i]) {
                high[i] = price;
            }
            if (price < low[i]) {
                low[i] = price;
            }
            volume[i] += size;
            notional[i] += price * size;
        }
        if (ts >= lastTs[i]) {
            lastTs[i] = ts;
            last[i] = price;
            close[i] = price;
        }
        applyToSession(i, ts, price, size);
    }

    private void applyToSession(int i, long ts, double price, double size) {
        long s = sessions.sessionStart(ts);
        if (s > session[i]) {
            session[i] = s;
            dayOpen[i] = price;
            dayHigh[i] = price;
            dayLow[i] = price;
            dayVolume[i] = size;
            dayNotional[i] = price * size;
        } else if (s == session[i]) {
            if (price > dayHigh[i]) {
                dayHigh[i] = price;
            }
            if (price < dayLow[i]) {
                dayLow[i] = price;
            }
            dayVolume[i] += size;
            dayNotional[i] += price * size;
        }
    }

    /**
     * Completes the live bar and every quiet minute before {@code minute}, so that the live bar is
     * {@code minute}'s (flat until a tick opens it).
     */
    void rollTo(int i, long minute) {
        while (liveMinute[i] < minute) {
            long k = liveMinute[i];
            int slot = slot(i, k);
            double c = close[i];
            ringClose[slot] = c;
            ringHigh[slot] = high[i];
            ringLow[slot] = low[i];
            ringVolume[slot] = volume[i];
            listener.barCompleted(i, c);
            liveMinute[i] = k + 1;
            liveEmpty[i] = true;
            open[i] = c;
            high[i] = c;
            low[i] = c;
            volume[i] = 0;
            notional[i] = 0;
        }
    }

    /** Ring position of bar {@code k} of symbol {@code i}. */
    int slot(int i, long k) {
        return i * ring + (int) Math.floorMod(k, (long) ring);
    }

    private void allocate(int capacity) {
        names = names == null ? new String[capacity] : Arrays.copyOf(names, capacity);
        firstMinute = grow(firstMinute, capacity);
        liveMinute = grow(liveMinute, capacity);
        liveEmpty = liveEmpty == null ? new boolean[capacity] : Arrays.copyOf(liveEmpty, capacity);
        open = grow(open, capacity);
        high = grow(high, capacity);
        low = grow(low, capacity);
        close = grow(close, capacity);
        volume = grow(volume, capacity);
        notional = grow(notional, capacity);
        lastTs = grow(lastTs, capacity);
        last = grow(last, capacity);
        ringClose = grow(ringClose, capacity * ring);
        ringHigh = grow(ringHigh, capacity * ring);
        ringLow = grow(ringLow, capacity * ring);
        ringVolume = grow(ringVolume, capacity * ring);
        session = grow(session, capacity);
        dayOpen = grow(dayOpen, capacity);
        dayHigh = grow(dayHigh, capacity);
        dayLow = grow(dayLow, capacity);
        dayVolume = grow(dayVolume, capacity);
        dayNotional = grow(dayNotional, capacity);
    }

    private static double[] grow(double[] a, int capacity) {
        return a == null ? new double[capacity] : Arrays.copyOf(a, capacity);
    }

    private static long[] grow(long[] a, int capacity) {
        return a == null ? new long[capacity] : Arrays.copyOf(a, capacity);
    }

    /** Heap bytes of the arrays that hold one symbol's state (names and map entries excluded). */
    long bytesPerSymbol() {
        return 8L * 4 * ring // ring: close, high, low, volume
                + 8L * 16 // live bar, newest tick, session stats, first and live minute, session
                + 1; // liveEmpty
    }
}
