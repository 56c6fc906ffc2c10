package io.tickscan.web.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Ordering merged matches: undefined values last both ways, ties by symbol, the limit after sorting. */
@DisplayName("the order of merged matches")
class MatchOrderTest {
    private static JsonObject match(String symbol, double price, Double rsi) {
        return new JsonObject().put("symbol", symbol).put("price", price)
                .put("metrics", new JsonObject().put("rsi(14)", rsi));
    }

    private static List<JsonObject> matches() {
        return new ArrayList<>(List.of(match("D", 4, null), match("B", 2, 70.0), match("A", 1, 30.0),
                match("C", 3, 70.0), match("E", 5, null)));
    }

    private static List<String> symbols(JsonArray sorted) {
        return sorted.stream().map(m -> ((JsonObject) m).getString("symbol")).toList();
    }

    @Test
    void undefinedValuesComeLastInEitherOrderAndTiesGoBySymbol() {
        List<String> metrics = List.of("rsi(14)");
        assertThat(symbols(MatchOrder.of("rsi(14)", "desc", 10).resolve(metrics).apply(matches())))
                .containsExactly("B", "C", "A", "D", "E");
        assertThat(symbols(MatchOrder.of("rsi(14)", "asc", 10).resolve(metrics).apply(matches())))
                .containsExactly("A", "B", "C", "D", "E");
        assertThat(symbols(MatchOrder.of(null, null, 2).resolve(metrics).apply(matches())))
                .as("the first metric, descending").containsExactly("B", "C");
        assertThat(symbols(MatchOrder.of("price", "asc", 3).resolve(metrics).apply(matches())))
                .containsExactly("A", "B", "C");
        assertThat(symbols(MatchOrder.of("symbol", "desc", 10).resolve(metrics).apply(matches())))
                .containsExactly("E", "D", "C", "B", "A");
    }

    @Test
    void refusesWhatIsNotAnOrder() {
        assertThatThrownBy(() -> MatchOrder.of("rsi_14", "asc", 10).resolve(List.of("rsi(14)")))
                .isInstanceOf(QueryException.class).hasMessageContaining("rsi(14)");
        assertThatThrownBy(() -> MatchOrder.of(null, "up", 10)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> MatchOrder.of(null, "asc", 0)).isInstanceOf(QueryException.class);
    }
}
