package io.tickscan.ingest.csv;

import io.tickscan.engine.TickRejectReason;
import io.tickscan.rules.Symbols;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads ticks from CSV with a header, in either layout of the spec: {@code ts,symbol,price,size}, or
 * {@code timestamp,price,amount} for one symbol named by the caller. Rows are handed on in file order; a row that
 * cannot be read is reported with its reason and line and never stops the reading.
 *
 * <p>Parsing works on bytes: a row allocates nothing when its symbol was seen recently, its numbers have at most 18
 * significant digits and its timestamp is a number or an ISO-8601 date-time of the usual shape, so a file reads at
 * memory speed. Fields are not quoted; blank lines are skipped; CRLF is accepted.
 */
public final class TickCsvReader {

    /** The two header layouts. */
    public enum Layout {
        /** {@code ts,symbol,price,size}. */
        TS_SYMBOL_PRICE_SIZE("ts,symbol,price,size", 4),
        /** {@code timestamp,price,amount}: one symbol, named on the command line. */
        TIMESTAMP_PRICE_AMOUNT("timestamp,price,amount", 3);

        private final String header;
        private final int fields;

        Layout(String header, int fields) {
            this.header = header;
            this.fields = fields;
        }

        /** The header line of this layout. */
        public String header() {
            return header;
        }
    }

    /** Receives what the reader finds, row by row. */
    public interface Sink {
        /** A row whose fields are valid ticks per the spec. */
        void tick(String symbol, long ts, double price, double size);

        /** A row refused, with its 1-based line number and the offending text. */
        void reject(TickRejectReason reason, long line, String detail);
    }

    /** A file that is not tick CSV at all: no header or an unknown one. */
    public static final class FormatException extends Exception {
        /** @param message what is wrong, naming the line */
        public FormatException(String message) {
            super(message);
        }
    }

    private static final int BUFFER = 1 << 16;
    private static final double[] DPOW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private final InputStream in;
    private final String fixedSymbol;
    private final Sink sink;
    private final SymbolCache symbols = new SymbolCache();
    private final int[] fieldStart = new int[8];
    private final int[] fieldEnd = new int[8];
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int lineEnd;
    private int limit;
    private boolean eof;
    private long line;
    private long rows;
    private long bytesRead;
    private Layout layout;

    /**
     * @param in          the CSV bytes (UTF-8)
     * @param fixedSymbol the symbol of a {@code timestamp,price,amount} file, or null
     * @param sink        receives ticks and rejects
     */
    public TickCsvReader(InputStream in, String fixedSymbol, Sink sink) {
        this.in = in;
        this.fixedSymbol = fixedSymbol;
        this.sink = sink;
    }

    /**
     * Reads the header line.
     *
     * @throws FormatException when it is missing or names neither layout
     */
    public Layout readHeader() throws IOException, FormatException {
        skipByteOrderMark();
        int end;
        while ((end = nextLine()) == pos) {
            pos = lineEnd;
        }
        if (end < 0) {
            throw new FormatException("line 1: the file is empty; expected a header: "
                    + Layout.TS_SYMBOL_PRICE_SIZE.header + " or " + Layout.TIMESTAMP_PRICE_AMOUNT.header);
        }
        int start = pos;
        String header = new String(buf, start, end - start, StandardCharsets.UTF_8).replace(" ", "")
                .toLowerCase(Locale.ROOT);
        pos = lineEnd;
        for (Layout candidate : Layout.values()) {
            if (candidate.header.equals(header)) {
                layout = candidate;
                return candidate;
            }
        }
        throw new FormatException("line " + line + ": unknown header '" + abbreviate(header) + "'; expected "
                + Layout.TS_SYMBOL_PRICE_SIZE.header + " or " + Layout.TIMESTAMP_PRICE_AMOUNT.header);
    }

    private void skipByteOrderMark() throws IOException {
        while (limit - pos < 3 && !eof) {
            fill();
        }
        if (limit - pos >= 3 && (buf[pos] & 0xff) == 0xEF && (buf[pos + 1] & 0xff) == 0xBB
                && (buf[pos + 2] & 0xff) == 0xBF) {
            pos += 3;
            bytesRead += 3;
        }
    }

    /**
     * A reader of single {@code ts,symbol,price,size} rows handed over one at a time with {@link #readRow}, without
     * a header: the values of Kafka records.
     */
    public static TickCsvReader ofRows(Sink sink) {
        TickCsvReader reader = new TickCsvReader(InputStream.nullInputStream(), null, sink);
        reader.layout = Layout.TS_SYMBOL_PRICE_SIZE;
        return reader;
    }

    /**
     * Reads one {@code ts,symbol,price,size} row (a trailing line break is allowed) and hands it to the sink as a
     * tick or a reject; an empty row is malformed. Only for a reader made by {@link #ofRows}.
     */
    public void readRow(byte[] row) {
        line++;
        rows++;
        buf = row;
        int end = row.length;
        while (end > 0 && (row[end - 1] == '\n' || row[end - 1] == '\r')) {
            end--;
        }
        if (end == 0) {
            sink.reject(TickRejectReason.MALFORMED, line, "an empty row");
            return;
        }
        row(0, end);
    }

    /** Reads every row after the header, handing each to the sink. */
    public void readRows() throws IOException {
        while (readRows(Integer.MAX_VALUE)) {
            continue;
        }
    }

    /**
     * Reads up to {@code maxRows} more rows, handing each to the sink.
     *
     * @return false once the end of the input is reached
     */
    public boolean readRows(int maxRows) throws IOException {
        int end;
        int read = 0;
        while (read < maxRows) {
            if ((end = nextLine()) < 0) {
                return false;
            }
            if (end > pos) {
                rows++;
                read++;
                row(pos, end);
            }
            pos = lineEnd;
        }
        return true;
    }

    /** Rows read so far (blank lines and the header excluded). */
    public long rows() {
        return rows;
    }

    /** Number of the line read last (1-based, header and blank lines included). */
    public long line() {
        return line;
    }

    /** Bytes consumed so far. */
    public long bytesRead() {
        return bytesRead;
    }

    private void row(int start, int end) {
        int fields = split(start, end);
        if (fields != layout.fields) {
            sink.reject(TickRejectReason.MALFORMED, line, "expected " + layout.fields + " fields, found " + fields
                    + ": " + text(start, end));
            return;
        }
        boolean wide = layout == Layout.TS_SYMBOL_PRICE_SIZE;
        String symbol = wide ? symbols.get(buf, fieldStart[1], fieldEnd[1]) : fixedSymbol;
        if (symbol == null) {
            sink.reject(TickRejectReason.BAD_SYMBOL, line, text(fieldStart[1], fieldEnd[1]));
            return;
        }
        long ts = timestamp(fieldStart[0], fieldEnd[0]);
        if (ts < 0) {
            sink.reject(TickRejectReason.BAD_TS, line, text(fieldStart[0], fieldEnd[0]));
            return;
        }
        int p = wide ? 2 : 1;
        double price = number(fieldStart[p], fieldEnd[p]);
        double size = number(fieldStart[p + 1], fieldEnd[p + 1]);
        TickRejectReason reason = TickRejectReason.check(symbol, ts, price, size);
        if (reason != null) {
            int field = reason == TickRejectReason.BAD_PRICE ? p : reason == TickRejectReason.BAD_SIZE ? p + 1 : 1;
            sink.reject(reason, line, text(fieldStart[field], fieldEnd[field]));
            return;
        }
        sink.tick(symbol, ts, price, size);
    }

    private int split(int start, int end) {
        int n = 0;
        int from = start;
        for (int i = start; i <= end; i++) {
            if (i == end || buf[i] == ',') {
                if (n < fieldStart.length) {
                    fieldStart[n] = from;
                    fieldEnd[n] = trimEnd(from, i);
                    fieldStart[n] = trimStart(from, fieldEnd[n]);
                }
                n++;
                from = i + 1;
            }
        }
        return n;
    }

    private int trimStart(int from, int to) {
        while (from < to && buf[from] == ' ') {
            from++;
        }
        return from;
    }

    private int trimEnd(int from, int to) {
        while (to > from && buf[to - 1] == ' ') {
            to--;
        }
        return to;
    }

    /**
     * Epoch milliseconds from a whole number (milliseconds from 100,000,000,000 on, else seconds), seconds with
     * a fraction (rounded to the nearest millisecond) or ISO-8601 (UTC when it has no offset); -1 when none. The
     * usual forms are read on the bytes; others, such as an exponent, by {@link Timestamps#parse}.
     */
    private long timestamp(int start, int end) {
        long whole = 0;
        int i = start;
        while (i < end && buf[i] >= '0' && buf[i] <= '9' && i - start < 18) {
            whole = whole * 10 + (buf[i] - '0');
            i++;
        }
        if (i == end && i > start) {
            return wholeNumber(whole);
        }
        if (i > start && i < end && buf[i] == '.' && i - start <= 12) {
            long ms = 0;
            int digits = 0;
            boolean roundUp = false;
            boolean zero = true;
            int j = i + 1;
            for (; j < end && buf[j] >= '0' && buf[j] <= '9'; j++) {
                int d = buf[j] - '0';
                zero &= d == 0;
                if (digits < 3) {
                    ms = ms * 10 + d;
                } else if (digits == 3) {
                    roundUp = d >= 5;
                }
                digits++;
            }
            if (j == end) {
                if (zero) {
                    return wholeNumber(whole);
                }
                for (int d = digits; d < 3; d++) {
                    ms *= 10;
                }
                return whole * 1000 + ms + (roundUp ? 1 : 0);
            }
        }
        long iso = Timestamps.iso(buf, start, end);
        return iso != Timestamps.OTHER_SHAPE ? iso : Timestamps.parse(text(start, end));
    }

    /** A whole number of at least 100,000,000,000 is epoch milliseconds, any other epoch seconds. */
    private static long wholeNumber(long whole) {
        return whole >= Timestamps.MILLIS_FROM ? whole : whole * 1000;
    }

    /**
     * A decimal number with an optional sign, fraction and exponent ({@code -1.5}, {@code .5}, {@code 5.},
     * {@code 2e-3}); NaN when the field is not one. Up to 18 significant digits and a power of ten within 22 are
     * computed exactly in one correctly rounded operation; longer numbers go through {@link Double#parseDouble}.
     */
    private double number(int start, int end) {
        int i = start;
        boolean negative = i < end && buf[i] == '-';
        if (i < end && (buf[i] == '-' || buf[i] == '+')) {
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int scale = 0;
        int digits = 0;
        boolean dot = false;
        boolean exact = true;
        for (; i < end; i++) {
            byte b = buf[i];
            if (b >= '0' && b <= '9') {
                digits++;
                if (significant < 18) {
                    mantissa = mantissa * 10 + (b - '0');
                    if (mantissa != 0) {
                        significant++;
                    }
                    if (dot) {
                        scale++;
                    }
                } else {
                    exact = false;
                }
            } else if (b == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        int exponent = 0;
        if (i < end && (buf[i] == 'e' || buf[i] == 'E')) {
            i++;
            boolean negativeExponent = i < end && buf[i] == '-';
            if (i < end && (buf[i] == '-' || buf[i] == '+')) {
                i++;
            }
            int first = i;
            for (; i < end && buf[i] >= '0' && buf[i] <= '9'; i++) {
                if (exponent < 100_000) {
                    exponent = exponent * 10 + (buf[i] - '0');
                }
            }
            if (i == first) {
                return Double.NaN;
            }
            exponent = negativeExponent ? -exponent : exponent;
        }
        if (i != end) {
            return Double.NaN;
        }
        int power = exponent - scale;
        if (exact && mantissa < (1L << 53) && power > -DPOW10.length && power < DPOW10.length) {
            double v = power < 0 ? mantissa / DPOW10[-power] : mantissa * DPOW10[power];
            return negative ? -v : v;
        }
        return Double.parseDouble(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
    }

    /**
     * Finds the next line, which starts at {@code pos}: returns the end of its content (before LF or CRLF) and
     * sets {@code lineEnd} past its terminator; -1 at the end of input.
     */
    private int nextLine() throws IOException {
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    return endLine(i, i + 1);
                }
            }
            if (eof) {
                return pos < limit ? endLine(limit, limit) : -1;
            }
            fill();
        }
    }

    private int endLine(int end, int next) {
        line++;
        bytesRead += next - pos;
        lineEnd = next;
        return end > pos && buf[end - 1] == '\r' ? end - 1 : end;
    }

    private void fill() throws IOException {
        int remaining = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, remaining);
        } else if (remaining >= buf.length - 1) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        pos = 0;
        limit = remaining;
        int n = in.read(buf, limit, buf.length - 1 - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private String text(int start, int end) {
        return abbreviate(new String(buf, start, end - start, StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /**
     * Valid symbols by their bytes, so that a row whose symbol was seen recently allocates nothing. Direct-mapped:
     * a collision only costs a new String.
     */
    private static final class SymbolCache {
        private final byte[][] keys = new byte[4096][];
        private final String[] values = new String[4096];

        String get(byte[] buf, int start, int end) {
            int h = 1;
            for (int i = start; i < end; i++) {
                h = 31 * h + buf[i];
            }
            int slot = (h ^ (h >>> 16)) & (keys.length - 1);
            byte[] key = keys[slot];
            if (key != null && Arrays.equals(key, 0, key.length, buf, start, end)) {
                return values[slot];
            }
            if (end - start > Symbols.MAX_LENGTH || end == start) {
                return null;
            }
            for (int i = start; i < end; i++) {
                if (!Symbols.isSymbolChar(buf[i])) {
                    return null;
                }
            }
            String symbol = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
            keys[slot] = Arrays.copyOfRange(buf, start, end);
            values[slot] = symbol;
            return symbol;
        }
    }
}
