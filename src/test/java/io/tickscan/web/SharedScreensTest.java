package io.tickscan.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedScreensTest {
    final List<Promise<JsonObject>> asked = new ArrayList<>();
    long now = 1_000;
    final SharedScreens screens = new SharedScreens(screen -> {
        Promise<JsonObject> promise = Promise.promise();
        asked.add(promise);
        return promise.future();
    }, () -> now);

    static JsonObject screen(String rule) {
        return new JsonObject().put("rule", rule).put("sort", "last").put("order", "desc").put("limit", 10);
    }

    @Test
    void clientsScreeningTheSameWayShareOneQuestionPerSecond() {
        Future<JsonObject> first = screens.apply(screen("a"));
        Future<JsonObject> second = screens.apply(screen("a"));
        assertThat(second).isSameAs(first);
        assertThat(asked).hasSize(1);
        screens.apply(screen("b"));
        assertThat(asked).hasSize(2);

        now += SharedScreens.FRESH_MS + 1; // a question still in flight stays shared, however old
        assertThat(screens.apply(screen("a"))).isSameAs(first);
        asked.get(0).complete(new JsonObject());
        assertThat(screens.apply(screen("a"))).isNotSameAs(first);
        assertThat(asked).hasSize(3);
        now += SharedScreens.FRESH_MS;
        assertThat(screens.apply(screen("a"))).isSameAs(asked.get(2).future());
    }

    @Test
    void answersNobodyAsksForAgainAreForgotten() {
        screens.apply(screen("a")).onComplete(x -> { });
        asked.get(0).complete(new JsonObject());
        now += SharedScreens.FRESH_MS + 1;
        screens.apply(screen("b"));
        assertThat(screens.size()).isEqualTo(1);
    }
}
