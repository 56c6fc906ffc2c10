package io.tickscan.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of {@link Alert}. Locally the message itself is delivered; across nodes it is written as
 * (every string a UTF-8 run prefixed by its int32 byte length):
 * <pre>
 * +----------+---------+-----------+--------+-------+---------+-------------+--------------------------+
 * | alertId  | ruleId  | ruleName  | symbol | ts    | price   | metrics m   | m times: name | value f64 |
 * | string   | string  | string    | string | int64 | f64     | int32       |  string        |           |
 * +----------+---------+-----------+--------+-------+---------+-------------+--------------------------+
 * </pre>
 */
public final class AlertCodec extends PassThroughCodec<Alert> {
    /** The codec's name on the event bus. */
    public static final String NAME = "tickscan.Alert";

    /** The codec, named {@link #NAME}. */
    public AlertCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, Alert alert) {
        string(buffer, alert.alertId());
        string(buffer, alert.ruleId());
        string(buffer, alert.ruleName());
        string(buffer, alert.symbol());
        buffer.appendLong(alert.ts()).appendDouble(alert.price());
        buffer.appendInt(alert.metricNames().size());
        for (int i = 0; i < alert.metricNames().size(); i++) {
            string(buffer, alert.metricNames().get(i));
            buffer.appendDouble(alert.metricValues()[i]);
        }
    }

    @Override
    public Alert decodeFromWire(int pos, Buffer buffer) {
        int[] at = {pos};
        String alertId = string(buffer, at);
        String ruleId = string(buffer, at);
        String ruleName = string(buffer, at);
        String symbol = string(buffer, at);
        long ts = buffer.getLong(at[0]);
        double price = buffer.getDouble(at[0] + 8);
        int m = buffer.getInt(at[0] + 16);
        at[0] += 20;
        List<String> names = new ArrayList<>(m);
        double[] values = new double[m];
        for (int i = 0; i < m; i++) {
            names.add(string(buffer, at));
            values[i] = buffer.getDouble(at[0]);
            at[0] += 8;
        }
        return new Alert(alertId, ruleId, ruleName, symbol, ts, price, List.copyOf(names), values);
    }

    private static void string(Buffer buffer, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buffer.appendInt(bytes.length).appendBytes(bytes);
    }

    private static String string(Buffer buffer, int[] at) {
        int length = buffer.getInt(at[0]);
        String s = buffer.getString(at[0] + 4, at[0] + 4 + length, StandardCharsets.UTF_8.name());
        at[0] += 4 + length;
        return s;
    }
}
