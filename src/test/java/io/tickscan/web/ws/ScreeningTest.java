package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The screen loop with a fake screener. */
@ExtendWith(VertxExtension.class)
class ScreeningTest {

    static final ClientMessage.Screen SCREEN = new ClientMessage.Screen("r1", new JsonObject().put("rule", "r1")
            .put("sort", "last").put("order", "desc").put("limit", 3));

    @Test
    void asksAtOnceAndEverySecondAndStopsAtAFailedAnswer(Vertx vertx, VertxTestContext test) {
        FakeSink sink = new FakeSink();
        List<JsonObject> asked = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Function<JsonObject, Future<JsonObject>> screener = query -> {
            asked.add(query);
            return calls.incrementAndGet() == 3 ? Future.failedFuture("no rule r1")
                    : Future.succeededFuture(new JsonObject().put("scan_ts", calls.get()).put("matches", List.of()));
        };
        vertx.runOnContext(v -> {
            AlertClient client = new AlertClient(sink, AlertClientTest.SETTINGS, new AlertHistory(1),
                    new StringBuilder(), System::currentTimeMillis, c -> { });
            Screening screening = new Screening(vertx, screener, client, SCREEN);
            long started = System.nanoTime();
            screening.start();
            vertx.setPeriodic(20, id -> {
                if (calls.get() < 3) {
                    return;
                }
                vertx.cancelTimer(id);
                vertx.setTimer(1200, done -> test.verify(() -> {
                    assertThat(calls.get()).as("no question after the failed one").isEqualTo(3);
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(2000);
                    assertThat(asked).allSatisfy(q -> assertThat(q).isEqualTo(SCREEN.query()));
                    assertThat(sink.frames).extracting(f -> f.getString("type"))
                            .containsExactly("matches", "matches", "error");
                    assertThat(sink.frames.get(0).getString("rule")).isEqualTo("r1");
                    assertThat(sink.frames.get(1).getInteger("scan_ts")).isEqualTo(2);
                    assertThat(sink.frames.get(2).getString("error"))
                            .isEqualTo("screen r1: no rule r1; the screen has stopped (send screen again)");
                    test.completeNow();
                }));
            });
        });
    }
}
