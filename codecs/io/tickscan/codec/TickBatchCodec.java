package io.tickscan.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Binary codec of {@link TickBatch}. Locally the batch itself is delivered; across nodes it is written as:
 * <pre>
 * +-----------+-----------+-----------+---------+------------------------------------------------------------+
 * | partition | arrivedAt | count n   | origins | n times:                                                   |
 * | int32     | int64     | int32     | uint8   | symbolLength uint8 | symbol ASCII | ts int64 | price f64 | size f64 |
 * |           |           |           | 0, 1, 2 | [origin int64, when origins is 1 or 2]                     |
 * |           |           |           |         | [previous int64, when origins is 2]                        |
 * +-----------+-----------+-----------+---------+------------------------------------------------------------+
 * </pre>
 * Symbols are at most 32 ASCII characters (validated at ingest), so one byte holds their length.
 */
public final class TickBatchCodec extends PassThroughCodec<TickBatch> {
    /** The codec's name on the event bus. */
    public static final String NAME = "tickscan.TickBatch";

    /** The codec, named {@link #NAME}. */
    public TickBatchCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, TickBatch batch) {
        boolean origins = batch.origins() != null;
        boolean previous = batch.previous() != null;
        buffer.appendInt(batch.partition()).appendLong(batch.arrivedAt()).appendInt(batch.size())
                .appendUnsignedByte((short) (previous ? 2 : origins ? 1 : 0));
        for (int i = 0; i < batch.size(); i++) {
            byte[] symbol = batch.symbols()[i].getBytes(StandardCharsets.US_ASCII);
            buffer.appendUnsignedByte((short) symbol.length).appendBytes(symbol)
                    .appendLong(batch.timestamps()[i]).appendDouble(batch.prices()[i]).appendDouble(batch.sizes()[i]);
            if (origins) {
                buffer.appendLong(batch.origins()[i]);
            }
            if (previous) {
                buffer.appendLong(batch.previous()[i]);
            }
        }
    }

    @Override
    public TickBatch decodeFromWire(int pos, Buffer buffer) {
        int partition = buffer.getInt(pos);
        long arrivedAt = buffer.getLong(pos + 4);
        int n = buffer.getInt(pos + 12);
        short kind = buffer.getUnsignedByte(pos + 16);
        boolean hasOrigins = kind >= 1;
        boolean hasPrevious = kind == 2;
        int at = pos + 17;
        long[] origins = hasOrigins ? new long[n] : null;
        long[] previous = hasPrevious ? new long[n] : null;
        String[] symbols = new String[n];
        long[] timestamps = new long[n];
        double[] prices = new double[n];
        double[] sizes = new double[n];
        for (int i = 0; i < n; i++) {
            int length = buffer.getUnsignedByte(at);
            symbols[i] = buffer.getString(at + 1, at + 1 + length, StandardCharsets.US_ASCII.name());
            at += 1 + length;
            timestamps[i] = buffer.getLong(at);
            prices[i] = buffer.getDouble(at + 8);
            sizes[i] = buffer.getDouble(at + 16);
            at += 24;
            if (hasOrigins) {
                origins[i] = buffer.getLong(at);
                at += 8;
            }
            if (hasPrevious) {
                previous[i] = buffer.getLong(at);
                at += 8;
            }
        }
        return new TickBatch(partition, arrivedAt, symbols, timestamps, prices, sizes, origins, previous);
    }
}
