package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the Kafka watermarks a scanner gates its scans on")
class SourceWatermarksTest {
    private static JsonObject report(String topic, int partitions, JsonObject marks) {
        return new JsonObject().put("topic", topic).put("partitions", partitions).put("marks", marks);
    }

    @Test
    @DisplayName("open before any report, shut while a partition of the topic is unreported or behind")
    void everyPartitionMustBePastTheSecond() {
        SourceWatermarks watermarks = new SourceWatermarks("ticks");
        assertThat(watermarks.reached(5_000)).as("no Kafka source has reported").isTrue();
        assertThat(watermarks.update(report("ticks", 3, new JsonObject().put("0", 9_000).put("1", 9_000)))).isTrue();
        assertThat(watermarks.reached(5_000)).as("partition 2 not reported").isFalse();
        watermarks.update(report("ticks", 3, new JsonObject().put("2", 4_999)));
        assertThat(watermarks.reached(5_000)).as("partition 2 behind").isFalse();
        assertThat(watermarks.reached(4_000)).isTrue();
        watermarks.update(report("ticks", 3, new JsonObject().put("2", 5_000)));
        assertThat(watermarks.reached(5_000)).isTrue();
        assertThat(watermarks.reached(5_001)).isFalse();
    }

    @Test
    @DisplayName("a mark never goes back (a new reader re-reads older offsets), and other topics are ignored")
    void marksOnlyGrowAndOtherTopicsAreIgnored() {
        SourceWatermarks watermarks = new SourceWatermarks("ticks");
        watermarks.update(report("ticks", 1, new JsonObject().put("0", 9_000)));
        assertThat(watermarks.update(report("ticks", 1, new JsonObject().put("0", 3_000)))).isFalse();
        assertThat(watermarks.reached(9_000)).isTrue();
        assertThat(watermarks.update(report("other", 4, new JsonObject().put("0", 20_000)))).isFalse();
        assertThat(watermarks.reached(9_000)).as("the other topic's partition count is not this one's").isTrue();
        SourceWatermarks noKafka = new SourceWatermarks(null);
        assertThat(noKafka.update(report("ticks", 1, new JsonObject().put("0", 1)))).isFalse();
        assertThat(noKafka.reached(Long.MAX_VALUE)).isTrue();
    }

    @Test
    @DisplayName("keeps the highest offset each Kafka partition was reported acknowledged, and the readings seen")
    void acknowledgedOffsetsAndReadings() {
        SourceWatermarks watermarks = new SourceWatermarks("ticks");
        watermarks.update(report("ticks", 2, new JsonObject().put("0", 9_000)).put("source", "a")
                .put("readings", new JsonObject().put("0", new io.vertx.core.json.JsonArray().add(3).add(10)))
                .put("acknowledged", new JsonObject().put("0", 500L)));
        watermarks.update(report("ticks", 2, new JsonObject().put("1", 9_000)).put("source", "b")
                .put("readings", new JsonObject().put("1", new io.vertx.core.json.JsonArray().add(7).add(0)))
                .put("acknowledged", new JsonObject().put("0", 200L).put("1", 40L)));
        assertThat(watermarks.acknowledged()).isEqualTo(new JsonObject().put("0", 500L).put("1", 40L));
        assertThat(watermarks.readingsSeen()).isEqualTo(java.util.Map.of("a", 3L, "b", 7L));
        watermarks.update(report("other", 2, new JsonObject()).put("acknowledged", new JsonObject().put("1", 90L)));
        assertThat(watermarks.acknowledged().getLong("1")).isEqualTo(40L);
    }
}
