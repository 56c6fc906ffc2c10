package io.tickscan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The file source with a controllable clock: its pace follows the file's timestamps, bad rows are counted. */
@ExtendWith(VertxExtension.class)
@DisplayName("the file source")
class FileSourceVerticleTest {
    private static final long START = 5_000_000;

    @TempDir
    Path dir;

    @Test
    @DisplayName("plays a file at its pace, re-stamped with the clock, and counts its bad rows by reason")
    void playsTheFileAtItsPaceRestampedWithTheClockAndCountsBadRows(Vertx vertx, VertxTestContext ctx)
            throws Exception {
        Path csv = dir.resolve("ticks.csv");
        Files.writeString(csv, """
                ts,symbol,price,size
                1700000000000,A,10,1
                1700000000500,A,oops,1
                1700000060000,B,20,2
                """);
        Addresses.registerCodecs(vertx.eventBus());
        AtomicLong now = new AtomicLong(START);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Promise<TickBatch>> batches = List.of(Promise.promise(), Promise.promise());
        int[] received = {0};
        JsonObject config = new JsonObject().put("partitions", 1)
                .put("routing", new JsonObject().put("batch_size", 100).put("flush_ms", 5).put("max_in_flight", 2)
                        .put("buffer_ticks", 1000))
                .put("file", new JsonObject().put("path", csv.toString()).put("symbol", "").put("speed", "2x")
                        .put("loop", false));
        vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> {
            m.reply(null);
            if (received[0] == batches.size()) {
                ctx.failNow(new AssertionError("one batch more than expected: " + m.body()));
                return;
            }
            batches.get(received[0]++).complete(m.body());
        }).completion()
                .compose(v -> vertx.deployVerticle(() -> new FileSourceVerticle(registry, now::get),
                        new DeploymentOptions().setConfig(config).setThreadingModel(ThreadingModel.WORKER)))
                .compose(id -> batches.get(0).future().compose(first -> {
                    ctx.verify(() -> {
                        assertThat(first.symbols()).containsExactly("A");
                        assertThat(first.timestamps()).containsExactly(START);
                        assertThat(registry.get("ticks_rejected").tags("reason", "bad_price", "source", "file")
                                .counter().count()).isEqualTo(1);
                    });
                    now.addAndGet(30_000); // B is 60 s after A in the file: due 30 s later at 2x
                    return batches.get(1).future();
                }).compose(second -> {
                    ctx.verify(() -> {
                        assertThat(second.symbols()).containsExactly("B");
                        assertThat(second.timestamps()).containsExactly(START + 30_000);
                    });
                    return vertx.undeploy(id);
                }))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(received[0]).isEqualTo(2);
                    assertThat(registry.get("ticks_routed").tag("source", "file").counter().count()).isEqualTo(2);
                    assertThat(registry.get("ticks_throttled").tag("source", "file").counter().count()).isZero();
                    assertThat(registry.get("ticks_rejected").tags("reason", "bad_price", "source", "file")
                            .counter().count()).isEqualTo(1);
                    ctx.completeNow();
                })));
    }
}
