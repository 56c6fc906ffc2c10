package io.tickscan.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An alert's id, made when first asked for, and its equality, as the record it was had them. */
class AlertTest {
    private static final List<String> NAMES = List.of("last", "volume(5m)");

    @Test
    void theIdIsRuleSymbolAndTimeMadeWhenFirstAskedFor() {
        Alert alert = new Alert("breakout-30m", "Breakout", "BTC/USD", 1_385_337_614_000L, 812.5, NAMES,
                new double[] {812.5, 12.25});
        assertThat(alert.alertId()).isEqualTo("breakout-30m:BTC/USD:1385337614000").isSameAs(alert.alertId());
        assertThat(alert.toString()).startsWith("Alert[alertId=breakout-30m:BTC/USD:1385337614000, ruleId=breakout-30m");
    }

    @Test
    void anAlertEqualsTheSameFiringWithItsIdGivenAndNotOneWithOtherValues() {
        double[] values = {812.5, 12.25};
        Alert made = new Alert("r", "R", "SYM", 60_000L, 812.5, NAMES, values);
        Alert read = new Alert("r:SYM:60000", "r", "R", "SYM", 60_000L, 812.5, NAMES, values);
        assertThat(made).isEqualTo(read).hasSameHashCodeAs(read);
        assertThat(made).isNotEqualTo(new Alert("r", "R", "SYM", 61_000L, 812.5, NAMES, values))
                .isNotEqualTo(new Alert("r", "R", "SYM", 60_000L, 812.5, NAMES, values.clone()))
                .isNotEqualTo(new Alert("r:SYM:1", "r", "R", "SYM", 60_000L, 812.5, NAMES, values));
    }
}
