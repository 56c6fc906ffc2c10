package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RulesVerticleTest {

    @Test
    void aValidSetIsPublishedToTheScannersAndAnInvalidOneChangesNothing(Vertx vertx, VertxTestContext ctx) {
        List<String> published = new CopyOnWriteArrayList<>();
        vertx.eventBus().<String>consumer(Addresses.RULES_UPDATE, m -> published.add(m.body()));
        String first = "[{\"id\": \"a\", \"when\": \"last > 1\"}]";
        String second = "[{\"id\": \"b\", \"when\": \"last > 2\"}, {\"id\": \"c\", \"when\": \"last > 3\", "
                + "\"enabled\": false}]";
        vertx.deployVerticle(RulesVerticle::new, new DeploymentOptions().setConfig(new JsonObject()
                        .put("rules", first).put("history_minutes", 180)))
                .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.RULES_REPLACE,
                        "[{\"id\": \"x\", \"when\": \"volume(5) > 1\"}]"))
                .compose(refused -> {
                    ctx.verify(() -> assertThat(refused.body().getJsonArray("errors").getList()).containsExactly(
                            "rule 'x' at when, column 8: 'volume' takes a window in minutes, like 5m or 1h, "
                                    + "found '5'"));
                    return vertx.eventBus().<String>request(Addresses.RULES_CURRENT, null);
                })
                .compose(current -> {
                    ctx.verify(() -> assertThat(current.body()).isEqualTo(first));
                    return vertx.eventBus().<JsonObject>request(Addresses.RULES_REPLACE, second);
                })
                .onComplete(ctx.succeeding(accepted -> vertx.setTimer(50, id -> ctx.verify(() -> {
                    assertThat(accepted.body()).isEqualTo(new JsonObject().put("accepted", true).put("rules", 2)
                            .put("enabled", 1));
                    assertThat(published).containsExactly(second);
                    ctx.completeNow();
                }))));
    }
}
