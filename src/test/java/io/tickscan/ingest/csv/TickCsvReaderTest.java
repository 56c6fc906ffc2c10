package io.tickscan.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tickscan.engine.TickRejectReason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TickCsvReaderTest {

    record Row(String symbol, long ts, double price, double size) {
    }

    record Reject(TickRejectReason reason, long line, String detail) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<Reject> rejects = new ArrayList<>();

    private TickCsvReader.Layout read(String csv, String symbol) throws Exception {
        TickCsvReader reader = new TickCsvReader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
                symbol, new TickCsvReader.Sink() {
                    @Override
                    public void tick(String s, long ts, double price, double size) {
                        rows.add(new Row(s, ts, price, size));
                    }

                    @Override
                    public void reject(TickRejectReason reason, long line, String detail) {
                        rejects.add(new Reject(reason, line, detail));
                    }
                });
        TickCsvReader.Layout layout = reader.readHeader();
        reader.readRows();
        return layout;
    }

    @Test
    @DisplayName("a numeric timestamp with a huge exponent is refused at once, not rounded for minutes")
    void hugeExponentsAreRefusedAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(Timestamps.parse("1e-99999999")).isEqualTo(-1);
            assertThat(Timestamps.parse("1e99999999")).isEqualTo(-1);
            assertThat(Timestamps.parse("1.7e9")).isEqualTo(1_700_000_000_000L);
        });
    }

    @Test
    void readsTheWideLayoutInFileOrder() throws Exception {
        assertThat(read("ts,symbol,price,size\n1700000000000,AAPL,189.5,100\n1700000000001,BTC/USD,0.25,0\n", null))
                .isEqualTo(TickCsvReader.Layout.TS_SYMBOL_PRICE_SIZE);
        assertThat(rows).containsExactly(new Row("AAPL", 1700000000000L, 189.5, 100),
                new Row("BTC/USD", 1700000000001L, 0.25, 0));
    }

    @Test
    void readsTheBitstampLayoutWithTheGivenSymbolAndSeconds() throws Exception {
        assertThat(read("timestamp,price,amount\r\n1385337600,800.010000000000,0.100000000000\r\n", "BTCUSD"))
                .isEqualTo(TickCsvReader.Layout.TIMESTAMP_PRICE_AMOUNT);
        assertThat(rows).containsExactly(new Row("BTCUSD", 1385337600000L, 800.01, 0.1));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1700000000123              | 1700000000123
            100000000000               | 100000000000
            99999999999                | 99999999999000
            1700000000                 | 1700000000000
            1700000000.5               | 1700000000500
            1700000000.1234            | 1700000000123
            1700000000.1235            | 1700000000124
            1700000000.9996            | 1700000001000
            1700000000.000             | 1700000000000
            100000000000.0             | 100000000000
            999999999999.00            | 999999999999
            99999999999.0              | 99999999999000
            1.0e11                     | 100000000000
            1.7e9                      | 1700000000000
            2023-11-14T22:13:20Z       | 1700000000000
            2023-11-14T22:13:20.250    | 1700000000250
            2023-11-14T23:13:20+01:00  | 1700000000000
            """)
    void timestampsInEveryFormOfTheSpec(String ts, long expected) throws Exception {
        read("ts,symbol,price,size\n" + ts + ",A,1,1\n", null);
        assertThat(rejects).isEmpty();
        assertThat(rows).extracting(Row::ts).containsExactly(expected);
    }

    @Test
    void theFastPathAndTheGeneralParserReadEveryTimestampAlike() throws Exception {
        java.util.Random random = new java.util.Random(3);
        StringBuilder csv = new StringBuilder("ts,symbol,price,size\n");
        List<String> texts = new ArrayList<>();
        for (int n = 0; n < 20_000; n++) {
            String whole = Long.toString(Math.abs(random.nextLong()) % (random.nextBoolean() ? 10_000_000_000L
                    : 10_000_000_000_000L));
            String fraction = random.nextInt(3) == 0 ? "" : "." + "0123456789".substring(0, random.nextInt(6))
                    .chars().mapToObj(c -> String.valueOf(random.nextInt(10))).reduce("", String::concat);
            texts.add(whole + fraction);
            csv.append(whole).append(fraction).append(",A,1,1\n");
        }
        read(csv.toString(), null);
        List<Long> expected = texts.stream().map(Timestamps::parse)
                .map(ts -> ts > TickRejectReason.MAX_TS ? -1L : ts).filter(ts -> ts >= 0).toList();
        assertThat(rows).extracting(Row::ts).containsExactlyElementsOf(expected);
    }

    @Test
    void isoTimestampsReadOnTheBytesAsJavaTimeReadsThem() throws Exception {
        java.util.Random random = new java.util.Random(5);
        StringBuilder csv = new StringBuilder("ts,symbol,price,size\n");
        List<String> texts = new ArrayList<>();
        for (int n = 0; n < 5_000; n++) {
            String text = isoLike(random);
            texts.add(text);
            csv.append(text).append(",A,1,1\n");
        }
        read(csv.toString(), null);
        List<Long> expected = texts.stream().map(TickCsvReaderTest::javaTime)
                .filter(ts -> ts >= 0 && ts <= TickRejectReason.MAX_TS).toList();
        assertThat(expected).as("valid and invalid texts are both generated").hasSizeBetween(1_000, 4_000);
        assertThat(rows).extracting(Row::ts).containsExactlyElementsOf(expected);
    }

    /** An ISO-8601 date-time of the usual shape, often with a field out of range or an unusual part. */
    private static String isoLike(java.util.Random random) {
        String date = String.format("%04d-%02d-%02d", pick(random, 1969, 2100, 0, 9999),
                pick(random, 1, 12, 0, 13), pick(random, 1, 28, 29, 32));
        String separator = random.nextInt(10) == 0 ? " " : "T";
        String time = String.format("%02d:%02d", pick(random, 0, 23, 24, 99), pick(random, 0, 59, 60, 99));
        if (random.nextInt(4) != 0) {
            time += String.format(":%02d", pick(random, 0, 59, 60, 61));
            if (random.nextBoolean()) {
                StringBuilder fraction = new StringBuilder(".");
                appendDigits(fraction, random, random.nextInt(11));
                time += fraction;
            }
        }
        String offset = switch (random.nextInt(8)) {
            case 0, 1, 2 -> "";
            case 3 -> random.nextInt(10) == 0 ? "z" : "Z";
            case 4 -> random.nextInt(10) == 0 ? "+18:00" : "-00:00";
            case 5 -> String.format("+%02d%02d", random.nextInt(19), random.nextInt(60));
            default -> String.format("%s%02d:%02d", random.nextBoolean() ? "+" : "-", pick(random, 0, 17, 18, 19),
                    pick(random, 0, 59, 60, 99));
        };
        return date + separator + time + offset;
    }

    /** Mostly a value from {@code lo} to {@code hi}, sometimes {@code odd} or {@code odder}. */
    private static int pick(java.util.Random random, int lo, int hi, int odd, int odder) {
        int r = random.nextInt(20);
        return r == 0 ? odd : r == 1 ? odder : lo + random.nextInt(hi - lo + 1);
    }

    /** The reading of an ISO-8601 text by {@code java.time}, as the spec means it; -1 when it reads none. */
    private static long javaTime(String text) {
        try {
            return Math.max(-1, java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli());
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return Math.max(-1, java.time.LocalDateTime.parse(text.replace(' ', 'T'))
                        .toInstant(java.time.ZoneOffset.UTC).toEpochMilli());
            } catch (java.time.format.DateTimeParseException e2) {
                return -1;
            }
        }
    }

    @Test
    void numbersInEveryFormReadAsTheJdkReadsThem() throws Exception {
        java.util.Random random = new java.util.Random(9);
        StringBuilder csv = new StringBuilder("ts,symbol,price,size\n");
        List<Double> expected = new ArrayList<>();
        java.util.regex.Pattern decimal =
                java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
        for (int n = 0; n < 20_000; n++) {
            String text = numberLike(random);
            csv.append("1700000000000,A,").append(text).append(",1\n");
            double value = decimal.matcher(text).matches() ? Double.parseDouble(text) : Double.NaN;
            if (value > 0 && value != Double.POSITIVE_INFINITY) {
                expected.add(value);
            }
        }
        read(csv.toString(), null);
        assertThat(expected).as("valid and invalid numbers are both generated").hasSizeBetween(5_000, 15_000);
        assertThat(rows).extracting(Row::price).containsExactlyElementsOf(expected);
    }

    /** A number with random sign, digits, fraction and exponent, sometimes with a part missing or wrong. */
    private static String numberLike(java.util.Random random) {
        StringBuilder s = new StringBuilder();
        s.append(switch (random.nextInt(6)) {
            case 0 -> "-";
            case 1 -> "+";
            default -> "";
        });
        appendDigits(s, random, random.nextInt(4) == 0 ? random.nextInt(25) : random.nextInt(6));
        if (random.nextBoolean()) {
            s.append('.');
            appendDigits(s, random, random.nextInt(4) == 0 ? random.nextInt(25) : random.nextInt(6));
        }
        if (random.nextInt(3) == 0) {
            s.append(random.nextBoolean() ? 'e' : 'E').append(switch (random.nextInt(4)) {
                case 0 -> "-";
                case 1 -> "+";
                default -> "";
            });
            appendDigits(s, random, random.nextInt(4));
        }
        if (random.nextInt(30) == 0) {
            s.insert(random.nextInt(s.length() + 1), random.nextBoolean() ? "." : "x");
        }
        return s.toString();
    }

    private static void appendDigits(StringBuilder s, java.util.Random random, int count) {
        for (int k = 0; k < count; k++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
    }

    @Test
    void aTimestampAfterTheYear9999IsRefused() throws Exception {
        read("ts,symbol,price,size\n9999999999999999,A,1,1\n", null);
        assertThat(rejects).extracting(Reject::reason).containsExactly(TickRejectReason.BAD_TS);
    }

    @Test
    void badRowsAreCountedByReasonAndNeverStopTheFile() throws Exception {
        read("""
                ts,symbol,price,size
                1700000000000,A,1,1
                1700000000000,A,1
                1700000000000,A,1,1,9
                1700000000000,A B,1,1
                1700000000000,,1,1
                1700000000000,ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456,1,1
                yesterday,A,1,1
                -5,A,1,1
                1700000000000,A,0,1
                1700000000000,A,-1,1
                1700000000000,A,abc,1
                1700000000000,A,NaN,1
                1700000000000,A,1e999,1
                1700000000000,A,1,-1
                1700000000000,A,1,x

                1700000000001,A,2,2
                """, null);
        assertThat(rows).extracting(Row::price).containsExactly(1.0, 2.0);
        assertThat(rejects).extracting(Reject::reason).containsExactly(
                TickRejectReason.MALFORMED, TickRejectReason.MALFORMED,
                TickRejectReason.BAD_SYMBOL, TickRejectReason.BAD_SYMBOL, TickRejectReason.BAD_SYMBOL,
                TickRejectReason.BAD_TS, TickRejectReason.BAD_TS,
                TickRejectReason.BAD_PRICE, TickRejectReason.BAD_PRICE, TickRejectReason.BAD_PRICE,
                TickRejectReason.BAD_PRICE, TickRejectReason.BAD_PRICE,
                TickRejectReason.BAD_SIZE, TickRejectReason.BAD_SIZE);
        assertThat(rejects.get(0)).isEqualTo(new Reject(TickRejectReason.MALFORMED, 3,
                "expected 4 fields, found 3: 1700000000000,A,1"));
        assertThat(rejects.get(7)).isEqualTo(new Reject(TickRejectReason.BAD_PRICE, 10, "0"));
    }

    @Test
    void aLineLongerThanTheBufferIsOneMalformedRow() throws Exception {
        read("ts,symbol,price,size\n" + "9".repeat(200_000) + "\n1700000000000,A,1,1", null);
        assertThat(rejects).extracting(Reject::reason).containsExactly(TickRejectReason.MALFORMED);
        assertThat(rows).hasSize(1);
    }

    @Test
    void aByteOrderMarkAndBlankLinesBeforeTheHeaderAreAccepted() throws Exception {
        read("\uFEFF\n\nTS, Symbol, Price, Size\n1700000000000,A,1,1", null);
        assertThat(rows).hasSize(1);
    }

    @Test
    void anUnknownHeaderOrAnEmptyFileIsAFormatError() {
        assertThatThrownBy(() -> read("time,sym,px,qty\n1,A,1,1\n", null))
                .isInstanceOf(TickCsvReader.FormatException.class)
                .hasMessage("line 1: unknown header 'time,sym,px,qty'; expected ts,symbol,price,size or "
                        + "timestamp,price,amount");
        assertThatThrownBy(() -> read("", null)).isInstanceOf(TickCsvReader.FormatException.class)
                .hasMessageStartingWith("line 1: the file is empty");
    }
}
