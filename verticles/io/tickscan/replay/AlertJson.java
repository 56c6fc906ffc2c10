package io.tickscan.replay;

import io.tickscan.engine.Alert;
import io.vertx.core.json.JsonObject;

/** The JSON form of an alert, as {@code replay} writes it one a line. */
public final class AlertJson {
    private AlertJson() {
    }

    /** {@code {alert_id, rule_id, rule_name, symbol, ts, price, metrics}}, undefined metrics as null. */
    public static JsonObject of(Alert alert) {
        JsonObject metrics = new JsonObject();
        for (int i = 0; i < alert.metricNames().size(); i++) {
            double v = alert.metricValues()[i];
            metrics.put(alert.metricNames().get(i), Double.isNaN(v) ? null : v);
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
}
