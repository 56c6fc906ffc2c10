package io.tickscan.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tickscan.rules.Condition.And;
import io.tickscan.rules.Condition.Between;
import io.tickscan.rules.Condition.Comparison;
import io.tickscan.rules.Condition.Cross;
import io.tickscan.rules.Condition.Not;
import io.tickscan.rules.Condition.Op;
import io.tickscan.rules.Condition.Or;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WhenParserTest {
    private static final int HISTORY = 180;

    @ParameterizedTest(name = "\"{0}\" -> column {1}: {2}")
    @DisplayName("a bad condition gets its column and exactly this message")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            ``                        | 1  | the condition is empty
            last >                    | 7  | expected a metric or a number, found the end of the text
            last > > 1                | 8  | expected a metric or a number, found '>'
            change_pct > 1            | 12 | 'change_pct' needs a window, like change_pct(5m)
            change_pct(5) > 1         | 12 | 'change_pct' takes a window in minutes, like 5m or 1h, found '5'
            rsi(14m) > 70             | 5  | 'rsi' takes a whole number of bars, like rsi(14), found '14m'
            change_pct(0m) > 1        | 12 | a window is a whole number from 1 to 525600, found '0m'
            change_pct(2.5m) > 1      | 12 | a window is a whole number of at least 1, found '2.5m'
            sma() > 1                 | 5  | expected the window of 'sma', like sma(14), found ')'
            ema(9                     | 6  | expected ')' after the window of 'ema', found the end of the text
            foo > 1                   | 1  | unknown metric 'foo'
            Last > 1                  | 1  | unknown metric 'Last': metric names are lower case, like 'last'
            RSI(14) > 1               | 1  | unknown metric 'RSI': metric names are lower case, like 'rsi'
            last = 1                  | 6  | unexpected character '=' (operators are >, >=, <, <=, between, crosses_above, crosses_below)
            last # 1                  | 6  | unexpected character '#'
            last > 1 and              | 13 | expected a metric or a number, found the end of the text
            (last > 1                 | 10 | expected ')' to close the '(' at column 1, found the end of the text
            last > 1)                 | 9  | expected 'and', 'or' or the end of the condition, found ')'
            vwap > 1 last < 2         | 10 | expected 'and', 'or' or the end of the condition, found 'last'
            last between 1 2          | 16 | expected 'and' between the bounds of 'between', found '2'
            last crosses 1            | 6  | expected a comparison (>, >=, <, <=, between, crosses_above, crosses_below) after 'last', found 'crosses'
            1 > 2                     | 1  | a comparison needs a metric on at least one side
            last > 5m                 | 8  | '5m' is not a number; a window such as 5m goes inside a metric's parentheses, like change_pct(5m)
            last > 1e999              | 8  | the number '1e999' is out of range
            last > 1.2.3              | 8  | '1.2.3' is not a number
            last(5m) > 1              | 5  | 'last' takes no window
            rsi_14(5) > 1             | 7  | 'rsi_14' takes no window: its window is in its name
            and > 1                   | 1  | expected a metric or a number, found 'and'
            change_pct(300m) > 1      | 1  | change_pct(300m) needs 300 complete 1-minute bars, more than the 180 the engine keeps (engine.history_minutes)
            rel_volume(121m) > 1      | 1  | rel_volume(121m) needs 181 complete 1-minute bars, more than the 180 the engine keeps (engine.history_minutes)
            last between 5 and 1      | 6  | between 5 and 1: the lower bound is above the upper
            last BETWEEN 1e3 AND -0.5 | 6  | between 1000 and -0.5: the lower bound is above the upper
            5 between 3 and 1         | 3  | between 3 and 1: the lower bound is above the upper
            """)
    void badConditions(String when, int column, String message) {
        assertThatThrownBy(() -> WhenParser.parse(when, HISTORY))
                .isInstanceOfSatisfying(WhenSyntaxException.class, e -> {
                    assertThat(e.problem()).isEqualTo(message);
                    assertThat(e.column()).isEqualTo(column);
                });
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("a hostile text is refused at once with its column, never with a stack overflow")
    @CsvSource(delimiter = '|', textBlock = """
            1,000 nested parentheses      | 33   | conditions are nested deeper than 32 levels
            900 nots                      | 129  | conditions are nested deeper than 32 levels
            10,000 nested parentheses     | 4001 | the condition is longer than 4000 characters
            20,000 anded comparisons      | 4001 | the condition is longer than 4000 characters
            a string of 1 MB              | 4001 | the condition is longer than 4000 characters
            """)
    void hostileTexts(String name, int column, String message) {
        String text = switch (name) {
            case "1,000 nested parentheses" -> "(".repeat(1_000) + "last > 1" + ")".repeat(1_000);
            case "900 nots" -> "not ".repeat(900) + "last > 1";
            case "10,000 nested parentheses" -> "(".repeat(10_000) + "last > 1" + ")".repeat(10_000);
            case "20,000 anded comparisons" -> "last > 1" + " and last > 1".repeat(19_999);
            default -> "x".repeat(1 << 20);
        };
        assertTimeoutPreemptively(Duration.ofSeconds(1), () ->
                assertThatThrownBy(() -> WhenParser.parse(text, HISTORY))
                        .isInstanceOfSatisfying(WhenSyntaxException.class, e -> {
                            assertThat(e.problem()).isEqualTo(message);
                            assertThat(e.column()).isEqualTo(column);
                        }));
    }

    @Test
    @DisplayName("between takes equal constant bounds, and bounds that are metrics in any order")
    void betweenBoundsInOrderOrMetrics() {
        assertThat(WhenParser.parse("last between 1 and 1", HISTORY)).isInstanceOf(Between.class);
        assertThat(WhenParser.parse("last between sma(5) and 1", HISTORY)).isInstanceOf(Between.class);
        assertThat(WhenParser.parse("last between 5 and sma(5)", HISTORY)).isInstanceOf(Between.class);
    }

    @Test
    void precedenceIsComparisonThenNotThenAndThenOr() {
        Condition c = WhenParser.parse("not last > 1 and vwap < 2 or rsi(14) crosses_above 30", HISTORY);
        assertThat(c).isInstanceOf(Or.class);
        Or or = (Or) c;
        assertThat(or.parts().get(0)).isInstanceOf(And.class);
        assertThat(((And) or.parts().get(0)).parts().get(0)).isInstanceOf(Not.class);
        assertThat(or.parts().get(1)).isInstanceOf(Cross.class);
    }

    @Test
    void numbersTakeSignsFractionsAndExponents() {
        Comparison c = (Comparison) WhenParser.parse("change_pct(5m) > -0.5", HISTORY);
        assertThat(c.rhs().number()).isEqualTo(-0.5);
        assertThat(((Comparison) WhenParser.parse("day_volume >= 1e3", HISTORY)).rhs().number()).isEqualTo(1000);
        assertThat(((Comparison) WhenParser.parse("last>+2.5E-1", HISTORY)).rhs().number()).isEqualTo(0.25);
    }

    @Test
    void windowsAreMinutesOrHoursOrBars() {
        Between b = (Between) WhenParser.parse("rel_volume(1h) BETWEEN sma(20) AnD 3", HISTORY);
        assertThat(b.value().metric()).isEqualTo(new MetricRef(MetricKind.REL_VOLUME, 60));
        assertThat(b.lo().metric()).isEqualTo(new MetricRef(MetricKind.SMA, 20));
        assertThat(b.hi().number()).isEqualTo(3);
    }

    @Test
    @DisplayName("a condition lists its comparisons and its metrics left to right, each metric once")
    void leavesAndMetricsOfATree() {
        Condition c = WhenParser.parse(
                "not (last > vwap and sma(5) between 1 and last) or ema(9) crosses_above sma(5)", HISTORY);
        assertThat(c.leaves()).extracting(leaf -> leaf.getClass().getSimpleName())
                .containsExactly("Comparison", "Between", "Cross");
        assertThat(c.metrics()).extracting(MetricRef::canonical).containsExactly("last", "vwap", "sma(5)", "ema(9)");
        assertThat(c.operands()).hasSize(7);
    }

    @Test
    @DisplayName("Op.of reads each operator's symbol and nothing else")
    void operatorsFromTheirSymbols() {
        for (Op op : Op.values()) {
            assertThat(Op.of(op.symbol())).isSameAs(op);
        }
        assertThat(Op.of("=")).isNull();
        assertThat(Op.of("between")).isNull();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @DisplayName("the seeds' aliases name the canonical metrics")
    @CsvSource({"price_change_5m_pct, change_pct(5m)", "volume_15m, volume(15m)", "rel_volume_5m, rel_volume(5m)",
        "rsi_14, rsi(14)", "ema9, ema(9)", "ema_21, ema(21)", "sma_20, sma(20)", "high_30m, high(30m)",
        "low_30m, low(30m)", "rsi(14), rsi(14)", "change_pct(1h), change_pct(60m)"})
    void aliases(String alias, String canonical) {
        assertThat(WhenParser.parseMetric(alias, HISTORY).canonical()).isEqualTo(canonical);
    }

    @Test
    @DisplayName("no input makes the parser throw anything but its own error")
    void randomInputOnlyEverGivesWhenSyntaxException() {
        String[] pieces = {"last", "change_pct", "rsi", "(", ")", "5m", "1h", "14", "-0.5", "1e3", "1e999", ">", ">=",
            "<", "<=", "=", "and", "or", "not", "between", "crosses_above", "crosses_below", " ", "vwap", "rsi_14",
            "ema9", ".", "e", "m", "_", "+", "-", "#", "\u00e9", "\u0000", "\n", "0", "99999999999999999999m",
            "volume_0m", "rsi_", "9.m", "1e", "ema(", ")("};
        Random random = new Random(42);
        int parsed = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                if (random.nextInt(10) == 0) {
                    text.append((char) random.nextInt(0x3000));
                } else {
                    text.append(pieces[random.nextInt(pieces.length)]);
                }
                if (random.nextBoolean()) {
                    text.append(' ');
                }
            }
            try {
                WhenParser.parse(text.toString(), HISTORY);
                parsed++;
            } catch (WhenSyntaxException e) {
                assertThat(e.column()).as("column of %s", text).isBetween(1, text.length() + 1);
            }
            try {
                WhenParser.parseMetric(text.toString(), HISTORY);
            } catch (WhenSyntaxException e) {
                assertThat(e.column()).isPositive();
            }
        }
        assertThat(parsed).as("some random inputs are valid conditions").isPositive();
    }
}
