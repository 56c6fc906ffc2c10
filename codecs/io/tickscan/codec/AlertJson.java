package io.tickscan.codec;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The JSON form of an alert, as {@code replay} writes it one a line. */
public final class AlertJson {
    private AlertJson() {
    }

    /**
     * {@code {alert_id, rule_id, rule_name, symbol, ts, price, metrics}}; a metric that is undefined, or infinite
     * after a sum overflowed, is null, since JSON has no other way to say it.
     */
    public static JsonObject of(Alert alert) {
        JsonObject metrics = new JsonObject();
        for (int i = 0; i < alert.metricNames().size(); i++) {
            double v = alert.metricValues()[i];
            metrics.put(alert.metricNames().get(i), Double.isFinite(v) ? v : null);
        }
        return new JsonObject()
                .put("alert_id", alert.alertId())
                .put("rule_id", alert.ruleId())
                .put("rule_name", alert.ruleName())
                .put("symbol", alert.symbol())
                .put("ts", alert.ts())
                .put("price", alert.price())
                .put("metrics", metrics);
    }

    /** The alert of its JSON form {@link #of}; a null metric is NaN. */
    public static Alert parse(JsonObject json) {
        JsonObject metrics = json.getJsonObject("metrics", new JsonObject());
        List<String> names = new ArrayList<>(metrics.fieldNames());
        double[] values = new double[names.size()];
        for (int i = 0; i < values.length; i++) {
            Number v = metrics.getNumber(names.get(i));
            values[i] = v == null ? Double.NaN : v.doubleValue();
        }
        return new Alert(json.getString("alert_id"), json.getString("rule_id"), json.getString("rule_name"),
                json.getString("symbol"), json.getLong("ts"), json.getDouble("price"), List.copyOf(names), values);
    }
}
