package io.tickscan.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {

    @Test
    void aTickBatchSurvivesTheWireAndIsPassedAsIsLocally() {
        TickBatch batch = new TickBatch(17, 1_700_000_000_123L, new String[] {"AAPL", "BTC/USD", "X"},
                new long[] {1, 1_700_000_000_000L, Long.MAX_VALUE}, new double[] {189.5, 0.01, Double.MIN_VALUE},
                new double[] {0, 100, 1e300});
        TickBatchCodec codec = new TickBatchCodec();
        Buffer wire = Buffer.buffer().appendString("prefix");
        codec.encodeToWire(wire, batch);
        TickBatch back = codec.decodeFromWire(6, wire);
        assertThat(back.partition()).isEqualTo(17);
        assertThat(back.arrivedAt()).isEqualTo(batch.arrivedAt());
        assertThat(back.symbols()).containsExactly(batch.symbols());
        assertThat(back.timestamps()).containsExactly(batch.timestamps());
        assertThat(back.prices()).containsExactly(batch.prices());
        assertThat(back.sizes()).containsExactly(batch.sizes());
        assertThat(back.origins()).isNull();
        assertThat(codec.transform(batch)).isSameAs(batch);
    }

    @Test
    void aTickBatchKeepsTheOriginsOfItsTicks() {
        long[] origins = {TickOrigin.of(0, 0), TickOrigin.of(7, 123_456_789_012L),
                TickOrigin.of(TickOrigin.MAX_PARTITION, (1L << 48) - 1)};
        TickBatch batch = new TickBatch(3, 5, new String[] {"A", "BB", "CCC"}, new long[] {1, 2, 3},
                new double[] {1, 2, 3}, new double[] {4, 5, 6}, origins, null);
        TickBatchCodec codec = new TickBatchCodec();
        Buffer wire = Buffer.buffer();
        codec.encodeToWire(wire, batch);
        TickBatch back = codec.decodeFromWire(0, wire);
        assertThat(back.origins()).containsExactly(origins);
        assertThat(back.symbols()).containsExactly("A", "BB", "CCC");
        assertThat(back.sizes()).containsExactly(4, 5, 6);
        assertThat(TickOrigin.partition(back.origins()[1])).isEqualTo(7);
        assertThat(TickOrigin.offset(back.origins()[1])).isEqualTo(123_456_789_012L);
        assertThat(TickOrigin.partition(back.origins()[2])).isEqualTo(TickOrigin.MAX_PARTITION);
        assertThat(TickOrigin.offset(back.origins()[2])).isEqualTo((1L << 48) - 1);
        assertThat(back.previous()).isNull();
    }

    @Test
    void aTickBatchKeepsThePreviousOffsetsOfItsTicks() {
        long[] origins = {TickOrigin.of(1, 10), TickOrigin.NONE, TickOrigin.of(1, 14)};
        long[] previous = {7, -1, 10};
        TickBatch batch = new TickBatch(3, 5, new String[] {"A", "BB", "CCC"}, new long[] {1, 2, 3},
                new double[] {1, 2, 3}, new double[] {4, 5, 6}, origins, previous);
        TickBatchCodec codec = new TickBatchCodec();
        Buffer wire = Buffer.buffer();
        codec.encodeToWire(wire, batch);
        TickBatch back = codec.decodeFromWire(0, wire);
        assertThat(back.origins()).containsExactly(origins);
        assertThat(back.previous()).containsExactly(previous);
        assertThat(back.prices()).containsExactly(1, 2, 3);
    }

    @Test
    void anOriginBeyondItsBitsIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TickOrigin.of(TickOrigin.MAX_PARTITION + 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition 65536");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TickOrigin.of(0, 1L << 48))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAlertSurvivesTheWireWithItsUndefinedMetricsAndIsPassedAsIsLocally() {
        Alert alert = new Alert("mom:AAPL:1000", "mom", "Momentum \u00e9t\u00e9", "AAPL", 1000, 189.5,
                List.of("last", "change_pct(5m)"), new double[] {189.5, Double.NaN});
        AlertCodec codec = new AlertCodec();
        Buffer wire = Buffer.buffer().appendInt(42);
        codec.encodeToWire(wire, alert);
        Alert back = codec.decodeFromWire(4, wire);
        assertThat(back).usingRecursiveComparison().ignoringFields("metricValues").isEqualTo(alert);
        assertThat(back.metricValues()[0]).isEqualTo(189.5);
        assertThat(back.metricValues()[1]).isNaN();
        assertThat(codec.transform(alert)).isSameAs(alert);
    }
}
