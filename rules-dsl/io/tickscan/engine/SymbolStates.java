package io.tickscan.engine;

import java.util.Arrays;

/**
 * The per-symbol state of one engine, in primitive arrays indexed by a dense symbol index.
 *
 * <p>What a tick touches sits together: the live 1-minute bar, the newest tick and the session stats of a
 * symbol are {@value #LIVE_FIELDS} neighbouring doubles of {@link #live}, its minutes and timestamps
 * {@value #CLOCK_FIELDS} neighbouring longs of {@link #clock}. Complete bars are kept bar-major: the ring holds,
 * for each of its slots, one array over all symbols, so that a scan sums a window for every symbol with loops
 * over contiguous memory.
 *
 * <p>Bar {@code k} covers {@code [k*60000, (k+1)*60000)} and lives in ring slot {@code k mod ring}. The live bar
 * is always the symbol's newest minute; when it is rolled forward it joins the ring as a complete bar, and every
 * quiet minute after it becomes a flat bar at the previous close. A live bar with no tick yet is flat at the
 * previous close until a tick opens it.
 *
 * <p>A symbol's index is found by open addressing over three parallel arrays, a power of two long and at most half
 * full: the names, their hashes and their indices, probed linearly from the slot that the name's hash picks. A
 * lookup compares references first (ticks routed within a node carry the very instances stored here), then the
 * stored hash, and calls {@code equals} only when the hashes match: no node, no boxing, nothing allocated. It
 * measured faster than a {@code HashMap<String, Integer>} ({@code SymbolLookupBenchmark}).
 */
final class SymbolStates {
    static final long MINUTE_MS = 60_000L;

    // The live bar and the session stats are each a run of open, high, low, volume, notional.
    static final int OPEN = 0;
    static final int HIGH = 1;
    static final int LOW = 2;
    static final int VOLUME = 3;
    static final int NOTIONAL = 4;
    static final int DAY_OPEN = 5;
    static final int DAY_HIGH = DAY_OPEN + HIGH;
    static final int DAY_LOW = DAY_OPEN + LOW;
    static final int DAY_VOLUME = DAY_OPEN + VOLUME;
    static final int DAY_NOTIONAL = DAY_OPEN + NOTIONAL;
    static final int CLOSE = 10;
    static final int LAST = 11;
    static final int LIVE_FIELDS = 12;

    static final int FIRST_MINUTE = 0;
    static final int LIVE_MINUTE = 1;
    static final int LAST_TS = 2;
    static final int SESSION = 3;
    static final int LIVE_EMPTY = 4;
    /** An opaque stamp of the newest tick applied, such as when it arrived; the engine only keeps it. */
    static final int STAMP = 5;
    static final int CLOCK_FIELDS = 6;

    /**
     * Ring slots beyond the history limit, so that a live tick up to a minute ahead of the scan clock, which
     * completes the scan's own minute early, never overwrites a bar a rule may still read.
     */
    private static final int RING_SLACK = 2;

    /** Multiplier that spreads a hash over the top bits, which pick the slot (Fibonacci hashing). */
    private static final int SPREAD = 0x9E3779B9;

    /** Called with each bar as it becomes complete, in minute order. */
    interface BarListener {
        void barCompleted(int symbol, double close);
    }

    private final int ring;
    private final SessionCalendar sessions;
    private BarListener listener;
    private String[] names;
    private int count;
    /** The index table: names, their hashes and their indices by slot; a null name is an empty slot. */
    private String[] slotNames;
    private int[] slotHashes;
    private int[] slotIndices;
    /** 32 minus the log2 of the table's length: {@code (hash * SPREAD) >>> shift} is a slot. */
    private int shift;

    /** Live bar, newest tick and session stats, {@link #LIVE_FIELDS} per symbol. */
    double[] live;
    /**
     * First minute, live minute, newest tick time, session start, live-bar-empty flag, stamp; {@link #CLOCK_FIELDS}
     * each.
     */
    long[] clock;
    /** Complete bars: {@code ringClose[k mod ring][symbol]}; likewise open, high, low and volume. */
    double[][] ringClose;
    /** Read by no metric: kept so that a symbol's recent bars can be shown whole ({@link #bar}). */
    double[][] ringOpen;
    double[][] ringHigh;
    double[][] ringLow;
    double[][] ringVolume;

    SymbolStates(int history, SessionCalendar sessions, BarListener listener, int capacity) {
        this.ring = history + RING_SLACK;
        this.sessions = sessions;
        this.listener = listener;
        this.ringClose = new double[ring][];
        this.ringOpen = new double[ring][];
        this.ringHigh = new double[ring][];
        this.ringLow = new double[ring][];
        this.ringVolume = new double[ring][];
        allocate(Math.max(capacity, 16));
        index(Math.max(capacity, 16));
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
        int hash = name.hashCode();
        String[] keys = slotNames;
        int mask = keys.length - 1;
        for (int slot = (hash * SPREAD) >>> shift; ; slot = (slot + 1) & mask) {
            String key = keys[slot];
            if (key == null) {
                return -1;
            }
            if (key == name || (slotHashes[slot] == hash && key.equals(name))) {
                return slotIndices[slot];
            }
        }
    }

    long firstMinute(int i) {
        return clock[i * CLOCK_FIELDS + FIRST_MINUTE];
    }

    long liveMinute(int i) {
        return clock[i * CLOCK_FIELDS + LIVE_MINUTE];
    }

    long stamp(int i) {
        return clock[i * CLOCK_FIELDS + STAMP];
    }

    long session(int i) {
        return clock[i * CLOCK_FIELDS + SESSION];
    }

    double last(int i) {
        return live[i * LIVE_FIELDS + LAST];
    }

    double field(int i, int field) {
        return live[i * LIVE_FIELDS + field];
    }

    long lastTs(int i) {
        return clock[i * CLOCK_FIELDS + LAST_TS];
    }

    /** Complete bar {@code k} of a symbol; it must still be in the ring and not before the symbol's first minute. */
    SymbolSnapshot.Bar bar(int i, long k) {
        int s = slot(k);
        return new SymbolSnapshot.Bar(k * MINUTE_MS, ringOpen[s][i], ringHigh[s][i], ringLow[s][i], ringClose[s][i],
                ringVolume[s][i]);
    }

    /** The live bar of a symbol. */
    SymbolSnapshot.Bar liveBar(int i) {
        int b = i * LIVE_FIELDS;
        return new SymbolSnapshot.Bar(liveMinute(i) * MINUTE_MS, live[b + OPEN], live[b + HIGH], live[b + LOW],
                live[b + CLOSE], live[b + VOLUME]);
    }

    /** The stats of a symbol's newest session. */
    SymbolSnapshot.Session sessionStats(int i) {
        int b = i * LIVE_FIELDS;
        return new SymbolSnapshot.Session(session(i), live[b + DAY_OPEN], live[b + DAY_HIGH], live[b + DAY_LOW],
                live[b + DAY_VOLUME], live[b + DAY_NOTIONAL]);
    }

    /** Adds a symbol whose first tick is in {@code minute}; returns its index. */
    int add(String name, long minute) {
        if (count == names.length) {
            allocate(names.length * 2);
        }
        int i = count++;
        names[i] = name;
        if (2 * count > slotNames.length) {
            index(count);
        } else {
            put(name, i);
        }
        reopen(i, minute);
        return i;
    }

    /**
     * Leaves symbol {@code i} (its name and index kept) as {@link #add} leaves a new one whose first tick is in
     * {@code minute}: no tick, no bar, no session; what its ring slots hold from before is out of its history.
     */
    void reopen(int i, long minute) {
        int c = i * CLOCK_FIELDS;
        Arrays.fill(clock, c, c + CLOCK_FIELDS, 0);
        Arrays.fill(live, i * LIVE_FIELDS, (i + 1) * LIVE_FIELDS, 0);
        clock[c + FIRST_MINUTE] = minute;
        clock[c + LIVE_MINUTE] = minute;
        clock[c + LAST_TS] = Long.MIN_VALUE;
        clock[c + SESSION] = Long.MIN_VALUE;
        clock[c + LIVE_EMPTY] = 1;
        live[i * LIVE_FIELDS + LAST] = Double.NaN;
    }

    /** Replaces the listener told of each completed bar. */
    void listener(BarListener listener) {
        this.listener = listener;
    }

    /** Applies a valid, not-late tick of minute {@code minute >= liveMinute(i)}. */
    void apply(int i, long ts, long minute, double price, double size, long stamp) {
        int c = i * CLOCK_FIELDS;
        clock[c + STAMP] = stamp;
        if (minute > clock[c + LIVE_MINUTE]) {
            rollTo(i, minute);
        }
        int b = i * LIVE_FIELDS;
        double[] l = live;
        if (clock[c + LIVE_EMPTY] != 0) {
            clock[c + LIVE_EMPTY] = 0;
            start(l, b + OPEN, price, size);
            l[b + CLOSE] = price;
        } else {
            extend(l, b + OPEN, price, size);
        }
        if (ts >= clock[c + LAST_TS]) {
            clock[c + LAST_TS] = ts;
            l[b + LAST] = price;
            l[b + CLOSE] = price;
        }
        long s = sessions.sessionStart(ts);
        if (s > clock[c + SESSION]) {
            clock[c + SESSION] = s;
            start(l, b + DAY_OPEN, price, size);
        } else if (s == clock[c + SESSION]) {
            extend(l, b + DAY_OPEN, price, size);
        }
    }

    /** Opens a run of open, high, low, volume, notional at {@code at} with one tick. */
    private static void start(double[] l, int at, double price, double size) {
        l[at + OPEN] = price;
        l[at + HIGH] = price;
        l[at + LOW] = price;
        l[at + VOLUME] = size;
        l[at + NOTIONAL] = price * size;
    }

    /** Adds one tick to the run of open, high, low, volume, notional at {@code at}. */
    private static void extend(double[] l, int at, double price, double size) {
        if (price > l[at + HIGH]) {
            l[at + HIGH] = price;
        }
        if (price < l[at + LOW]) {
            l[at + LOW] = price;
        }
        l[at + VOLUME] += size;
        l[at + NOTIONAL] += price * size;
    }

    /**
     * Completes the live bar and every quiet minute before {@code minute}, so that the live bar is
     * {@code minute}'s (flat until a tick opens it).
     */
    void rollTo(int i, long minute) {
        int c = i * CLOCK_FIELDS;
        int b = i * LIVE_FIELDS;
        double[] l = live;
        while (clock[c + LIVE_MINUTE] < minute) {
            long k = clock[c + LIVE_MINUTE];
            int slot = slot(k);
            double close = l[b + CLOSE];
            ringClose[slot][i] = close;
            ringOpen[slot][i] = l[b + OPEN];
            ringHigh[slot][i] = l[b + HIGH];
            ringLow[slot][i] = l[b + LOW];
            ringVolume[slot][i] = l[b + VOLUME];
            listener.barCompleted(i, close);
            clock[c + LIVE_MINUTE] = k + 1;
            clock[c + LIVE_EMPTY] = 1;
            l[b + OPEN] = close;
            l[b + HIGH] = close;
            l[b + LOW] = close;
            l[b + VOLUME] = 0;
            l[b + NOTIONAL] = 0;
        }
    }

    /** Ring slot of bar {@code k}. */
    int slot(long k) {
        return (int) Math.floorMod(k, (long) ring);
    }

    private void allocate(int capacity) {
        names = names == null ? new String[capacity] : Arrays.copyOf(names, capacity);
        live = live == null ? new double[capacity * LIVE_FIELDS] : Arrays.copyOf(live, capacity * LIVE_FIELDS);
        clock = clock == null ? new long[capacity * CLOCK_FIELDS] : Arrays.copyOf(clock, capacity * CLOCK_FIELDS);
        for (int s = 0; s < ring; s++) {
            ringClose[s] = grow(ringClose[s], capacity);
            ringOpen[s] = grow(ringOpen[s], capacity);
            ringHigh[s] = grow(ringHigh[s], capacity);
            ringLow[s] = grow(ringLow[s], capacity);
            ringVolume[s] = grow(ringVolume[s], capacity);
        }
    }

    /** Rebuilds the index table with room for twice {@code symbols}, and enters the known names. */
    private void index(int symbols) {
        int length = Integer.highestOneBit(2 * symbols - 1) << 1;
        slotNames = new String[length];
        slotHashes = new int[length];
        slotIndices = new int[length];
        shift = 32 - Integer.numberOfTrailingZeros(length);
        for (int i = 0; i < count; i++) {
            put(names[i], i);
        }
    }

    private void put(String name, int index) {
        int hash = name.hashCode();
        int mask = slotNames.length - 1;
        int slot = (hash * SPREAD) >>> shift;
        while (slotNames[slot] != null) {
            slot = (slot + 1) & mask;
        }
        slotNames[slot] = name;
        slotHashes[slot] = hash;
        slotIndices[slot] = index;
    }

    private static double[] grow(double[] a, int capacity) {
        return a == null ? new double[capacity] : Arrays.copyOf(a, capacity);
    }

    /** Heap bytes of the arrays that hold one symbol's state (its name and index table slots excluded). */
    long bytesPerSymbol() {
        return 8L * 5 * ring + 8L * LIVE_FIELDS + 8L * CLOCK_FIELDS;
    }
}
