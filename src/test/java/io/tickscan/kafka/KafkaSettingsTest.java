package io.tickscan.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The consumer properties a {@code sources.kafka} section gives. */
class KafkaSettingsTest {
    private static Properties consumer(JsonObject properties) {
        return KafkaSettings.consumer(new JsonObject().put("bootstrap_servers", "127.0.0.1:9092")
                .put("group_id", "g").put("properties", properties));
    }

    @Test
    @DisplayName("cooperative rebalancing unless the section names another strategy or the broker-side protocol")
    void cooperativeByDefault() {
        assertThat(consumer(new JsonObject()).getProperty("partition.assignment.strategy"))
                .isEqualTo(CooperativeStickyAssignor.class.getName());
        assertThat(consumer(new JsonObject().put("partition.assignment.strategy", RangeAssignor.class.getName()))
                .getProperty("partition.assignment.strategy")).isEqualTo(RangeAssignor.class.getName());
        assertThat(consumer(new JsonObject().put("group.protocol", "consumer")))
                .doesNotContainKey("partition.assignment.strategy");
    }

    @Test
    @DisplayName("commits stay manual whatever the section says")
    void commitsStayManual() {
        assertThat(consumer(new JsonObject().put("enable.auto.commit", "true")).getProperty("enable.auto.commit"))
                .isEqualTo("false");
    }
}
