package io.tickscan.ingest;

import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the tick of one Kafka record in the format of {@code sources.kafka.format}, handing it to a sink as a valid
 * tick or a reject with its reason. The record key is the symbol when the value has none.
 *
 * <p>The binary layout, big-endian, 24 bytes with the symbol taken from the key, or 25 + n with the symbol inline:
 * <pre>
 *  offset 0        8          16         24        25
 *         +--------+----------+----------+---------+-----------------+
 *         | ts     | price    | size     | n       | symbol          |
 *         | int64  | float64  | float64  | uint8   | n bytes, UTF-8  |
 *         | epoch  | IEEE 754 | IEEE 754 | 1..255  |                 |
 *         | ms     |          |          |         |                 |
 *         +--------+----------+----------+---------+-----------------+
 *         |<------- always ------------>|<-- optional: else the key -->|
 * </pre>
 * Any other length is {@code malformed}.
 */
final class KafkaTickDecoder {
    /** The bytes of a binary value without an inline symbol. */
    static final int BINARY_FIXED = 24;

    /** The record value formats. */
    enum Format {
        /** {@code {"symbol","ts","price","size"}}. */
        JSON,
        /** {@code ts,symbol,price,size}. */
        CSV,
        /** The layout drawn on {@link KafkaTickDecoder}. */
        BINARY;

        /** The format named {@code name} in the configuration ({@code json}, {@code csv}, {@code binary}). */
        static Format of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final Format format;
    private final TickCsvReader.Sink sink;
    private final TickCsvReader csv;

    KafkaTickDecoder(Format format, TickCsvReader.Sink sink) {
        this.format = format;
        this.sink = sink;
        this.csv = format == Format.CSV ? TickCsvReader.ofRows(sink) : null;
    }

    /**
     * Hands the tick of one record to the sink, or the reason it is refused.
     *
     * @param key    the record key (the symbol), or null
     * @param value  the record value, or null
     * @param offset the record's offset, reported with a reject
     */
    void decode(String key, byte[] value, long offset) {
        if (value == null || value.length == 0) {
            sink.reject(TickRejectReason.MALFORMED, offset, "a record without a value");
            return;
        }
        switch (format) {
            case JSON -> JsonTicks.read(new String(value, StandardCharsets.UTF_8), key, offset, sink);
            case CSV -> csv.readRow(value);
            case BINARY -> binary(key, value, offset);
        }
    }

    private void binary(String key, byte[] value, long offset) {
        String symbol;
        if (value.length == BINARY_FIXED) {
            symbol = key;
        } else if (value.length > BINARY_FIXED + 1 && value.length == BINARY_FIXED + 1 + (value[BINARY_FIXED] & 0xff)) {
            symbol = new String(value, BINARY_FIXED + 1, value.length - BINARY_FIXED - 1, StandardCharsets.UTF_8);
        } else {
            sink.reject(TickRejectReason.MALFORMED, offset, "a binary value of " + value.length + " bytes; expected "
                    + BINARY_FIXED + ", or " + (BINARY_FIXED + 1) + " + the inline symbol's length");
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(value);
        long ts = bytes.getLong(0);
        double price = bytes.getDouble(8);
        double size = bytes.getDouble(16);
        TickRejectReason reason = TickRejectReason.check(symbol == null ? "" : symbol, ts, price, size);
        if (reason != null) {
            sink.reject(reason, offset, symbol + "," + ts + "," + price + "," + size);
        } else {
            sink.tick(symbol, ts, price, size);
        }
    }
}
