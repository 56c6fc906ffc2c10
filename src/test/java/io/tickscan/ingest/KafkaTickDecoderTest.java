package io.tickscan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.KafkaTickDecoder.Format;
import io.tickscan.ingest.csv.TickCsvReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the decoder of Kafka tick records")
class KafkaTickDecoderTest {
    private static final long TS = 1_700_000_000_000L;

    private final List<String> ticks = new ArrayList<>();
    private final List<TickRejectReason> rejects = new ArrayList<>();
    private final TickCsvReader.Sink sink = new TickCsvReader.Sink() {
        @Override
        public void tick(String symbol, long ts, double price, double size) {
            ticks.add(symbol + "," + ts + "," + price + "," + size);
        }

        @Override
        public void reject(TickRejectReason reason, long line, String detail) {
            rejects.add(reason);
        }
    };

    private void decode(Format format, String key, byte[] value) {
        new KafkaTickDecoder(format, sink).decode(key, value, 7);
    }

    private void decode(Format format, String key, String value) {
        decode(format, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** A binary value: ts, price, size, then the symbol inline when it is not null. */
    static byte[] binary(String symbol, long ts, double price, double size) {
        byte[] name = symbol == null ? new byte[0] : symbol.getBytes(StandardCharsets.UTF_8);
        ByteBuffer value = ByteBuffer.allocate(KafkaTickDecoder.BINARY_FIXED + (symbol == null ? 0 : 1 + name.length))
                .putLong(ts).putDouble(price).putDouble(size);
        if (symbol != null) {
            value.put((byte) name.length).put(name);
        }
        return value.array();
    }

    @Test
    void readsJsonWithTheSymbolFromTheValueOrElseFromTheKey() {
        decode(Format.JSON, "KEY", "{\"symbol\":\"AAPL\",\"ts\":1700000000000,\"price\":189.5,\"size\":100}");
        decode(Format.JSON, "MSFT", "{\"ts\":\"2023-11-14T22:13:20Z\",\"price\":1.5,\"size\":0}");
        decode(Format.JSON, null, "{\"symbol\":\"X\",\"ts\":1700000000.25,\"price\":2,\"size\":3}");
        assertThat(ticks).containsExactly("AAPL," + TS + ",189.5,100.0", "MSFT," + TS + ",1.5,0.0",
                "X," + (TS + 250) + ",2.0,3.0");
        assertThat(rejects).isEmpty();
    }

    @ParameterizedTest(name = "{1} for {0}")
    @CsvSource(delimiter = '|', value = {
        "not json at all|MALFORMED",
        "[1,2]|MALFORMED",
        "{\"ts\":1700000000000,\"price\":1,\"size\":1}|BAD_SYMBOL",
        "{\"symbol\":\"bad symbol!\",\"ts\":1700000000000,\"price\":1,\"size\":1}|BAD_SYMBOL",
        "{\"symbol\":\"A\",\"ts\":\"yesterday\",\"price\":1,\"size\":1}|BAD_TS",
        "{\"symbol\":\"A\",\"price\":1,\"size\":1}|BAD_TS",
        "{\"symbol\":\"A\",\"ts\":1700000000000,\"price\":\"1\",\"size\":1}|BAD_PRICE",
        "{\"symbol\":\"A\",\"ts\":1700000000000,\"price\":-1,\"size\":1}|BAD_PRICE",
        "{\"symbol\":\"A\",\"ts\":1700000000000,\"price\":1,\"size\":-1}|BAD_SIZE",
        "{\"symbol\":\"A\",\"ts\":1700000000000,\"price\":1}|BAD_SIZE",
    })
    void refusesMalformedJsonByReason(String value, TickRejectReason reason) {
        decode(Format.JSON, null, value);
        assertThat(rejects).containsExactly(reason);
        assertThat(ticks).isEmpty();
    }

    @Test
    void readsCsvRowsWithOrWithoutALineBreak() {
        decode(Format.CSV, "IGNORED", "1700000000000,AAPL,189.5,100");
        decode(Format.CSV, null, "2023-11-14T22:13:20Z, MSFT ,1.5,0\r\n");
        assertThat(ticks).containsExactly("AAPL," + TS + ",189.5,100.0", "MSFT," + TS + ",1.5,0.0");
        assertThat(rejects).isEmpty();
    }

    @ParameterizedTest(name = "{1} for {0}")
    @CsvSource(delimiter = '|', value = {
        "1700000000000,AAPL,189.5|MALFORMED",
        "1700000000000,AAPL,189.5,1,extra|MALFORMED",
        "'\n'|MALFORMED",
        "1700000000000,bad symbol!,1,1|BAD_SYMBOL",
        "soon,AAPL,1,1|BAD_TS",
        "1700000000000,AAPL,abc,1|BAD_PRICE",
        "1700000000000,AAPL,0,1|BAD_PRICE",
        "1700000000000,AAPL,1,-2|BAD_SIZE",
    })
    void refusesMalformedCsvByReason(String value, TickRejectReason reason) {
        decode(Format.CSV, "AAPL", value);
        assertThat(rejects).containsExactly(reason);
        assertThat(ticks).isEmpty();
    }

    @Test
    void readsBinaryWithTheSymbolInlineOrFromTheKey() {
        decode(Format.BINARY, "KEY", binary("AAPL", TS, 189.5, 100));
        decode(Format.BINARY, "MSFT", binary(null, TS, 1.5, 0));
        assertThat(ticks).containsExactly("AAPL," + TS + ",189.5,100.0", "MSFT," + TS + ",1.5,0.0");
        assertThat(rejects).isEmpty();
    }

    @Test
    void refusesMalformedBinaryByReason() {
        byte[] inline = binary("AAPL", TS, 1, 1);
        decode(Format.BINARY, "A", new byte[23]);
        decode(Format.BINARY, "A", new byte[25]);
        decode(Format.BINARY, "A", java.util.Arrays.copyOf(inline, inline.length - 1));
        decode(Format.BINARY, null, binary(null, TS, 1, 1));
        decode(Format.BINARY, "A", binary("bad symbol!", TS, 1, 1));
        decode(Format.BINARY, "A", binary(null, -5, 1, 1));
        decode(Format.BINARY, "A", binary(null, TS, Double.NaN, 1));
        decode(Format.BINARY, "A", binary(null, TS, 1, Double.POSITIVE_INFINITY));
        assertThat(rejects).containsExactly(TickRejectReason.MALFORMED, TickRejectReason.MALFORMED,
                TickRejectReason.MALFORMED, TickRejectReason.BAD_SYMBOL, TickRejectReason.BAD_SYMBOL,
                TickRejectReason.BAD_TS, TickRejectReason.BAD_PRICE, TickRejectReason.BAD_SIZE);
        assertThat(ticks).isEmpty();
    }

    @Test
    void refusesARecordWithoutAValueInEveryFormat() {
        for (Format format : Format.values()) {
            decode(format, "AAPL", (byte[]) null);
            decode(format, "AAPL", new byte[0]);
        }
        assertThat(rejects).hasSize(6).containsOnly(TickRejectReason.MALFORMED);
    }

    @Test
    void namesTheFormatsAsTheConfigurationDoes() {
        assertThat(Format.of("json")).isEqualTo(Format.JSON);
        assertThat(Format.of("csv")).isEqualTo(Format.CSV);
        assertThat(Format.of("binary")).isEqualTo(Format.BINARY);
    }
}
