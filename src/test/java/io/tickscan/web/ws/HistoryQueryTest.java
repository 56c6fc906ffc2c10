package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.codec.Alert;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryQueryTest {
    static Alert alert(String rule, String symbol, long ts) {
        return new Alert(rule + ":" + symbol + ":" + ts, rule, rule, symbol, ts, 1.0, List.of(), new double[0]);
    }

    @Test
    void selectsByRuleSymbolAndInclusiveTimes() {
        HistoryQuery query = new HistoryQuery("r1", "A", 5L, 9L, 10);
        assertThat(query.selects(alert("r1", "A", 5))).isTrue();
        assertThat(query.selects(alert("r1", "A", 9))).isTrue();
        assertThat(query.selects(alert("r1", "A", 4))).isFalse();
        assertThat(query.selects(alert("r1", "A", 10))).isFalse();
        assertThat(query.selects(alert("r2", "A", 6))).isFalse();
        assertThat(query.selects(alert("r1", "B", 6))).isFalse();
        assertThat(new HistoryQuery(null, null, null, null, 1).selects(alert("any", "X", 0))).isTrue();
    }

    @Test
    void refusesALimitOutOfRange() {
        assertThatThrownBy(() -> new HistoryQuery(null, null, null, null, 1001))
                .hasMessage("limit must be 1 to 1000, found 1001");
        assertThatThrownBy(() -> new HistoryQuery(null, null, null, null, 0))
                .hasMessage("limit must be 1 to 1000, found 0");
    }
}
