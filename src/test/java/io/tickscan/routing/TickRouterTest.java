package io.tickscan.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The router with one partition and its retry timer in the test's hands: a retry runs when the test runs it, so
 * the test knows that the partition had no consumer at the first attempt.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("the tick router")
class TickRouterTest {
    private static final JsonObject ROUTING = new JsonObject().put("batch_size", 3).put("flush_ms", 5)
            .put("max_in_flight", 1).put("buffer_ticks", 10);
    private static final long DRAIN_MS = 5_000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<TickBatch> received = new ArrayList<>();
    /** The retries the router asked for and the test has not run yet. */
    private final Queue<Runnable> retries = new ArrayDeque<>();
    private Promise<Void> retryAsked;
    private TickRouter router;

    @BeforeEach
    void registerTheCodecs(Vertx vertx) {
        Addresses.registerCodecs(vertx.eventBus());
    }

    /** A router whose retries wait in {@link #retries}; call on the context the router will be used from. */
    private void createRouter(Vertx vertx) {
        retryAsked = Promise.promise();
        router = new TickRouter(vertx, new Partitioner(1), ROUTING, registry, "test", retry -> {
            retries.add(retry);
            retryAsked.tryComplete();
        }, TickRouter.REPLY_TIMEOUT_MS);
    }

    /** Gives partition 0 a consumer that keeps and acknowledges every batch. */
    private Future<Void> consumePartition(Vertx vertx) {
        return vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> {
            received.add(m.body());
            m.reply(null);
        }).completion();
    }

    /** Runs the retry the router asked for last, and prepares to see the next one. */
    private void runRetry() {
        retryAsked = Promise.promise();
        retries.remove().run();
    }

    private double held() {
        return registry.get("worker_queue_depth").tag("source", "test").gauge().value();
    }

    private double routed() {
        return registry.get("ticks_routed").tag("source", "test").counter().count();
    }

    private double timedOut() {
        return registry.get("ticks_dropped").tag("reason", "timeout").counter().count();
    }

    private int ticksReceived() {
        return received.stream().mapToInt(TickBatch::size).sum();
    }

    @Test
    @DisplayName("holds the ticks of a partition without consumer up to its buffer, then delivers them in order")
    void holdsTicksUpToTheBufferUntilThePartitionHasAConsumer(Vertx vertx, VertxTestContext ctx) {
        vertx.runOnContext(v -> {
            createRouter(vertx);
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
                assertThat(held()).isEqualTo(10);
            });
            retryAsked.future()
                    .compose(none -> consumePartition(vertx))
                    .compose(none -> {
                        runRetry();
                        return router.drained(DRAIN_MS);
                    })
                    .onComplete(ctx.succeeding(none -> ctx.verify(() -> {
                        assertThat(ticksReceived()).isEqualTo(10);
                        assertThat(received).extracting(TickBatch::size).containsExactly(3, 3, 3, 1);
                        assertThat(received.get(0).symbols()).containsExactly("S0", "S1", "S2");
                        assertThat(held()).isZero();
                        assertThat(routed()).isEqualTo(10);
                        assertThat(timedOut()).isZero();
                        assertThat(router.hasRoom()).isTrue();
                        ctx.completeNow();
                    })));
        });
    }

    @Test
    @DisplayName("retries a partition without consumer until it has one, losing and repeating nothing")
    void retriesAPartitionUntilItHasAConsumer(Vertx vertx, VertxTestContext ctx) {
        vertx.runOnContext(v -> {
            createRouter(vertx);
            router.offer("A", 1000, 10, 1, 0);
            router.offer("B", 1001, 11, 1, 0);
            router.flushAll();
            retryAsked.future()
                    .compose(none -> {
                        runRetry(); // still no consumer: the batch fails again and a new retry is asked for
                        return retryAsked.future();
                    })
                    .compose(none -> {
                        ctx.verify(() -> {
                            assertThat(received).isEmpty();
                            assertThat(held()).as("held while the partition has no consumer").isEqualTo(2);
                            assertThat(routed()).isZero();
                        });
                        return consumePartition(vertx);
                    })
                    .compose(none -> {
                        runRetry();
                        return router.drained(DRAIN_MS);
                    })
                    .onComplete(ctx.succeeding(none -> ctx.verify(() -> {
                        assertThat(received).hasSize(1);
                        assertThat(received.get(0).symbols()).containsExactly("A", "B");
                        assertThat(received.get(0).prices()).containsExactly(10.0, 11.0);
                        assertThat(held()).isZero();
                        assertThat(routed()).isEqualTo(2);
                        assertThat(retries).as("no retry once the partition has a consumer").isEmpty();
                        ctx.completeNow();
                    })));
        });
    }

    @Test
    @DisplayName("says when the ticks offered so far are acknowledged, not waiting for ticks offered later")
    void acknowledgedCompletesOnceTheTicksOfferedBeforeItAreAcknowledged(Vertx vertx, VertxTestContext ctx) {
        vertx.runOnContext(v -> {
            createRouter(vertx);
            router.offer("A", 1000, 10, 1, 0);
            router.offer("B", 1001, 11, 1, 0);
            Future<Void> firstTwo = router.acknowledged();
            router.offer("C", 1002, 12, 1, 0);
            Future<Void> all = router.acknowledged();
            retryAsked.future()
                    .compose(none -> {
                        ctx.verify(() -> assertThat(firstTwo.isComplete()).as("no owner has taken them yet").isFalse());
                        return consumePartition(vertx);
                    })
                    .compose(none -> {
                        runRetry();
                        return firstTwo;
                    })
                    .compose(none -> {
                        ctx.verify(() -> assertThat(ticksReceived()).isGreaterThanOrEqualTo(2));
                        return all;
                    })
                    .onComplete(ctx.succeeding(none -> ctx.verify(() -> {
                        assertThat(ticksReceived()).isEqualTo(3);
                        assertThat(held()).isZero();
                        assertThat(router.acknowledged().isComplete()).as("nothing offered since").isTrue();
                        ctx.completeNow();
                    })));
        });
    }

    @Test
    @DisplayName("says when ticks offered before were not acknowledged: their owner failed them")
    void acknowledgedFailsWhenAnOwnerFailsTheTicks(Vertx vertx, VertxTestContext ctx) {
        vertx.runOnContext(v -> {
            createRouter(vertx);
            vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> m.fail(500, "boom")).completion()
                    .compose(none -> {
                        router.offer("A", 1000, 10, 1, 0);
                        return router.acknowledged();
                    })
                    .onComplete(ctx.failing(lost -> ctx.verify(() -> {
                        assertThat(lost).isInstanceOf(TickRouter.LostTicks.class)
                                .hasMessageStartingWith("1 ticks were not acknowledged");
                        assertThat(held()).isZero();
                        ctx.completeNow();
                    })));
        });
    }

    @Test
    @DisplayName("gives each tick with an origin the offset of the tick of its Kafka partition it routed there before, "
            + "where the reading began for the first")
    void eachTickCarriesThePreviousOffsetOfItsKafkaPartition(Vertx vertx, VertxTestContext ctx) {
        vertx.runOnContext(v -> {
            createRouter(vertx);
            consumePartition(vertx).compose(none -> {
                router.readingFrom(2, 40);
                router.offer("A", 1000, 10, 1, 0, io.tickscan.codec.TickOrigin.of(2, 42));
                router.offer("B", 1001, 10, 1, 0, io.tickscan.codec.TickOrigin.of(2, 45));
                router.offer("C", 1002, 10, 1, 0, io.tickscan.codec.TickOrigin.of(3, 7)); // never told: unknown
                router.offer("D", 1003, 10, 1, 0);
                router.readingFrom(2, 44); // rewound
                router.offer("E", 1004, 10, 1, 0, io.tickscan.codec.TickOrigin.of(2, 44));
                return router.drained(DRAIN_MS);
            }).onComplete(ctx.succeeding(none -> ctx.verify(() -> {
                long[] previous = received.stream().flatMapToLong(b -> java.util.Arrays.stream(b.previous()))
                        .toArray();
                assertThat(previous).containsExactly(io.tickscan.codec.TickOrigin.readingFrom(40), 42, -1, -1,
                        io.tickscan.codec.TickOrigin.readingFrom(44));
                ctx.completeNow();
            })));
        });
    }

    @Test
    @DisplayName("a loss seen by a report of delivery stays until a caller that reads lost ticks again has seen it")
    void aLossStaysUntilACallerThatReadsAgainSeesIt(Vertx vertx, VertxTestContext ctx) {
        vertx.runOnContext(v -> {
            createRouter(vertx);
            boolean[] failNext = {true};
            vertx.eventBus().<TickBatch>consumer(Addresses.partition(0), m -> {
                if (failNext[0]) {
                    failNext[0] = false;
                    m.fail(500, "the owner failed it");
                } else {
                    m.reply(null);
                }
            }).completion().compose(none -> {
                router.offer("A", 1000, 10, 1, 0);
                Future<Void> report = router.delivered();
                router.offer("B", 1001, 11, 1, 0);
                Future<Void> anotherReport = router.delivered();
                router.offer("C", 1002, 12, 1, 0);
                Future<Void> commit = router.acknowledged();
                router.offer("D", 1003, 13, 1, 0);
                Future<Void> nextCommit = router.acknowledged();
                return Future.join(report, anotherReport, commit, nextCommit).otherwiseEmpty()
                        .map(all -> List.of(report, anotherReport, commit, nextCommit));
            }).onComplete(ctx.succeeding(futures -> ctx.verify(() -> {
                assertThat(futures.get(0).failed()).as("the report whose tick was lost").isTrue();
                assertThat(futures.get(1).failed()).as("a later report: the loss is not read again yet").isTrue();
                assertThat(futures.get(2).failed()).as("the commit after it: it reads the lost tick again").isTrue();
                assertThat(futures.get(3).succeeded()).as("the loss was taken").isTrue();
                ctx.completeNow();
            })));
        });
    }
}
