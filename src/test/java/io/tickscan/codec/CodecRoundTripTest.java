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
        assertThat(codec.transform(batch)).isSameAs(batch);
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
