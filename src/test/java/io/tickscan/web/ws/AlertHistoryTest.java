package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlertHistoryTest {

    static List<Long> ts(List<EncodedAlert> alerts) {
        return alerts.stream().map(a -> a.alert().ts()).toList();
    }

    @Test
    void keepsTheLastAlertsAndResumesAfterOneItHolds() {
        AlertHistory history = new AlertHistory(5);
        assertThat(history.oldest()).isNull();
        for (int i = 1; i <= 8; i++) {
            history.add(Alerts.encoded("r", "S", i));
        }
        assertThat(history.size()).isEqualTo(5);
        assertThat(history.oldest().alert().ts()).isEqualTo(4);
        assertThat(ts(history.after("r:S:5"))).containsExactly(6L, 7L, 8L);
        assertThat(ts(history.after("r:S:8"))).isEmpty();
        assertThat(history.after("r:S:3")).as("evicted").isNull();
        assertThat(history.after("nope")).as("unknown").isNull();
    }

    @Test
    void selectsByRuleSymbolAndTimeNewestFirstUpToTheLimit() {
        AlertHistory history = new AlertHistory(100);
        for (int i = 0; i < 30; i++) {
            history.add(Alerts.encoded(i % 2 == 0 ? "even" : "odd", i % 3 == 0 ? "THREE" : "OTHER", 1000 + i));
        }
        assertThat(ts(history.select(new HistoryQuery(null, null, null, null, 3)))).containsExactly(1029L, 1028L, 1027L);
        assertThat(ts(history.select(new HistoryQuery("even", "THREE", null, null, 100))))
                .containsExactly(1024L, 1018L, 1012L, 1006L, 1000L);
        assertThat(ts(history.select(new HistoryQuery("odd", null, 1020L, 1025L, 100))))
                .containsExactly(1025L, 1023L, 1021L);
        assertThat(history.select(new HistoryQuery(null, "NONE", null, null, 100)))
                .isEmpty();
    }

    @Test
    void aHistoryOfNoAlertsKeepsNone() {
        AlertHistory history = new AlertHistory(0);
        history.add(Alerts.encoded("r", "S", 1));
        assertThat(history.size()).isZero();
        assertThat(history.after("r:S:1")).isNull();
    }
}
