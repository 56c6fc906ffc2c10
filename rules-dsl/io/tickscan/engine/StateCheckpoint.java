package io.tickscan.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The binary form of the state of some of an engine's symbols ({@link ScanEngine#exportState}), and its reading
 * back ({@link ScanEngine#importState}). Big-endian, as {@link DataOutputStream} writes it; a string is a
 * {@code u16} length and modified UTF-8 ({@link DataOutputStream#writeUTF}). Version 1:
 * <pre>
 * header    +--------+-----+---------+-----------+-------------------+----------+------------+-------+
 *           | "TSST" | u16 | i32     | utf       | i64               | i64      | i64        | i32   |
 *           | magic  | ver | history | zone id   | session start,    | last     | scan       | n     |
 *           |        | = 1 | minutes | "Z", ...  | nanos of the day  | scan     | minute     | syms  |
 *           +--------+-----+---------+-----------+-------------------+----------+------------+-------+
 * n symbols +------+-------+------+--------+---------+------+------+------------+-----+--------------------+
 *           | utf  | i64   | i64  | i64    | i64     | u8   | i64  | 12 x f64   | i32 | c bars, oldest     |
 *           | name | first | live | newest | session | live | stamp| live bar,  | c   | first: u8 tag, then|
 *           |      | minute| minute| tick ts| start  | empty|      | session,   |     | 1: o,h,l,c,v f64;  |
 *           |      |       |      |        |         |      |      | close, last|     | 0: flat (none)     |
 *           +------+-------+------+--------+---------+------+------+------------+-----+--------------------+
 * EMAs      i32 count, then each: i32 window, n x (i32 seen, f64 sum, f64 value)
 * RSIs      i32 count, then each: i32 window, n x (i32 changes, f64 previous close, f64 gain, f64 loss, f64 value)
 * crosses   i32 count, then each: utf key ("ema(9) crosses_above ema(21)"), i64 previous scan,
 *           n x (f64 left, f64 right) as of that scan; only their order counts, and a checkpoint
 *           writes them as 1 for the side that was above the other and 0 for the other (0, 0 when
 *           the crossing side was not above), NaN, NaN when a side was unknown
 * rules     i32 count, then each: utf id, i32 m, m x (i32 symbol ordinal, i64 last firing)
 * </pre>
 * The bars are the {@code c} newest complete ones, ending just before the live minute (at most the ring's length);
 * a flat bar (tag 0) is a quiet minute: open, high, low and close at the previous bar's close and no volume. The
 * live fields are, in order: the live bar's open, high, low, volume, notional; the session's open, high, low,
 * volume, notional; the live bar's close; the newest price. Indicators and crosses are keyed by window and by
 * text, not by slot, so that a checkpoint reads back into any rule set; a rule lists only the symbols it has fired
 * for (its cooldowns), by their ordinal among the {@code n} symbols.
 */
final class StateCheckpoint {
    static final int MAGIC = 0x54535354; // "TSST"
    static final int VERSION = 1;

    private StateCheckpoint() {
    }

    /** Writes the symbols {@code symbols} (indices, increasing) of an engine's state. */
    static byte[] write(EngineSettings settings, long lastScan, long scanMinute, SymbolStates states,
                        Indicators indicators, Node.Cross[] crosses, CompiledRule[] rules, int[] symbols) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + symbols.length * 512);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeInt(settings.historyMinutes());
            out.writeUTF(settings.sessionZone().getId());
            out.writeLong(settings.sessionStart().toNanoOfDay());
            out.writeLong(lastScan);
            out.writeLong(scanMinute);
            out.writeInt(symbols.length);
            for (int i : symbols) {
                writeSymbol(out, states, i);
            }
            out.writeInt(indicators.emas().length);
            for (Indicators.Ema ema : indicators.emas()) {
                out.writeInt(ema.window);
                for (int i : symbols) {
                    out.writeInt(ema.seen[i]);
                    out.writeDouble(ema.sum[i]);
                    out.writeDouble(ema.value[i]);
                }
            }
            out.writeInt(indicators.rsis().length);
            for (Indicators.Rsi rsi : indicators.rsis()) {
                out.writeInt(rsi.window);
                for (int i : symbols) {
                    out.writeInt(rsi.changes[i]);
                    out.writeDouble(rsi.previous[i]);
                    out.writeDouble(rsi.gain[i]);
                    out.writeDouble(rsi.loss[i]);
                    out.writeDouble(rsi.value[i]);
                }
            }
            out.writeInt(crosses.length);
            for (Node.Cross cross : crosses) {
                out.writeUTF(cross.key());
                out.writeLong(cross.previousScan);
                for (int i : symbols) {
                    out.writeDouble(cross.previousSide(i, true));
                    out.writeDouble(cross.previousSide(i, false));
                }
            }
            out.writeInt(rules.length);
            for (CompiledRule rule : rules) {
                out.writeUTF(rule.id());
                int fired = 0;
                for (int i : symbols) {
                    fired += rule.lastFired(i) != Long.MIN_VALUE ? 1 : 0;
                }
                out.writeInt(fired);
                for (int s = 0; s < symbols.length; s++) {
                    long t = rule.lastFired(symbols[s]);
                    if (t != Long.MIN_VALUE) {
                        out.writeInt(s);
                        out.writeLong(t);
                    }
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    private static void writeSymbol(DataOutputStream out, SymbolStates states, int i) throws IOException {
        out.writeUTF(states.name(i));
        int c = i * SymbolStates.CLOCK_FIELDS;
        long[] clock = states.clock;
        long live = clock[c + SymbolStates.LIVE_MINUTE];
        long first = Math.max(clock[c + SymbolStates.FIRST_MINUTE], live - states.ring());
        out.writeLong(clock[c + SymbolStates.FIRST_MINUTE]);
        out.writeLong(live);
        out.writeLong(clock[c + SymbolStates.LAST_TS]);
        out.writeLong(clock[c + SymbolStates.SESSION]);
        out.writeByte((int) clock[c + SymbolStates.LIVE_EMPTY]);
        out.writeLong(clock[c + SymbolStates.STAMP]);
        for (int f = 0; f < SymbolStates.LIVE_FIELDS; f++) {
            out.writeDouble(states.live[i * SymbolStates.LIVE_FIELDS + f]);
        }
        out.writeInt((int) (live - first));
        double previousClose = Double.NaN;
        for (long k = first; k < live; k++) {
            int s = states.slot(k);
            double open = states.ringOpen[s][i];
            double high = states.ringHigh[s][i];
            double low = states.ringLow[s][i];
            double close = states.ringClose[s][i];
            double volume = states.ringVolume[s][i];
            boolean flat = k > first && same(open, previousClose) && same(high, previousClose)
                    && same(low, previousClose) && same(close, previousClose) && same(volume, 0);
            out.writeByte(flat ? 0 : 1);
            if (!flat) {
                out.writeDouble(open);
                out.writeDouble(high);
                out.writeDouble(low);
                out.writeDouble(close);
                out.writeDouble(volume);
            }
            previousClose = close;
        }
    }

    private static boolean same(double a, double b) {
        return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
    }

    /** A checkpoint read whole, before anything of an engine changes. */
    static final class Decoded {
        int historyMinutes;
        String zone;
        LocalTime sessionStart;
        long lastScan;
        long scanMinute;
        String[] names;
        /** {@link SymbolStates#CLOCK_FIELDS} per symbol, in their order. */
        long[] clock;
        /** {@link SymbolStates#LIVE_FIELDS} per symbol. */
        double[] live;
        /** Per symbol: its bars, oldest first, five values each (open, high, low, close, volume). */
        double[][] bars;
        /** Per EMA window: seen, sum and value for each symbol. */
        final Map<Integer, int[]> emaSeen = new HashMap<>();
        final Map<Integer, double[][]> emaValues = new HashMap<>();
        /** Per RSI window: changes, and previous, gain, loss, value for each symbol. */
        final Map<Integer, int[]> rsiChanges = new HashMap<>();
        final Map<Integer, double[][]> rsiValues = new HashMap<>();
        /** Per cross key: its previous scan and each symbol's two sides. */
        final Map<String, Long> crossScans = new HashMap<>();
        final Map<String, double[][]> crossSides = new HashMap<>();
        /** Per rule id: each symbol's last firing. */
        final Map<String, long[]> lastFired = new HashMap<>();
    }

    /**
     * Reads a checkpoint whole.
     *
     * @throws IllegalArgumentException when it is not one, of another version, or cut short
     */
    /** The last scan a checkpoint's header gives; its body is not read. */
    static long lastScanOf(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != MAGIC || in.readUnsignedShort() != VERSION) {
                throw new IllegalArgumentException("not a tickscan state checkpoint of version " + VERSION);
            }
            in.readInt();
            in.readUTF();
            in.readLong();
            return in.readLong();
        } catch (IOException e) {
            throw new IllegalArgumentException("a truncated state checkpoint", e);
        }
    }

    static Decoded read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a tickscan state checkpoint");
            }
            int version = in.readUnsignedShort();
            if (version != VERSION) {
                throw new IllegalArgumentException("state checkpoint version " + version + ", this engine reads "
                        + VERSION);
            }
            Decoded d = new Decoded();
            d.historyMinutes = in.readInt();
            d.zone = in.readUTF();
            d.sessionStart = LocalTime.ofNanoOfDay(in.readLong());
            d.lastScan = in.readLong();
            d.scanMinute = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > bytes.length) {
                throw new IllegalArgumentException("state checkpoint with " + n + " symbols");
            }
            d.names = new String[n];
            d.clock = new long[n * SymbolStates.CLOCK_FIELDS];
            d.live = new double[n * SymbolStates.LIVE_FIELDS];
            d.bars = new double[n][];
            for (int s = 0; s < n; s++) {
                readSymbol(in, d, s);
            }
            for (int e = in.readInt(); e > 0; e--) {
                int window = in.readInt();
                int[] seen = new int[n];
                double[][] values = new double[2][n];
                for (int s = 0; s < n; s++) {
                    seen[s] = in.readInt();
                    values[0][s] = in.readDouble();
                    values[1][s] = in.readDouble();
                }
                d.emaSeen.put(window, seen);
                d.emaValues.put(window, values);
            }
            for (int r = in.readInt(); r > 0; r--) {
                int window = in.readInt();
                int[] changes = new int[n];
                double[][] values = new double[4][n];
                for (int s = 0; s < n; s++) {
                    changes[s] = in.readInt();
                    for (int f = 0; f < 4; f++) {
                        values[f][s] = in.readDouble();
                    }
                }
                d.rsiChanges.put(window, changes);
                d.rsiValues.put(window, values);
            }
            for (int x = in.readInt(); x > 0; x--) {
                String key = in.readUTF();
                d.crossScans.put(key, in.readLong());
                double[][] sides = new double[2][n];
                for (int s = 0; s < n; s++) {
                    sides[0][s] = in.readDouble();
                    sides[1][s] = in.readDouble();
                }
                d.crossSides.put(key, sides);
            }
            for (int r = in.readInt(); r > 0; r--) {
                String id = in.readUTF();
                long[] fired = new long[n];
                Arrays.fill(fired, Long.MIN_VALUE);
                for (int m = in.readInt(); m > 0; m--) {
                    int s = in.readInt();
                    if (s < 0 || s >= n) {
                        throw new IllegalArgumentException("rule '" + id + "' fired for symbol ordinal " + s
                                + " of " + n);
                    }
                    fired[s] = in.readLong();
                }
                d.lastFired.put(id, fired);
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " bytes after the end of a state checkpoint");
            }
            return d;
        } catch (IOException e) {
            throw new IllegalArgumentException("state checkpoint cut short or corrupt: " + e, e);
        }
    }

    private static void readSymbol(DataInputStream in, Decoded d, int s) throws IOException {
        d.names[s] = in.readUTF();
        int c = s * SymbolStates.CLOCK_FIELDS;
        d.clock[c + SymbolStates.FIRST_MINUTE] = in.readLong();
        d.clock[c + SymbolStates.LIVE_MINUTE] = in.readLong();
        d.clock[c + SymbolStates.LAST_TS] = in.readLong();
        d.clock[c + SymbolStates.SESSION] = in.readLong();
        d.clock[c + SymbolStates.LIVE_EMPTY] = in.readUnsignedByte();
        d.clock[c + SymbolStates.STAMP] = in.readLong();
        for (int f = 0; f < SymbolStates.LIVE_FIELDS; f++) {
            d.live[s * SymbolStates.LIVE_FIELDS + f] = in.readDouble();
        }
        int count = in.readInt();
        if (count < 0 || count > 100_002) {
            throw new IllegalArgumentException("symbol '" + d.names[s] + "' with " + count + " bars");
        }
        double[] bars = new double[count * 5];
        for (int k = 0; k < count; k++) {
            int tag = in.readUnsignedByte();
            if (tag == 0 && k > 0) {
                double close = bars[(k - 1) * 5 + 3];
                bars[k * 5] = close;
                bars[k * 5 + 1] = close;
                bars[k * 5 + 2] = close;
                bars[k * 5 + 3] = close;
            } else if (tag == 1) {
                for (int f = 0; f < 5; f++) {
                    bars[k * 5 + f] = in.readDouble();
                }
            } else {
                throw new IllegalArgumentException("symbol '" + d.names[s] + "': bar tag " + tag);
            }
        }
        d.bars[s] = bars;
    }

    /**
     * Writes symbol {@code s} of {@code d} into index {@code i} of {@code states}: its clock, live bar, session
     * stats (dropped when {@code sameSessions} is false: the checkpoint's sessions are another calendar's) and as
     * many of its newest bars as the ring holds, its first minute moved up past the bars it does not get.
     */
    static void restoreSymbol(Decoded d, int s, SymbolStates states, int i, boolean sameSessions) {
        int from = s * SymbolStates.CLOCK_FIELDS;
        int c = i * SymbolStates.CLOCK_FIELDS;
        System.arraycopy(d.clock, from, states.clock, c, SymbolStates.CLOCK_FIELDS);
        System.arraycopy(d.live, s * SymbolStates.LIVE_FIELDS, states.live, i * SymbolStates.LIVE_FIELDS,
                SymbolStates.LIVE_FIELDS);
        if (!sameSessions) {
            states.clock[c + SymbolStates.SESSION] = Long.MIN_VALUE;
        }
        double[] bars = d.bars[s];
        int count = bars.length / 5;
        int kept = Math.min(count, states.ring());
        long live = states.clock[c + SymbolStates.LIVE_MINUTE];
        states.clock[c + SymbolStates.FIRST_MINUTE] = Math.max(states.clock[c + SymbolStates.FIRST_MINUTE],
                live - kept);
        for (int k = count - kept; k < count; k++) {
            int slot = states.slot(live - count + k);
            states.ringOpen[slot][i] = bars[k * 5];
            states.ringHigh[slot][i] = bars[k * 5 + 1];
            states.ringLow[slot][i] = bars[k * 5 + 2];
            states.ringClose[slot][i] = bars[k * 5 + 3];
            states.ringVolume[slot][i] = bars[k * 5 + 4];
        }
    }

    /**
     * Sets the indicators {@code d} has for the symbols it restored ({@code index[s]}, -1 for one not restored),
     * and warms the others up from the restored bars.
     */
    static void restoreIndicators(Decoded d, int[] index, Indicators indicators, SymbolStates states) {
        for (Indicators.Ema ema : indicators.emas()) {
            int[] seen = d.emaSeen.get(ema.window);
            if (seen != null) {
                double[][] values = d.emaValues.get(ema.window);
                for (int s = 0; s < index.length; s++) {
                    int i = index[s];
                    if (i >= 0) {
                        ema.seen[i] = seen[s];
                        ema.sum[i] = values[0][s];
                        ema.value[i] = values[1][s];
                    }
                }
            }
        }
        for (Indicators.Rsi rsi : indicators.rsis()) {
            int[] changes = d.rsiChanges.get(rsi.window);
            if (changes != null) {
                double[][] values = d.rsiValues.get(rsi.window);
                for (int s = 0; s < index.length; s++) {
                    int i = index[s];
                    if (i >= 0) {
                        rsi.changes[i] = changes[s];
                        rsi.previous[i] = values[0][s];
                        rsi.gain[i] = values[1][s];
                        rsi.loss[i] = values[2][s];
                        rsi.value[i] = values[3][s];
                    }
                }
            }
        }
        Indicators missing = indicators.only(w -> !d.emaSeen.containsKey(w), w -> !d.rsiChanges.containsKey(w));
        for (int i : index) {
            if (i >= 0) {
                missing.reset(i);
                missing.warm(states, i, Long.MAX_VALUE);
            }
        }
    }

    /**
     * Gives each cross the checkpoint has the previous values of the restored symbols, when they are of the scan
     * its others are of (a cross that has not run yet takes the checkpoint's scan); else they stay unknown.
     */
    static void restoreCrosses(Decoded d, int[] index, Node.Cross[] crosses) {
        for (Node.Cross cross : crosses) {
            double[][] sides = d.crossSides.get(cross.key());
            if (sides == null) {
                continue;
            }
            long at = d.crossScans.get(cross.key());
            if (cross.previousScan == Long.MIN_VALUE) {
                cross.previousScan = at;
            }
            boolean current = cross.previousScan == at;
            for (int s = 0; s < index.length; s++) {
                int i = index[s];
                if (i >= 0) {
                    if (current) {
                        cross.restorePrevious(i, sides[0][s], sides[1][s]);
                    } else {
                        cross.forget(i);
                    }
                }
            }
        }
    }

    /** Gives each rule the checkpoint has by id its cooldowns for the restored symbols. */
    static void restoreCooldowns(Decoded d, int[] index, CompiledRule[] rules) {
        for (CompiledRule rule : rules) {
            long[] fired = d.lastFired.get(rule.id());
            if (fired != null) {
                for (int s = 0; s < index.length; s++) {
                    if (index[s] >= 0) {
                        rule.lastFired(index[s], fired[s]);
                    }
                }
            }
        }
    }
}
