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
}
