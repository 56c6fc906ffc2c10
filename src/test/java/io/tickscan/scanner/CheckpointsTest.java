package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.redis.RedisKeys;
import io.tickscan.routing.Partitioner;
import io.tickscan.rules.RuleLimits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** A scanner's checkpoints against an in-memory Redis whose replies the test holds back. */
@ExtendWith(VertxExtension.class)
@DisplayName("a scanner's checkpoints")
class CheckpointsTest {
    private static final int P = 8;
    private static final long T0 = 1_700_000_040_000L;
    private static final String RULES = "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 0}]";

    private final FakeRedis redis = new FakeRedis();
    private final Partitioner partitioner = new Partitioner(P);
    private final ScanEngine engine = engine();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** The partitions given up after a refused write. */
    private final List<Integer> lost = new CopyOnWriteArrayList<>();
    private Context context;

    private static ScanEngine engine() {
        return new ScanEngine(RulesFile.parse(RULES, new RuleLimits(180, 100, 64)), EngineSettings.DEFAULTS);
    }

    private Checkpoints checkpoints(Vertx vertx) {
        context = vertx.getOrCreateContext();
        PartitionStates states = new PartitionStates(engine, partitioner, new HeldTicks(10),
                (s, ts, price, size, at) -> { }, imported -> { });
        return new Checkpoints(vertx, redis, 8, states, P, "a/scanner-0", meters.counter("failures"),
                new FailureLog(LoggerFactory.getLogger(CheckpointsTest.class)), new AcceptedOffsets(P), null,
                OwnershipLease.unconditional(), meters.counter("refused"), lost::add, io.vertx.core.json.JsonObject::new);
    }

    /** Runs {@code step} on the checkpoints' context. */
    private <T> Future<T> on(Supplier<Future<T>> step) {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> step.get().onComplete(done));
        return done.future();
    }

    private static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
        Promise<Void> met = Promise.promise();
        vertx.setPeriodic(5, id -> {
            if (condition.getAsBoolean()) {
                vertx.cancelTimer(id);
                met.complete();
            }
        });
        return met.future();
    }

    @Test
    @DisplayName("a read tried again and still in flight when the partition is given away: the hand-over waits for "
            + "it, so the next owner's token is the highest, and its reply is not taken")
    void aReadInFlightDoesNotFenceTheNextOwner(Vertx vertx, VertxTestContext ctx) {
        int p = partitioner.partitionOf("AAPL");
        ScanEngine written = engine();
        written.apply("AAPL", T0, 101, 1);
        redis.set(RedisKeys.state(p), new PartitionStates(written, partitioner, new HeldTicks(10),
                (s, ts, price, size, at) -> { }, imported -> { }).export(p));
        String owner = RedisKeys.owner(p);
        Checkpoints checkpoints = checkpoints(vertx);
        long[] nextOwnersToken = new long[1];
        on(() -> {
            redis.failNext(); // the first read fails: tried again at the next interval
            return checkpoints.take(p);
        }).compose(v -> on(() -> {
            redis.holdNext();
            checkpoints.start();
            return Future.<Void>succeededFuture();
        })).compose(v -> until(vertx, () -> redis.held() == 1)).compose(v -> on(() -> {
            Future<Void> given = checkpoints.give(p, Buffer.buffer(), Buffer.buffer("{}"));
            vertx.setTimer(100, id -> redis.release()); // the read's INCR lands, and its reply comes, later
            // the giver hands the state over once given; the next owner takes its token on receiving it
            return given.onSuccess(g -> nextOwnersToken[0] = redis.incr(owner));
        })).compose(v -> until(vertx, () -> redis.held() == 0)).compose(v -> vertx.timer(50))
                .compose(v -> on(() -> checkpoints.stop()))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(redis.number(owner)).as("the next owner's token is the highest")
                            .isEqualTo(nextOwnersToken[0]);
                    assertThat(checkpoints.token(p)).as("the reply's token is not taken").isZero();
                    assertThat(engine.symbolCount()).as("the reply's state is not taken").isZero();
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("a partition given up while its read is in flight, and taken again: the later take's INCR goes "
            + "after the earlier one has come back, so its token is the highest")
    void aLaterTakeTakesTheHighestToken(Vertx vertx, VertxTestContext ctx) {
        int p = partitioner.partitionOf("AAPL");
        String owner = RedisKeys.owner(p);
        Checkpoints checkpoints = checkpoints(vertx);
        on(() -> {
            redis.holdNext();
            Future<Void> first = checkpoints.take(p);
            checkpoints.drop(p); // fenced, or its checkpoint refused
            Future<Void> second = checkpoints.take(p);
            vertx.setTimer(100, id -> redis.release());
            return Future.all(first, second);
        }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertThat(redis.number(owner)).isEqualTo(2);
            assertThat(checkpoints.token(p)).as("the later take's token is the stored one").isEqualTo(2);
            ctx.completeNow();
        })));
    }

    @Test
    @DisplayName("a take given up before its turn to ask for a token never asks")
    void aTakeGivenUpBeforeItsTurnDoesNotIncrement(Vertx vertx, VertxTestContext ctx) {
        int p = partitioner.partitionOf("AAPL");
        Checkpoints checkpoints = checkpoints(vertx);
        on(() -> {
            redis.holdNext();
            Future<Void> first = checkpoints.take(p);
            checkpoints.drop(p);
            Future<Void> second = checkpoints.take(p); // waits for the first's reply
            checkpoints.drop(p);
            vertx.setTimer(100, id -> redis.release());
            return Future.all(first, second);
        }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertThat(redis.number(RedisKeys.owner(p))).as("only the first INCR was sent").isEqualTo(1);
            assertThat(checkpoints.token(p)).isZero();
            ctx.completeNow();
        })));
    }

    @Test
    @DisplayName("a write under a token below the stored one is refused, counted, and its partition given up")
    void aStaleOwnersWriteIsRefused(Vertx vertx, VertxTestContext ctx) {
        int p = partitioner.partitionOf("AAPL");
        Checkpoints checkpoints = checkpoints(vertx);
        on(() -> checkpoints.take(p)).compose(v -> {
            redis.incr(RedisKeys.owner(p)); // another instance took the partition since
            return on(() -> checkpoints.stop()); // writes every partition read
        }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertThat(meters.counter("refused").count()).isEqualTo(1);
            assertThat(lost).containsExactly(p);
            assertThat(redis.has(RedisKeys.state(p))).as("nothing written").isFalse();
            ctx.completeNow();
        })));
    }
}
