package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.codec.TickOrigin;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AcceptedOffsetsTest {

    @Test
    void aTickIsTakenOncePerPartitionAndTicksWithoutOriginAlways() {
        AcceptedOffsets offsets = new AcceptedOffsets(4);
        assertThat(offsets.accept(1, TickOrigin.of(2, 5))).isTrue();
        assertThat(offsets.accept(1, TickOrigin.of(2, 5))).isFalse();
        assertThat(offsets.accept(1, TickOrigin.of(2, 4))).isFalse();
        assertThat(offsets.accept(1, TickOrigin.of(2, 6))).isTrue();
        assertThat(offsets.accept(2, TickOrigin.of(2, 5))).as("another scanner partition").isTrue();
        assertThat(offsets.accept(1, TickOrigin.of(300, 0))).as("a Kafka partition beyond the first").isTrue();
        assertThat(offsets.accept(1, TickOrigin.NONE)).isTrue();
        assertThat(offsets.accept(1, TickOrigin.NONE)).isTrue();
    }

    @Test
    void theExportIsRaisedToWhatTheSourceAcknowledgedAndARestoreKeepsTheHigher() {
        AcceptedOffsets offsets = new AcceptedOffsets(2);
        offsets.accept(0, TickOrigin.of(0, 40));
        offsets.accept(0, TickOrigin.of(1, 7));
        JsonObject acknowledged = new JsonObject().put("0", 30L).put("1", 20L).put("2", 5L).put("3", 0L);
        assertThat(offsets.export(0, acknowledged)).isEqualTo(new JsonObject().put("0", 40L).put("1", 19L)
                .put("2", 4L).put("3", -1L));
        assertThat(offsets.export(1, null)).isEqualTo(new JsonObject());

        AcceptedOffsets back = new AcceptedOffsets(2);
        back.accept(0, TickOrigin.of(1, 25));
        back.restore(0, offsets.export(0, acknowledged));
        assertThat(back.accept(0, TickOrigin.of(0, 40))).isFalse();
        assertThat(back.accept(0, TickOrigin.of(0, 41))).isTrue();
        assertThat(back.accept(0, TickOrigin.of(1, 25))).as("its own higher offset kept").isFalse();
        assertThat(back.accept(0, TickOrigin.of(2, 4))).isFalse();
        assertThat(back.accept(0, TickOrigin.of(2, 5))).isTrue();
        assertThatThrownBy(() -> back.restore(1, new JsonObject().put("-1", 3L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Kafka partition -1");
    }
}
