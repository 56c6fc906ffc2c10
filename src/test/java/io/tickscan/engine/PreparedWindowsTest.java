package io.tickscan.engine;

import static io.tickscan.engine.EngineHarness.MINUTE;
import static io.tickscan.engine.EngineHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The windows of complete bars prepared for the next minute in the scans before it ({@link MetricColumns}): bit
 * for bit what a window computed from scratch gives ({@link EngineVsReferenceModelTest} checks that on random
 * streams), and never used once the state has changed under them other than by ticks and scans.
 */
class PreparedWindowsTest {
    private static final String[] RULES = {"volume(5m) > 0", "high(5m) > 0", "low(3m) > 0", "sma(3) > 0"};
    private static final List<String> METRICS = List.of("volume(5m)", "high(5m)", "low(3m)", "sma(3)");

    @Test
    @DisplayName("a symbol handed away and back within a minute is scanned at the next minute with the bars it came "
            + "back with")
    void windowsPreparedBeforeAHandOverAreNotUsedAfterIt() {
        EngineHarness here = EngineHarness.of(0, RULES);
        EngineHarness there = EngineHarness.of(0, RULES);
        long halfPastSeven = T0 + 7 * MINUTE + 30_000;
        for (long t = T0; t < halfPastSeven; t += 1000) {
            if (t % 10_000 == 0) {
                long m = (t - T0) / MINUTE;
                here.tick("X", t, 100 + m, 1);
                there.tick("X", t, 200 - m, 10); // other bars than here's
            }
            here.scan(t + 1000);
            there.scan(t + 1000);
        }
        // here gives X away and takes it back as there has it, after its scans of minute 7 prepared minute 8's
        // windows from its own bars
        assertThat(here.engine.release(i -> true)).isEqualTo(1);
        assertThat(here.engine.importState(there.engine.exportState(i -> true)).restored()).isEqualTo(1);
        for (long t = halfPastSeven + 1000; t <= T0 + 8 * MINUTE; t += 1000) {
            here.scan(t);
            there.scan(t);
        }
        for (String metric : METRICS) {
            assertThat(here.value("X", metric)).as(metric).isEqualTo(there.value("X", metric)).isNotNaN();
        }
    }
}
