package io.tickscan.web.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gathering the answers of scanner instances that take their time: done when the last expected one answers, or
 * at the deadline; entries of dead members are not waited for.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("gathering scanner answers")
class GathererTest {
    private static final long DEADLINE_MS = 1500;

    /** A scanner instance that answers every query after {@code delayMs}, or never when negative. */
    private static Future<Void> scanner(Vertx vertx, String instance, String member, long delayMs) {
        vertx.eventBus().<JsonObject>consumer(Addresses.SCANNER_QUERY, m -> {
            if (delayMs >= 0) {
                JsonObject q = m.body();
                vertx.setTimer(delayMs, t -> vertx.eventBus().send(q.getString("reply_to"), new JsonObject()
                        .put("id", q.getString("id")).put("instance", instance)));
            }
        });
        return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.SCANNER_REGISTRY)
                .compose(map -> map.put(instance, new JsonObject().put("instance", instance).put("member", member)));
    }

    /** This node's status as a clustered node that sees the given members (as /api/status lists them). */
    private static void status(Vertx vertx, String... members) {
        JsonArray list = new JsonArray();
        for (String member : members) {
            list.add(new JsonObject().put("id", member).put("address", "127.0.0.1:5701"));
        }
        vertx.eventBus().localConsumer(Addresses.NODE_STATUS, m -> m.reply(new JsonObject().put("clustered", true)
                .put("members", list)));
    }

    @Test
    @DisplayName("completes when the slowest expected instance answers, long before the deadline")
    void completesWithTheLastExpectedAnswer(Vertx vertx, VertxTestContext ctx) {
        status(vertx, "m1");
        Gatherer gatherer = new Gatherer(vertx, DEADLINE_MS);
        long[] started = new long[1];
        Future.all(scanner(vertx, "a", "m1", 50), scanner(vertx, "b", "m1", 400), gatherer.start())
                .compose(v -> {
                    started[0] = System.nanoTime();
                    return gatherer.gather(new JsonObject().put("kind", "matches"));
                })
                .onComplete(ctx.succeeding(g -> ctx.verify(() -> {
                    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started[0]);
                    assertThat(g.answers()).extracting(a -> a.getString("instance")).containsExactly("a", "b");
                    assertThat(g.missing()).isEmpty();
                    assertThat(tookMs).isBetween(400L, DEADLINE_MS - 500);
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("names at the deadline an instance that does not answer, and ignores the entries of dead members")
    void namesTheSilentAtTheDeadlineAndIgnoresDeadMembers(Vertx vertx, VertxTestContext ctx) {
        status(vertx, "m1", "m2");
        Gatherer gatherer = new Gatherer(vertx, DEADLINE_MS);
        long[] started = new long[1];
        Future.all(scanner(vertx, "a", "m1", 10), scanner(vertx, "silent", "m2", -1),
                        scanner(vertx, "gone", "m3", -1), gatherer.start())
                .compose(v -> {
                    started[0] = System.nanoTime();
                    return gatherer.gather(new JsonObject().put("kind", "matches"));
                })
                .onComplete(ctx.succeeding(g -> ctx.verify(() -> {
                    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started[0]);
                    assertThat(g.answers()).extracting(a -> a.getString("instance")).containsExactly("a");
                    assertThat(g.missing()).containsExactly("silent");
                    assertThat(tookMs).isBetween(DEADLINE_MS - 5, DEADLINE_MS + 300);
                    ctx.completeNow();
                })));
    }
}
