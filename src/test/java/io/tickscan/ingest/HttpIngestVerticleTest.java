package io.tickscan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP ingest with a controllable clock: every row counted, valid ones routed, stamped with the arrival time. */
@ExtendWith(VertxExtension.class)
class HttpIngestVerticleTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private volatile Consumer<TickBatch> routedHandler = batch -> { };

    @BeforeEach
    void deploy(Vertx vertx, VertxTestContext ctx) {
        Addresses.registerCodecs(vertx.eventBus());
        vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> {
            routedHandler.accept(m.body());
            m.reply(null);
        });
        JsonObject config = new JsonObject().put("partitions", 1).put("routing", new JsonObject()
                .put("batch_size", 100).put("flush_ms", 5).put("max_in_flight", 2).put("buffer_ticks", 3));
        vertx.deployVerticle(() -> new HttpIngestVerticle(registry, () -> 42L), new DeploymentOptions().setConfig(config))
                .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    @DisplayName("rows are counted by reason, long values are cut in the errors, and what the buffer cannot take is refused as overloaded")
    void rowsAreCountedByReasonAndWhatTheBufferCannotTakeIsRefusedAsOverloaded(Vertx vertx, VertxTestContext ctx) {
        String longSymbol = "X".repeat(500);
        String body = String.join("\n",
                "{\"symbol\": \"A\", \"ts\": 1700000000000, \"price\": 1, \"size\": 1}",
                "{\"symbol\": \"A\", \"ts\": \"2023-11-14T22:13:20.5Z\", \"price\": 2, \"size\": 1}",
                "{\"symbol\": \"A\", \"ts\": 1700000000000, \"price\": 0, \"size\": 1}",
                "[1, 2]",
                "{\"symbol\": \"" + longSymbol + "\", \"ts\": 1700000000000, \"price\": 1, \"size\": 1}",
                "{\"symbol\": \"A\", \"ts\": 1700000000000, \"price\": 3, \"size\": 1}",
                "{\"symbol\": \"A\", \"ts\": 1700000000000, \"price\": 4, \"size\": 1}");
        Checkpoint batchRouted = ctx.checkpoint();
        Checkpoint replied = ctx.checkpoint();
        routedHandler = batch -> ctx.verify(() -> {
            assertThat(batch.timestamps()).containsExactly(1700000000000L, 1700000000500L, 1700000000000L);
            assertThat(batch.arrivedAt()).isEqualTo(42L);
            batchRouted.flag();
        });
        vertx.eventBus().<JsonObject>request(Addresses.INGEST_HTTP, Buffer.buffer(body),
                        Addresses.local().addHeader("format", "ndjson"))
                .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
                    JsonObject counts = reply.body();
                    assertThat(counts.getLong("accepted")).isEqualTo(3);
                    assertThat(counts.getJsonObject("rejected").getMap()).containsEntry("bad_price", 1L)
                            .containsEntry("bad_symbol", 1L).containsEntry("malformed", 1L)
                            .containsEntry("overloaded", 1L);
                    assertThat(counts.getJsonArray("errors").getList()).contains(
                            "line 4: malformed: not a JSON object: [1, 2]",
                            "line 7: overloaded: the node is busy; send this row again");
                    assertThat(counts.getJsonArray("errors").getList()).allSatisfy(error ->
                            assertThat(error.toString()).hasSizeLessThan(120));
                    assertThat(registry.get("ticks_rejected").tags("reason", "bad_price", "source", "http").counter()
                            .count()).isEqualTo(1);
                    replied.flag();
                })));
    }

    @Test
    @DisplayName("a body the web side read as CSV is read with its header")
    void csvBodiesAreReadWithTheirHeader(Vertx vertx, VertxTestContext ctx) {
        Checkpoint batchRouted = ctx.checkpoint();
        Checkpoint replied = ctx.checkpoint();
        routedHandler = batch -> ctx.verify(() -> {
            assertThat(batch.symbols()).containsExactly("B", "B");
            batchRouted.flag();
        });
        vertx.eventBus().<JsonObject>request(Addresses.INGEST_HTTP,
                        Buffer.buffer("ts,symbol,price,size\n1700000000000,B,10,1\n1700000001000,B,11,2\n"),
                        Addresses.local().addHeader("format", "csv"))
                .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
                    assertThat(reply.body().getLong("accepted")).isEqualTo(2);
                    replied.flag();
                })));
    }
}
