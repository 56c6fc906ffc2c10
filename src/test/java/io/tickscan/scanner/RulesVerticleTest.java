package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The rules verticle on a standalone Vert.x (its rule store is then a local map). */
@ExtendWith(VertxExtension.class)
@DisplayName("the rules verticle")
class RulesVerticleTest {
    private static final String FIRST = "[{\"id\": \"a\", \"when\": \"last > 1\"}]";
    private static final String SECOND = "[{\"id\": \"b\", \"when\": \"last > 2\"}, {\"id\": \"c\", \"when\": "
            + "\"last > 3\", \"enabled\": false}]";
    private final List<JsonObject> applied = new CopyOnWriteArrayList<>();
    private final List<JsonObject> published = new CopyOnWriteArrayList<>();
    private final Promise<JsonObject> firstApplied = Promise.promise();
    private final Promise<JsonObject> firstPublished = Promise.promise();

    @BeforeEach
    void deploy(Vertx vertx, VertxTestContext ctx) {
        vertx.eventBus().<JsonObject>localConsumer(Addresses.RULES_APPLY, m -> {
            applied.add(m.body());
            firstApplied.tryComplete(m.body());
        });
        vertx.eventBus().<JsonObject>consumer(Addresses.RULES_UPDATE, m -> {
            published.add(m.body());
            firstPublished.tryComplete(m.body());
        });
        vertx.deployVerticle(RulesVerticle::new, new DeploymentOptions().setConfig(new JsonObject()
                        .put("initial", FIRST).put("engine", new JsonObject().put("history_minutes", 180))
                        .put("rules", new JsonObject().put("max_rules", 2).put("max_conditions", 4))))
                .onComplete(ctx.succeedingThenComplete());
    }

    private static Future<JsonObject> request(Vertx vertx, String address, Object body) {
        return vertx.eventBus().<JsonObject>request(address, body, Addresses.local()).map(Message::body);
    }

    @Test
    @DisplayName("starts the cluster on the configured set as version 1 and refuses an invalid set whole")
    void anInvalidSetChangesNothing(Vertx vertx, VertxTestContext ctx) {
        request(vertx, Addresses.RULES_REPLACE, "[{\"id\": \"x\", \"when\": \"volume(5) > 1\"}]")
                .compose(refused -> {
                    ctx.verify(() -> {
                        assertThat(refused.getBoolean("accepted")).isFalse();
                        assertThat(refused.getInteger("error_count")).isEqualTo(1);
                        assertThat(refused.getJsonArray("errors").getJsonObject(0).getString("text")).isEqualTo(
                                "rule 'x' at when, column 8: 'volume' takes a window in minutes, like 5m or 1h, "
                                        + "found '5'");
                        assertThat(refused.getJsonArray("errors").getJsonObject(0).getString("place"))
                                .isEqualTo("when, column 8");
                    });
                    return request(vertx, Addresses.RULES_CURRENT, null);
                })
                .onComplete(ctx.succeeding(current -> ctx.verify(() -> {
                    assertThat(current).isEqualTo(new JsonObject().put("version", 1).put("text", FIRST)
                            .put("rules", new JsonArray(FIRST)));
                    assertThat(applied).isEmpty();
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("stores a valid set under the next version, hands it to this node's scanners and publishes it to "
            + "the cluster")
    void aValidSetGetsTheNextVersion(Vertx vertx, VertxTestContext ctx) {
        request(vertx, Addresses.RULES_REPLACE, SECOND)
                .compose(accepted -> {
                    ctx.verify(() -> assertThat(accepted).isEqualTo(new JsonObject().put("accepted", true)
                            .put("version", 2).put("rules", 2).put("enabled", 1)));
                    return Future.all(request(vertx, Addresses.RULES_CURRENT, null), firstApplied.future(),
                            firstPublished.future());
                })
                .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
                    JsonObject second = new JsonObject().put("version", 2).put("text", SECOND);
                    assertThat(all.<JsonObject>resultAt(0)).isEqualTo(second.copy().put("rules", new JsonArray(SECOND)));
                    assertThat(all.<JsonObject>resultAt(1)).isEqualTo(second);
                    assertThat(all.<JsonObject>resultAt(2)).isEqualTo(second);
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("adopts a higher version published by another member and ignores a lower one")
    void versionsOnlyGrow(Vertx vertx, VertxTestContext ctx) {
        JsonObject fifth = new JsonObject().put("version", 5).put("text", SECOND);
        vertx.eventBus().publish(Addresses.RULES_UPDATE, fifth);
        vertx.eventBus().publish(Addresses.RULES_UPDATE, new JsonObject().put("version", 4).put("text", FIRST));
        firstApplied.future().compose(first -> request(vertx, Addresses.RULES_CURRENT, null).map(current -> {
                    ctx.verify(() -> {
                        assertThat(first).isEqualTo(fifth);
                        assertThat(current).isEqualTo(fifth.copy().put("rules", new JsonArray(SECOND)));
                    });
                    return current;
                }))
                .onComplete(ctx.succeeding(current -> ctx.completeNow()));
    }

    @Test
    @DisplayName("gives two concurrent replacements two versions, and the higher one is what the node runs")
    void concurrentReplacementsEndWithOneWinner(Vertx vertx, VertxTestContext ctx) {
        Future.all(request(vertx, Addresses.RULES_REPLACE, FIRST), request(vertx, Addresses.RULES_REPLACE, SECOND))
                .compose(both -> {
                    long one = both.<JsonObject>resultAt(0).getLong("version");
                    long other = both.<JsonObject>resultAt(1).getLong("version");
                    ctx.verify(() -> assertThat(List.of(one, other)).containsExactlyInAnyOrder(2L, 3L));
                    return request(vertx, Addresses.RULES_CURRENT, null).map(current -> {
                        ctx.verify(() -> {
                            assertThat(current.getLong("version")).isEqualTo(3);
                            assertThat(current.getString("text")).isEqualTo(one == 3 ? FIRST : SECOND);
                        });
                        return current;
                    });
                })
                .onComplete(ctx.succeeding(current -> ctx.completeNow()));
    }
}
