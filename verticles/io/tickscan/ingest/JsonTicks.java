package io.tickscan.ingest;

import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import io.tickscan.ingest.csv.Timestamps;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Reads one tick from a JSON object's text, {@code {"symbol": "AAPL", "ts": 1700000000000, "price": 189.5,
 * "size": 100}} with {@code ts} in any form of the spec: a line of posted NDJSON or a Kafka record's value.
 */
final class JsonTicks {
    private JsonTicks() {
    }

    /**
     * Hands the tick of {@code text} to the sink, or its first reject reason.
     *
     * @param symbolIfAbsent the symbol when the object has none (a Kafka record's key), or null
     * @param line           the number reported with a reject
     */
    static void read(String text, String symbolIfAbsent, long line, TickCsvReader.Sink sink) {
        JsonObject row;
        try {
            row = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            sink.reject(TickRejectReason.MALFORMED, line, "not a JSON object: " + text);
            return;
        }
        Object symbol = row.getValue("symbol", symbolIfAbsent);
        Object ts = row.getValue("ts");
        Object price = row.getValue("price");
        Object size = row.getValue("size");
        if (!(symbol instanceof String s)) {
            sink.reject(TickRejectReason.BAD_SYMBOL, line, "symbol: " + symbol);
        } else if (ts == null || (!(ts instanceof Number) && !(ts instanceof String))) {
            sink.reject(TickRejectReason.BAD_TS, line, "ts: " + ts);
        } else if (!(price instanceof Number p)) {
            sink.reject(TickRejectReason.BAD_PRICE, line, "price: " + price);
        } else if (!(size instanceof Number z)) {
            sink.reject(TickRejectReason.BAD_SIZE, line, "size: " + size);
        } else {
            long millis = Timestamps.parse(ts.toString());
            TickRejectReason reason = TickRejectReason.check(s, millis, p.doubleValue(), z.doubleValue());
            if (reason != null) {
                sink.reject(reason, line, s + "," + ts + "," + price + "," + size);
            } else {
                sink.tick(s, millis, p.doubleValue(), z.doubleValue());
            }
        }
    }
}
