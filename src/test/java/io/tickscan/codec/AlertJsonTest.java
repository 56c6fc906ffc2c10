package io.tickscan.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlertJsonTest {
    @Test
    void undefinedAndOverflowedMetricsAreNullAndTheFieldsKeepTheSpecsOrder() {
        Alert alert = new Alert("r:A:1000", "r", "Rule", "A", 1000, 10.5, List.of("last", "vwap", "day_volume"),
                new double[] {10.5, Double.NaN, Double.POSITIVE_INFINITY});
        assertThat(AlertJson.of(alert).encode()).isEqualTo("{\"alert_id\":\"r:A:1000\",\"rule_id\":\"r\","
                + "\"rule_name\":\"Rule\",\"symbol\":\"A\",\"ts\":1000,\"price\":10.5,"
                + "\"metrics\":{\"last\":10.5,\"vwap\":null,\"day_volume\":null}}");
    }

    @Test
    void parseReadsBackWhatOfWroteWithNullMetricsAsNaN() {
        Alert alert = new Alert("r:A:1000", "r", "Rule", "A", 1000, 10.5, List.of("last", "vwap"),
                new double[] {10.5, Double.NaN});
        Alert back = AlertJson.parse(new io.vertx.core.json.JsonObject(AlertJson.of(alert).encode()));
        assertThat(back.alertId()).isEqualTo("r:A:1000");
        assertThat(back.ruleName()).isEqualTo("Rule");
        assertThat(back.ts()).isEqualTo(1000);
        assertThat(back.price()).isEqualTo(10.5);
        assertThat(back.metricNames()).containsExactly("last", "vwap");
        assertThat(back.metricValues()).containsExactly(10.5, Double.NaN);
        assertThat(AlertJson.of(back)).isEqualTo(AlertJson.of(alert));
    }
}
