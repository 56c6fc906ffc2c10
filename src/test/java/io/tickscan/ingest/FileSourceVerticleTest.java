package io.tickscan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The file source with a controllable clock: its pace follows the file's timestamps, bad rows are counted. */
@ExtendWith(VertxExtension.class)
class FileSourceVerticleTest {
    @TempDir
    Path dir;

    @Test
    void playsTheFileAtItsPaceRestampedWithTheClockAndCountsBadRows(Vertx vertx, VertxTestContext ctx)
            throws Exception {
        Path csv = dir.resolve("ticks.csv");
        Files.writeString(csv, "ts,symbol,price,size\n1700000000000,A,10,1\n1700000000500,A,oops,1\n1700000060000,B,20,2\n");
        Addresses.registerCodecs(vertx.eventBus());
        long[] now = {5_000_000};
        List<TickBatch> received = new CopyOnWriteArrayList<>();
        vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> {
            received.add(m.body());
            m.reply(null);
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JsonObject config = new JsonObject().put("partitions", 1)
                .put("routing", new JsonObject().put("batch_size", 100).put("flush_ms", 5).put("max_in_flight", 2)
                        .put("buffer_ticks", 1000))
                .put("file", new JsonObject().put("path", csv.toString()).put("symbol", "").put("speed", "2x")
                        .put("loop", false));
        vertx.deployVerticle(() -> new FileSourceVerticle(registry, () -> now[0]),
                new DeploymentOptions().setConfig(config).setThreadingModel(ThreadingModel.WORKER))
                .onComplete(ctx.succeeding(id -> vertx.setTimer(300, t1 -> ctx.verify(() -> {
                    assertThat(received).hasSize(1);
                    assertThat(received.get(0).symbols()).containsExactly("A");
                    assertThat(received.get(0).timestamps()).containsExactly(5_000_000L);
                    assertThat(registry.get("ticks_rejected").tag("reason", "bad_price").counter().count())
                            .isEqualTo(1);
                    now[0] += 30_000; // B is 60 s after A in the file: due 30 s later at 2x
                    vertx.setTimer(1500, t2 -> ctx.verify(() -> {
                        assertThat(received).hasSize(2);
                        assertThat(received.get(1).symbols()).containsExactly("B");
                        assertThat(received.get(1).timestamps()).containsExactly(5_030_000L);
                        ctx.completeNow();
                    }));
                }))));
    }
}
