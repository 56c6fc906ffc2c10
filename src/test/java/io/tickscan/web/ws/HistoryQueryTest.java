package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class HistoryQueryTest {

    static MultiMap params(String... pairs) {
        MultiMap map = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) {
            map.add(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void readsTheParametersWithDefaults() {
        assertThat(HistoryQuery.of(params())).isEqualTo(new HistoryQuery(null, null, null, null, 100));
        assertThat(HistoryQuery.of(params("rule", "r1", "symbol", "", "since", "5", "until", "9", "limit", "1000")))
                .isEqualTo(new HistoryQuery("r1", null, 5L, 9L, 1000));
    }

    @Test
    void namesTheParameterThatIsWrong() {
        assertThatThrownBy(() -> HistoryQuery.of(params("since", "yesterday")))
                .hasMessage("since must be a whole number (epoch milliseconds), found \"yesterday\"");
        assertThatThrownBy(() -> HistoryQuery.of(params("limit", "1001"))).hasMessage("limit must be 1 to 1000, found 1001");
        assertThatThrownBy(() -> HistoryQuery.of(params("limit", "0"))).hasMessage("limit must be 1 to 1000, found 0");
        assertThatThrownBy(() -> HistoryQuery.of(params("limit", "-3")))
                .hasMessage("limit must be a whole number, found \"-3\"");
    }
}
