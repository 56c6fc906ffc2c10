package io.tickscan.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TickRouterTest {
    private static final JsonObject ROUTING = new JsonObject().put("batch_size", 3).put("flush_ms", 5)
            .put("max_in_flight", 1).put("buffer_ticks", 10);

    @Test
    void ticksWaitForAPartitionWithoutOwnerWithinTheBufferAndArriveOnceItHasOne(Vertx vertx, VertxTestContext ctx) {
        Addresses.registerCodecs(vertx.eventBus());
        Partitioner partitioner = new Partitioner(1);
        List<TickBatch> received = new CopyOnWriteArrayList<>();
        vertx.runOnContext(v -> {
            AtomicLong held = new AtomicLong();
            TickRouter router = new TickRouter(vertx, partitioner, ROUTING, new SimpleMeterRegistry(), "test", held);
            int taken = 0;
            for (int i = 0; i < 12; i++) {
                if (router.offer("S" + i, 1000 + i, 10, 1, 0)) {
                    taken++;
                }
            }
            int accepted = taken;
            ctx.verify(() -> {
                assertThat(accepted).as("the buffer holds 10 ticks").isEqualTo(10);
                assertThat(router.hasRoom()).isFalse();
            });
            vertx.setTimer(300, id -> vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> {
                received.add(m.body());
                m.reply(null);
            }));
            vertx.setTimer(1500, id -> ctx.verify(() -> {
                assertThat(received.stream().mapToInt(TickBatch::size).sum()).isEqualTo(10);
                assertThat(received.get(0).symbols()).containsExactly("S0", "S1", "S2");
                assertThat(held.get()).isZero();
                assertThat(router.hasRoom()).isTrue();
                ctx.completeNow();
            }));
        });
    }
}
