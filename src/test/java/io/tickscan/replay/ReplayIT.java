package io.tickscan.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.testdata.BitstampTrades;
import io.tickscan.testdata.BitstampTrades.Trade;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/tickscan.jar replay} as a user runs it, on the real Bitstamp trades. */
@DisplayName("replay, run from the jar")
class ReplayIT {
    @TempDir
    static Path dir;
    static Path ticks;
    static Path rules;
    static List<Trade> trades;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void copyData() throws IOException {
        ticks = BitstampTrades.copyTo(dir);
        rules = dir.resolve("rules.json");
        Files.copy(ReplayIT.class.getResourceAsStream("/replay/hand-checked-rules.json"), rules);
        trades = BitstampTrades.load();
    }

    static Run tickscan(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", Path.of("target/tickscan.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("replay finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theSameFileGivesTheSameBytesTwiceAndTheSummaryCountsEveryRow() throws Exception {
        Path first = dir.resolve("first.ndjson");
        Path second = dir.resolve("second.ndjson");
        Run a = tickscan("replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--symbol", "BTCUSD",
                "--out", first.toString());
        Run b = tickscan("replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--symbol", "BTCUSD",
                "--out", second.toString());
        assertThat(a.exit()).as(a.err()).isZero();
        assertThat(b.exit()).isZero();
        byte[] bytes = Files.readAllBytes(first);
        assertThat(bytes).isNotEmpty().isEqualTo(Files.readAllBytes(second));

        long firstSecond = trades.get(0).seconds();
        long lastSecond = trades.get(trades.size() - 1).seconds();
        long lines = new String(bytes, StandardCharsets.UTF_8).lines().count();
        assertThat(a.err()).containsPattern("replay: " + trades.size() + " rows read, " + trades.size()
                + " ticks applied, 0 rejected, 0 late, 1 symbols, " + (lastSecond - firstSecond + 1) + " scans \\([0-9]+ evaluated\\), "
                + lines + " alerts in [0-9.]+ s \\([0-9]+ ticks/s\\)");
    }

    @Test
    @DisplayName("alerts checked by hand against the trades (awk over the CSV)")
    void alertsCheckedByHand() throws Exception {
        Run run = tickscan("replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--symbol", "BTCUSD");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines()).containsExactly(
                // minutes 23089858..23089862 ([1385391480, 1385391780) s) traded 536.36686519: the first 5-minute
                // window above 500; the last trade before the scan was at 806.00
                "{\"alert_id\":\"volume-5m-over-500:BTCUSD:1385391780000\",\"rule_id\":\"volume-5m-over-500\","
                        + "\"rule_name\":\"volume-5m-over-500\",\"symbol\":\"BTCUSD\",\"ts\":1385391780000,"
                        + "\"price\":806.0,\"metrics\":{\"volume(5m)\":536.3668651900001}}",
                // the close of minute [1385468700, 1385468760) s was 836.33, the last trade before 1385469029 s
                // (line 18448) 811.03: (811.03 - 836.33) / 836.33 * 100
                "{\"alert_id\":\"drop-5m:BTCUSD:1385469029000\",\"rule_id\":\"drop-5m\",\"rule_name\":\"drop-5m\","
                        + "\"symbol\":\"BTCUSD\",\"ts\":1385469029000,\"price\":811.03,"
                        + "\"metrics\":{\"change_pct(5m)\":-3.025121662501652}}",
                // lines 52000-52009: the first trades above 1000, all in second 1385640650, the last at 1000.47
                "{\"alert_id\":\"above-1000:BTCUSD:1385640651000\",\"rule_id\":\"above-1000\","
                        + "\"rule_name\":\"above-1000\",\"symbol\":\"BTCUSD\",\"ts\":1385640651000,\"price\":1000.47,"
                        + "\"metrics\":{\"last\":1000.47}}");
    }

    @Test
    void malformedRowsAreSkippedAndCountedByReason() throws Exception {
        Path csv = dir.resolve("mixed.csv");
        Files.writeString(csv, """
                ts,symbol,price,size
                1700000000000,AAPL,100,10
                1700000000500,AAPL,oops,10
                1700000000600,AAPL,100
                1700000000700,AA PL,100,1
                1700000001000,MSFT,200,5
                1800000000000,MSFT,200,5
                1700000002000,AAPL,101,10
                """);
        Path anyTick = dir.resolve("any.json");
        Files.writeString(anyTick, "[{\"id\": \"any\", \"when\": \"last > 0\", \"cooldown_sec\": 3600}]");
        Run run = tickscan("replay", "--ticks", csv.toString(), "--rules", anyTick.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("replay: line 3: bad_price: oops")
                .contains("replay: 7 rows read, 3 ticks applied, 4 rejected (malformed 1, bad_symbol 1, bad_price 1, "
                        + "jump 1), 0 late, 2 symbols, 3 scans (3 evaluated), 2 alerts");
        assertThat(run.out().lines()).extracting(line -> line.replaceAll(".*\"alert_id\":\"([^\"]+)\".*", "$1"))
                .containsExactly("any:AAPL:1700000001000", "any:MSFT:1700000002000");
    }

    @Test
    void alertsOfOneScanAreOrderedByRuleIdThenSymbol() throws Exception {
        Path csv = dir.resolve("order.csv");
        Files.writeString(csv, "ts,symbol,price,size\n1700000000000,b,1,1\n1700000000000,B,1,1\n"
                + "1700000000000,a,1,1\n");
        Path two = dir.resolve("two.json");
        Files.writeString(two, "[{\"id\": \"z\", \"when\": \"last > 0\"}, {\"id\": \"Y\", \"when\": \"last > 0\"}]");
        Run run = tickscan("replay", "--ticks", csv.toString(), "--rules", two.toString());
        assertThat(run.out().lines()).extracting(line -> line.replaceAll(".*\"alert_id\":\"([^\"]+)\".*", "$1"))
                .containsExactly("Y:B:1700000001000", "Y:a:1700000001000", "Y:b:1700000001000",
                        "z:B:1700000001000", "z:a:1700000001000", "z:b:1700000001000");
    }

    @Test
    void aMissingFileOrAnInvalidRuleSetExitsWithOneClearMessage() throws Exception {
        Run missing = tickscan("replay", "--ticks", dir.resolve("nope.csv").toString(), "--rules", rules.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("tickscan replay: cannot read --ticks " + dir.resolve("nope.csv")
                + ": no such file");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"id\": \"m\", \"when\": \"change_pct(5m) > 0.5 and rel_volume(5) > 1\"}]");
        Run invalid = tickscan("replay", "--ticks", ticks.toString(), "--rules", bad.toString(), "--symbol", "X");
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err().strip()).isEqualTo("tickscan replay: " + bad + ": invalid rule set, nothing applied "
                + "(1 error):\n  rule 'm' at when, column 37: 'rel_volume' takes a window in minutes, like 5m or 1h, "
                + "found '5'");
        assertThat(invalid.out()).isEmpty();

        Run noSymbol = tickscan("replay", "--ticks", ticks.toString(), "--rules", rules.toString());
        assertThat(noSymbol.exit()).isEqualTo(1);
        assertThat(noSymbol.err()).contains("--symbol is required");
    }

    @Test
    @DisplayName("an --out that is a directory gets one line and exit code 1, like a file that cannot be read")
    void anOutThatIsADirectoryIsOneLine() throws Exception {
        Run run = tickscan("replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--symbol", "BTCUSD",
                "--out", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().lines()).containsExactly("tickscan replay: cannot write --out " + dir
                + ": it is a directory");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @DisplayName("an argument error prints the error and a hint to --help, not the whole usage, with exit code 2")
    void usageErrorsExitWith2AndHelpWith0() throws Exception {
        Run usage = tickscan("replay", "--rules", rules.toString());
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err().lines()).containsExactly("tickscan replay: Missing required option: '--ticks=FILE'",
                "Try 'tickscan replay --help'.");
        Run zone = tickscan("replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--session-zone",
                "Mars/Olympus");
        assertThat(zone.exit()).isEqualTo(2);
        assertThat(zone.err().lines()).containsExactly("tickscan replay: Invalid value for option '--session-zone': "
                + "'Mars/Olympus' is not a time zone; use one such as UTC, Europe/London, America/New_York or +02:00",
                "Try 'tickscan replay --help'.");
        Run none = tickscan();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err().lines()).containsExactly("tickscan: a subcommand is required", "Try 'tickscan --help'.");
        Run help = tickscan("replay", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--ticks=FILE", "--max-gap=DURATION");
        Run top = tickscan("--help");
        assertThat(top.out()).contains("replay");
    }
}
