package io.tickscan.engine;

import static io.tickscan.engine.EngineHarness.DAY;
import static io.tickscan.engine.EngineHarness.MINUTE;
import static io.tickscan.engine.EngineHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.codec.Alert;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every metric and operator of the spec on small hand-made tick sequences, expected values worked out here. */
class ScanEngineTest {

    @Nested
    @DisplayName("last and minute bars")
    class Bars {
        @Test
        void lastIsUndefinedBeforeAnyTickAndFollowsTheNewestTick() {
            EngineHarness h = EngineHarness.of(0, "last > 0");
            h.tick("B", T0 + 100, 5, 1);
            h.scan(T0 + 1000);
            assertThat(h.value("A", "last")).isNaN();
            h.tick("A", T0 + 1200, 10, 1);
            h.tick("A", T0 + 1500, 11, 1);
            h.scan(T0 + 2000);
            assertThat(h.value("A", "last")).isEqualTo(11);
        }

        @Test
        void changePctComparesLastWithTheCloseNMinutesAgoAndIsUndefinedWithoutThatBar() {
            EngineHarness h = EngineHarness.of(0, "change_pct(2m) > 0");
            h.tick("A", T0 + 1_000, 100, 1);             // bar 0 closes at 100
            h.tick("A", T0 + MINUTE + 1_000, 110, 1);    // bar 1
            h.scan(T0 + MINUTE + 2_000);                 // M = 1: bar M-2 does not exist
            assertThat(h.value("A", "change_pct(2m)")).isNaN();
            h.tick("A", T0 + 2 * MINUTE + 1_000, 121, 1);
            h.scan(T0 + 2 * MINUTE + 2_000);             // M = 2: bar 0 exists
            assertThat(h.value("A", "change_pct(2m)")).isEqualTo((121.0 - 100.0) / 100.0 * 100);
        }

        @Test
        void quietMinutesBecomeFlatBarsAtThePreviousClose() {
            EngineHarness h = EngineHarness.of(0, "sma(3) > 0 and volume(3m) >= 0 and high(4m) > 0 and low(4m) > 0");
            h.tick("A", T0 + 1_000, 100, 2);
            h.tick("A", T0 + 2_000, 104, 1);             // bar 0: O 100 H 104 L 100 C 104 V 3
            h.tick("A", T0 + 3 * MINUTE + 5_000, 90, 4); // bars 1, 2 flat at 104; bar 3: 90, V 4
            h.tick("A", T0 + 3 * MINUTE + 6_000, 95, 1); // bar 3: H 95 L 90 C 95 V 5
            h.scan(T0 + 4 * MINUTE);                     // M = 4
            assertThat(h.value("A", "sma(3)")).isEqualTo((104.0 + 104.0 + 95.0) / 3);
            assertThat(h.value("A", "volume(3m)")).isEqualTo(0.0 + 0.0 + 5.0);
            assertThat(h.value("A", "high(4m)")).isEqualTo(104);
            assertThat(h.value("A", "low(4m)")).isEqualTo(90);
            h.scan(T0 + 5 * MINUTE);                     // bar 4 is flat at 95, no tick
            assertThat(h.value("A", "sma(3)")).isEqualTo((104.0 + 95.0 + 95.0) / 3);
            assertThat(h.value("A", "volume(3m)")).isEqualTo(5.0);
            assertThat(h.value("A", "high(4m)")).isEqualTo(104);
            assertThat(h.value("A", "low(4m)")).isEqualTo(90);
        }

        @Test
        void barsStartAtTheMinuteOfTheFirstTick() {
            EngineHarness h = EngineHarness.of(0, "volume(2m) >= 0");
            h.tick("A", T0 + 30_000, 10, 1);
            h.scan(T0 + MINUTE + 1_000);                 // only bar 0 is complete
            assertThat(h.value("A", "volume(2m)")).isNaN();
            h.scan(T0 + 2 * MINUTE);                     // bars 0 and 1 (flat)
            assertThat(h.value("A", "volume(2m)")).isEqualTo(1.0);
        }

        @Test
        void relVolumeComparesTheWindowPerMinuteWithThe60MinutesBefore() {
            EngineHarness h = EngineHarness.of(0, "rel_volume(1m) > 0");
            for (int k = 0; k < 60; k++) {
                h.tick("A", T0 + k * MINUTE + 1_000, 10, 2);
            }
            h.tick("A", T0 + 60 * MINUTE + 1_000, 10, 6);
            h.scan(T0 + 60 * MINUTE + 2_000);            // M = 60: bar M-1-60 = -1 does not exist
            assertThat(h.value("A", "rel_volume(1m)")).isNaN();
            h.scan(T0 + 61 * MINUTE);                    // M = 61: (6 / 1) / (120 / 60)
            assertThat(h.value("A", "rel_volume(1m)")).isEqualTo((6.0 / 1) / (120.0 / 60));
        }

        @Test
        void relVolumeIsUndefinedWhenTheBaselineHasNoVolume() {
            EngineHarness h = EngineHarness.of(0, "rel_volume(1m) > 0");
            h.tick("A", T0 + 1_000, 10, 0);
            h.tick("A", T0 + 60 * MINUTE + 1_000, 10, 6);
            h.scan(T0 + 61 * MINUTE);
            assertThat(h.value("A", "rel_volume(1m)")).isNaN();
        }
    }

    @Nested
    @DisplayName("symbols")
    class Symbols {
        @Test
        void everySymbolIsFoundAsTheStoredInstanceOrAnEqualCopyAfterTheIndexHasGrown() {
            EngineHarness h = EngineHarness.of(0, "last > 0"); // sized for 1,024 symbols: the index grows
            String[] names = new String[5_000];
            for (int i = 0; i < names.length; i++) {
                names[i] = "S" + i;
                h.tick(names[i], T0, 1, 1);
            }
            for (int i = 0; i < names.length; i++) {
                h.tick(names[i], T0 + 1, 2, 1);
                h.tick(new String(names[i].toCharArray()), T0 + 2, 3 + i, 1);
            }
            h.scan(T0 + 1_000);
            assertThat(h.engine.symbolCount()).isEqualTo(names.length);
            assertThat(h.engine.appliedTicks()).isEqualTo(3L * names.length);
            for (int i = 0; i < names.length; i++) {
                assertThat(h.value("S" + i, "last")).as("S%d", i).isEqualTo(3 + i);
            }
            assertThat(h.value("S5000", "last")).as("a symbol never seen").isNaN();
        }
    }

    @Nested
    @DisplayName("incremental indicators")
    class Indicators {
        @Test
        void emaIsSeededWithTheMeanOfTheFirstNClosesThenSmoothed() {
            EngineHarness h = EngineHarness.of(0, "ema(3) > 0");
            double[] closes = {10, 11, 12, 11, 13};
            double[] expected = {Double.NaN, Double.NaN, 11, 11, 12}; // seed (10+11+12)/3, then += (c - ema) * 0.5
            for (int k = 0; k < closes.length; k++) {
                h.tick("A", T0 + k * MINUTE + 1_000, closes[k], 1);
                h.scan(T0 + (k + 1) * MINUTE);
                assertSameDouble(h.value("A", "ema(3)"), expected[k], "after bar " + k);
            }
        }

        @Test
        void rsiUsesWildersAveragesOfGainsAndLosses() {
            EngineHarness h = EngineHarness.of(0, "rsi(3) > 0");
            double[] closes = {10, 11, 12, 11, 13};
            double gain = ((2.0 / 3) * 2 + 2) / 3;       // changes +1 +1 -1 then +2
            double loss = ((1.0 / 3) * 2 + 0) / 3;
            double[] expected = {Double.NaN, Double.NaN, Double.NaN, 100 - 100 / (1 + (2.0 / 3) / (1.0 / 3)),
                100 - 100 / (1 + gain / loss)};
            for (int k = 0; k < closes.length; k++) {
                h.tick("A", T0 + k * MINUTE + 1_000, closes[k], 1);
                h.scan(T0 + (k + 1) * MINUTE);
                assertSameDouble(h.value("A", "rsi(3)"), expected[k], "after bar " + k);
            }
        }

        @Test
        void rsiIs100WithoutLossesAnd50WhenFlat() {
            EngineHarness h = EngineHarness.of(0, "rsi(2) > 0");
            h.tick("U", T0 + 1_000, 10, 1);
            h.tick("F", T0 + 1_000, 10, 1);              // then flat bars
            h.scan(T0 + MINUTE);
            h.tick("U", T0 + MINUTE + 1_000, 11, 1);
            h.scan(T0 + 2 * MINUTE);
            h.tick("U", T0 + 2 * MINUTE + 1_000, 12, 1);
            h.scan(T0 + 3 * MINUTE);
            assertThat(h.value("U", "rsi(2)")).isEqualTo(100);
            assertThat(h.value("F", "rsi(2)")).isEqualTo(50);
        }
    }

    @Nested
    @DisplayName("session stats")
    class Session {
        @Test
        void vwapAndDayMetricsCoverTheSessionHoldingTheInstantBeforeTheScan() {
            EngineHarness h = EngineHarness.of(0,
                    "vwap > 0 and day_open > 0 and day_high > 0 and day_low > 0 and day_volume > 0 "
                            + "and change_pct_day > -100");
            long day2 = DAY + 86_400_000L;
            h.tick("A", day2 - 30_000, 10, 1);
            h.scan(day2);                                // instant day2 - 1 is in day 1
            assertThat(h.value("A", "vwap")).isEqualTo(10);
            assertThat(h.value("A", "day_open")).isEqualTo(10);
            h.tick("A", day2 + 10_000, 20, 1);
            h.tick("A", day2 + 20_000, 30, 3);
            h.scan(day2 + 30_000);
            assertThat(h.value("A", "vwap")).isEqualTo((20.0 * 1 + 30.0 * 3) / (1 + 3));
            assertThat(h.value("A", "day_open")).isEqualTo(20);
            assertThat(h.value("A", "day_high")).isEqualTo(30);
            assertThat(h.value("A", "day_low")).isEqualTo(20);
            assertThat(h.value("A", "day_volume")).isEqualTo(4);
            assertThat(h.value("A", "change_pct_day")).isEqualTo((30.0 - 20.0) / 20.0 * 100);
        }

        @Test
        void aSymbolWithoutTicksInTheSessionHasNoDayMetrics() {
            EngineHarness h = EngineHarness.of(0, "vwap > 0 or day_volume > 0 or last > 0");
            long day2 = DAY + 86_400_000L;
            h.tick("A", day2 - 30_000, 10, 1);
            h.tick("B", day2 + 5_000, 10, 1);
            h.scan(day2 + 10_000);
            assertThat(h.value("A", "vwap")).isNaN();
            assertThat(h.value("A", "day_volume")).isNaN();
            assertThat(h.value("A", "last")).isEqualTo(10);
        }

        @Test
        void vwapIsUndefinedWhenTheSessionVolumeIsZero() {
            EngineHarness h = EngineHarness.of(0, "vwap > 0 or day_volume >= 0");
            h.tick("A", T0 + 1_000, 10, 0);
            h.scan(T0 + 2_000);
            assertThat(h.value("A", "vwap")).isNaN();
            assertThat(h.value("A", "day_volume")).isEqualTo(0);
        }

        @Test
        void aConfiguredSessionStartsAtItsLocalTime() {
            ZoneId newYork = ZoneId.of("America/New_York");
            EngineSettings settings = new EngineSettings(180, newYork, LocalTime.of(9, 30));
            EngineHarness h = EngineHarness.of(List.of(EngineHarness.rule("r", "day_open > 0", 0)), settings);
            long open = DAY + (9 * 60 + 30) * MINUTE + 5 * 3_600_000L; // 09:30 EST = 14:30 UTC
            h.tick("A", open - 60_000, 10, 1);           // 09:29 belongs to the previous session
            h.scan(open);
            assertThat(h.value("A", "day_open")).isEqualTo(10);
            h.tick("A", open + 1_000, 12, 1);
            h.scan(open + 2_000);
            assertThat(h.value("A", "day_open")).isEqualTo(12);
        }
    }

    @Nested
    @DisplayName("session calendar")
    class Calendar {
        private final ZoneId newYork = ZoneId.of("America/New_York");

        @Test
        void aStartInTheRepeatedAutumnHourIsTheFirstOfItsTwoInstantsWhateverWasAskedBefore() {
            // 2023-11-05 01:30 happens twice in New York; the session starts at the first, 05:30Z
            long start = java.time.Instant.parse("2023-11-05T05:30:00Z").toEpochMilli();
            long previous = java.time.Instant.parse("2023-11-04T05:30:00Z").toEpochMilli();
            long at0615 = java.time.Instant.parse("2023-11-05T06:15:00Z").toEpochMilli();
            long at0545 = java.time.Instant.parse("2023-11-05T05:45:00Z").toEpochMilli();
            long at0500 = java.time.Instant.parse("2023-11-05T05:00:00Z").toEpochMilli();
            SessionCalendar fresh = new SessionCalendar(newYork, LocalTime.of(1, 30));
            assertThat(fresh.sessionStart(at0615)).isEqualTo(start);
            SessionCalendar asked = new SessionCalendar(newYork, LocalTime.of(1, 30));
            assertThat(asked.sessionStart(at0545)).isEqualTo(start);
            assertThat(asked.sessionStart(at0615)).isEqualTo(start);
            assertThat(asked.sessionStart(at0500)).isEqualTo(previous);
            assertThat(asked.sessionStart(start - 1)).isEqualTo(previous);
        }

        @Test
        void aStartInTheSkippedSpringHourMovesForwardWithTheGap() {
            // 2024-03-10 02:30 does not exist in New York: the session starts at 03:30 EDT = 07:30Z
            SessionCalendar calendar = new SessionCalendar(newYork, LocalTime.of(2, 30));
            long start = java.time.Instant.parse("2024-03-10T07:30:00Z").toEpochMilli();
            assertThat(calendar.sessionStart(start)).isEqualTo(start);
            assertThat(calendar.sessionStart(start - 1)).isEqualTo(
                    java.time.Instant.parse("2024-03-09T07:30:00Z").toEpochMilli());
        }
    }

    @Nested
    @DisplayName("order and late ticks")
    class Late {
        @Test
        void aTickBeforeTheSymbolsCurrentMinuteIsLate() {
            EngineHarness h = EngineHarness.of(0, "volume(1m) >= 0");
            h.tick("A", T0 + MINUTE + 1_000, 10, 1);
            assertThat(h.tick("A", T0 + 59_000, 11, 1)).isEqualTo(TickOutcome.LATE);
            assertThat(h.engine.lateTicks()).isEqualTo(1);
            h.scan(T0 + 2 * MINUTE);
            assertThat(h.value("A", "volume(1m)")).isEqualTo(1);
        }

        @Test
        void aTickBeforeTheLatestScansMinuteIsLateEvenForANewSymbol() {
            EngineHarness h = EngineHarness.of(0, "last > 0");
            h.tick("A", T0 + 1_000, 10, 1);
            h.scan(T0 + MINUTE);
            assertThat(h.tick("B", T0 + 59_000, 10, 1)).isEqualTo(TickOutcome.LATE);
            assertThat(h.engine.symbolCount()).isEqualTo(1);
        }

        @Test
        void anOlderTickInTheCurrentMinuteCountsForRangeAndVolumeButNotForLastOrClose() {
            EngineHarness h = EngineHarness.of(0, "last > 0 and high(1m) > 0 and low(1m) > 0 and volume(1m) > 0 "
                    + "and sma(1) > 0 and day_volume > 0");
            h.tick("A", T0 + 30_000, 10, 1);
            h.tick("A", T0 + 20_000, 5, 2);              // older: low and volume only
            h.tick("A", T0 + 25_000, 15, 1);             // older: high and volume only
            h.scan(T0 + MINUTE);
            assertThat(h.value("A", "last")).isEqualTo(10);
            assertThat(h.value("A", "sma(1)")).isEqualTo(10);  // the close
            assertThat(h.value("A", "high(1m)")).isEqualTo(15);
            assertThat(h.value("A", "low(1m)")).isEqualTo(5);
            assertThat(h.value("A", "volume(1m)")).isEqualTo(4);
            assertThat(h.value("A", "day_volume")).isEqualTo(4);
        }

        @Test
        void onEqualTimestampsTheLastAppliedTickSetsLast() {
            EngineHarness h = EngineHarness.of(0, "last > 0");
            h.tick("A", T0 + 1_000, 10, 1);
            h.tick("A", T0 + 1_000, 12, 1);
            h.scan(T0 + 2_000);
            assertThat(h.value("A", "last")).isEqualTo(12);
        }

        @Test
        void scansMustAdvanceByWholeSeconds() {
            EngineHarness h = EngineHarness.of(0, "last > 0");
            h.scan(T0 + 1_000);
            assertThatThrownBy(() -> h.scan(T0 + 1_000)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> h.scan(T0 + 2_500)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("operators and three-valued logic")
    class Logic {
        @Test
        void comparisonsAndBetweenAreExactAndInclusiveWhereTheySay() {
            EngineHarness h = EngineHarness.of(0, "last > 10", "last >= 10", "last < 10", "last <= 10",
                    "last between 10 and 12", "last between 10.5 and 12", "10 < last");
            h.tick("A", T0 + 1_000, 10, 1);
            assertThat(h.firedAt(T0 + 2_000, "A")).containsExactly("r1", "r3", "r4");
        }

        @Test
        void metricsCompareWithMetrics() {
            EngineHarness h = EngineHarness.of(0, "last > vwap", "last < vwap", "last between day_low and day_high");
            h.tick("A", T0 + 1_000, 10, 1);
            h.tick("A", T0 + 2_000, 20, 1);
            assertThat(h.firedAt(T0 + 3_000, "A")).containsExactly("r0", "r2");
        }

        @Test
        void anUndefinedSideMakesAComparisonUnknownAndUnknownNeverFires() {
            EngineHarness h = EngineHarness.of(0,
                    "change_pct(5m) > 1",                        // unknown
                    "not (change_pct(5m) > 1)",                  // not unknown = unknown
                    "last > 5 or change_pct(5m) > 1",            // true or unknown = true
                    "last > 5 and change_pct(5m) > 1",           // true and unknown = unknown
                    "last < 5 and change_pct(5m) > 1",           // false and unknown = false
                    "not (last < 5 and change_pct(5m) > 1)",     // not false = true
                    "not (last > 5 and change_pct(5m) > 1)",     // not unknown = unknown
                    "last < 5 or change_pct(5m) > 1",            // false or unknown = unknown
                    "not (last < 5 or change_pct(5m) > 1)",      // unknown
                    "change_pct(5m) between 0 and 1");           // unknown
            h.tick("A", T0 + 1_000, 10, 1);
            assertThat(h.firedAt(T0 + 2_000, "A")).containsExactly("r2", "r5");
        }

        @Test
        @DisplayName("a rule that fails is reported and the scan goes on with the next rule")
        void aFailingRuleDoesNotStopTheScan() {
            EngineHarness h = EngineHarness.of(0, "last > 1", "last > 2");
            h.tick("A", T0 + 1_000, 10, 1);
            List<String> fired = new java.util.ArrayList<>();
            List<String> failed = new java.util.ArrayList<>();
            h.engine.scan(T0 + 2_000, new FiringListener() {
                @Override
                public void fired(CompiledRule rule, int symbol, long t) {
                    if (rule.id().equals("r0")) {
                        throw new IllegalStateException("listener failure");
                    }
                    fired.add(rule.id());
                }

                @Override
                public void failed(CompiledRule rule, long t, RuntimeException failure) {
                    failed.add(rule.id() + ": " + failure.getMessage());
                }
            });
            assertThat(failed).containsExactly("r0: listener failure");
            assertThat(fired).containsExactly("r1");
            assertThatThrownBy(() -> h.engine.scan(T0 + 3_000, (rule, symbol, t) -> {
                throw new IllegalStateException("by default a failure ends the scan");
            })).hasMessage("by default a failure ends the scan");
        }

        @Test
        void notBindsTighterThanAndWhichBindsTighterThanOr() {
            EngineHarness h = EngineHarness.of(0,
                    "not last > 5 and last > 100",               // (not (last > 5)) and ... = false
                    "last > 100 and last > 5 or last > 1",       // (false and true) or true = true
                    "last > 100 and (last > 5 or last > 1)",     // false
                    "NOT last > 100 AND last > 1");              // keywords in any case: true
            h.tick("A", T0 + 1_000, 10, 1);
            assertThat(h.firedAt(T0 + 2_000, "A")).containsExactly("r1", "r3");
        }
    }

    @Nested
    @DisplayName("crosses")
    class Crosses {
        @Test
        void crossesAboveIsUnknownAtTheFirstScanAndFiresOnlyOnTheCrossing() {
            EngineHarness h = EngineHarness.of(0, "last crosses_above 10", "last crosses_below 10");
            h.tick("A", T0 + 100, 11, 1);
            assertThat(h.firedAt(T0 + 1_000, "A")).isEmpty();          // no previous scan
            h.tick("A", T0 + 1_100, 9, 1);
            assertThat(h.firedAt(T0 + 2_000, "A")).containsExactly("r1");
            assertThat(h.firedAt(T0 + 3_000, "A")).isEmpty();          // stays below
            h.tick("A", T0 + 3_100, 10, 1);
            assertThat(h.firedAt(T0 + 4_000, "A")).isEmpty();          // 10 is not above 10
            h.tick("A", T0 + 4_100, 10.5, 1);
            assertThat(h.firedAt(T0 + 5_000, "A")).containsExactly("r0"); // from 10 (<= 10) to above
        }

        @Test
        void theComparisonIsWithTheScanExactlyOneSecondEarlier() {
            EngineHarness h = EngineHarness.of(0, "last crosses_above 10");
            h.tick("A", T0 + 100, 9, 1);
            h.scan(T0 + 1_000);
            h.tick("A", T0 + 1_100, 11, 1);
            assertThat(h.firedAt(T0 + 3_000, "A")).isEmpty();          // scan at T0+2000 was skipped
        }

        @Test
        void aSideUndefinedAtEitherScanMakesItUnknown() {
            EngineHarness h = EngineHarness.of(0, "last crosses_above vwap", "not (last crosses_above vwap)");
            h.tick("A", T0 + 100, 10, 0);                              // vwap undefined: no volume
            h.scan(T0 + 1_000);
            h.tick("A", T0 + 1_100, 20, 1);                            // vwap 20, last 20
            assertThat(h.firedAt(T0 + 2_000, "A")).isEmpty();
        }

        @Test
        void previousValuesAreKeptWhileThePriceBoundsHideTheSymbol() {
            Map<String, Object> rule = EngineHarness.rule("r", "last crosses_above 10", 0);
            rule.put("universe", Map.of("min_price", 10.5));
            EngineHarness h = EngineHarness.of(List.of(rule), EngineSettings.DEFAULTS);
            h.tick("A", T0 + 100, 9, 1);
            assertThat(h.firedAt(T0 + 1_000, "A")).isEmpty();          // 9 is below the bound, still remembered
            h.tick("A", T0 + 1_100, 11, 1);
            assertThat(h.firedAt(T0 + 2_000, "A")).containsExactly("r");
        }
    }

    @Nested
    @DisplayName("cooldown and universe")
    class CooldownAndUniverse {
        @Test
        void cooldownBlocksFiringsStrictlyInsideTheWindowAndAllowsItsExactEnd() {
            EngineHarness h = EngineHarness.of(5, "last > 0");
            h.tick("A", T0 + 100, 10, 1);
            assertThat(h.firedAt(T0 + 1_000, "A")).containsExactly("r0");
            for (long t = T0 + 2_000; t <= T0 + 5_000; t += 1_000) {
                assertThat(h.firedAt(t, "A")).as("at +%d ms", t - T0).isEmpty();
            }
            assertThat(h.firedAt(T0 + 6_000, "A")).containsExactly("r0"); // 6000 - 5000 = last firing
        }

        @Test
        void zeroCooldownFiresAtEveryScan() {
            EngineHarness h = EngineHarness.of(0, "last > 0");
            h.tick("A", T0 + 100, 10, 1);
            assertThat(h.firedAt(T0 + 1_000, "A")).containsExactly("r0");
            assertThat(h.firedAt(T0 + 2_000, "A")).containsExactly("r0");
        }

        @Test
        void cooldownIsPerSymbol() {
            EngineHarness h = EngineHarness.of(60, "last > 0");
            h.tick("A", T0 + 100, 10, 1);
            h.scan(T0 + 1_000);
            h.tick("B", T0 + 1_100, 10, 1);
            assertThat(h.scan(T0 + 2_000)).extracting(Alert::symbol).containsExactly("B");
        }

        @Test
        void theUniverseListsSymbolsAndBoundsPricesInclusively() {
            Map<String, Object> rule = EngineHarness.rule("r", "last > 0", 0);
            rule.put("universe", Map.of("symbols", List.of("A", "B", "C"), "min_price", 10, "max_price", 20));
            EngineHarness h = EngineHarness.of(List.of(rule), EngineSettings.DEFAULTS);
            h.tick("A", T0 + 100, 10, 1);
            h.tick("B", T0 + 100, 20, 1);
            h.tick("C", T0 + 100, 20.01, 1);
            h.tick("D", T0 + 100, 15, 1);
            assertThat(h.scan(T0 + 1_000)).extracting(Alert::symbol).containsExactly("A", "B");
        }

        @Test
        void disabledRulesAreNotEvaluated() {
            Map<String, Object> rule = EngineHarness.rule("off", "last > 0", 0);
            rule.put("enabled", false);
            EngineHarness h = EngineHarness.of(List.of(rule, EngineHarness.rule("on", "last > 0", 0)),
                    EngineSettings.DEFAULTS);
            h.tick("A", T0 + 100, 10, 1);
            assertThat(h.firedAt(T0 + 1_000, "A")).containsExactly("on");
        }
    }

    @Test
    @DisplayName("a rule set swapped at run time keeps bars and cooldowns and warms new indicators from the ring")
    void replacingRules() {
        EngineHarness h = EngineHarness.of(60, "last > 0");
        double[] closes = {10, 11, 12, 11};
        for (int k = 0; k < closes.length; k++) {
            h.tick("A", T0 + k * MINUTE + 1_000, closes[k], 1);
            h.scan(T0 + k * MINUTE + 2_000);
        }
        long lastFiring = T0 + 3 * MINUTE + 2_000; // every minute under the 60 s cooldown
        h.engine.replaceRules(io.tickscan.rules.RuleSetReader.read(List.of(
                EngineHarness.rule("r0", "last > 0", 600),
                EngineHarness.rule("trend", "ema(3) > 0 and sma(2) > 0", 0)), 180));
        List<Alert> alerts = h.scan(T0 + 4 * MINUTE);
        assertThat(alerts).extracting(Alert::ruleId).containsExactly("trend"); // r0 fired less than 600 s ago
        assertThat(h.value("A", "ema(3)")).isEqualTo(11 + (11 - 11) * 0.5); // seed (10+11+12)/3, then 11
        assertThat(h.value("A", "sma(2)")).isEqualTo((12.0 + 11.0) / 2);
        assertThat(h.firedAt(lastFiring + 600_000, "A")).containsExactly("r0", "trend");
    }

    @Test
    @DisplayName("the JSON form of a rule fires exactly as its text form")
    void jsonConditionsFireLikeTheTextForm() {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("id", "json");
        json.put("cooldown_sec", 0);
        json.put("conditions", List.of(Map.of("metric", "last", "op", ">", "metric2", "vwap"),
                Map.of("metric", "price_change_1m_pct", "op", "between", "value", List.of(0, 50))));
        EngineHarness h = EngineHarness.of(List.of(json,
                EngineHarness.rule("text", "last > vwap and change_pct(1m) between 0 and 50", 0)),
                EngineSettings.DEFAULTS);
        h.tick("A", T0 + 1_000, 10, 1);
        h.tick("B", T0 + 1_000, 10, 1);
        h.scan(T0 + MINUTE);
        h.tick("A", T0 + MINUTE + 1_000, 12, 1);
        h.tick("B", T0 + MINUTE + 1_000, 9, 1);
        assertThat(h.scan(T0 + MINUTE + 2_000)).extracting(a -> a.ruleId() + ":" + a.symbol())
                .containsExactly("json:A", "text:A");
    }

    @Test
    @DisplayName("an alert carries its deterministic id, the price and every metric the rule reads")
    void alertContent() {
        Map<String, Object> rule = EngineHarness.rule("mom", "last > 5 or change_pct(5m) > 1", 0);
        rule.put("name", "Momentum");
        rule.put("universe", Map.of("max_price", 100));
        EngineHarness h = EngineHarness.of(List.of(rule), EngineSettings.DEFAULTS);
        h.tick("AAPL", T0 + 100, 10, 1);
        List<Alert> alerts = h.scan(T0 + 1_000);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.get(0);
        assertThat(alert.alertId()).isEqualTo("mom:AAPL:" + (T0 + 1_000));
        assertThat(alert.ruleName()).isEqualTo("Momentum");
        assertThat(alert.ts()).isEqualTo(T0 + 1_000);
        assertThat(alert.price()).isEqualTo(10);
        assertThat(alert.metricNames()).containsExactly("last", "change_pct(5m)");
        assertThat(alert.metric("last")).isEqualTo(10);
        assertThat(alert.metric("change_pct(5m)")).isNaN();
    }

    /** Equal as doubles, NaN included. */
    static void assertSameDouble(double actual, double expected, String what) {
        assertThat(Double.compare(actual, expected)).as("%s: %s, expected %s", what, actual, expected).isZero();
    }
}
