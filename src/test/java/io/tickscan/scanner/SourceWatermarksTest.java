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
}
