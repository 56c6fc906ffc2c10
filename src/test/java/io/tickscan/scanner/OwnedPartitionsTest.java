package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.routing.Partitioner;
import io.tickscan.rules.RuleLimits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The partitions of one scanner instance, without Redis, as tables come and checkpoints are refused. */
@ExtendWith(VertxExtension.class)
@DisplayName("the partitions a scanner instance owns")
class OwnedPartitionsTest {
    private static final int P = 4;
    private static final String ME = "a/scanner-0";
    private static final String RULES = "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 0}]";

    private OwnedPartitions owned;
    private Context context;

    private void create(Vertx vertx) {
        Addresses.registerCodecs(vertx.eventBus());
        ScanEngine engine = new ScanEngine(RulesFile.parse(RULES, new RuleLimits(180, 100, 64)),
                EngineSettings.DEFAULTS);
        PartitionStates states = new PartitionStates(engine, new Partitioner(P), new HeldTicks(10),
                (s, ts, price, size, at) -> { }, imported -> { });
        owned = new OwnedPartitions(vertx, ME, "a", P, m -> m.reply(null), states, new AcceptedOffsets(P), null,
                null, new FailureLog(LoggerFactory.getLogger(OwnedPartitionsTest.class)),
                OwnershipLease.unconditional());
        context = vertx.getOrCreateContext();
    }

    /** Runs {@code step} on the instance's context. */
    private <T> Future<T> on(Supplier<Future<T>> step) {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> step.get().onComplete(done));
        return done.future();
    }

    /** A table of epoch {@code epoch} that gives every partition to this instance, the only one live. */
    private static JsonObject allMine(long epoch, boolean withPrevious) {
        JsonArray owners = new JsonArray(Collections.nCopies(P, ME));
        return new JsonObject().put("epoch", epoch).put("owners", owners)
                .put("previous", withPrevious ? owners.copy() : null).put("live", new JsonArray().add(ME));
    }

    @Test
    @DisplayName("a refused checkpoint makes it take the partition again once per table; a second refusal under "
            + "the same table leaves it given up until the next table (no token ping-pong in a split)")
    void retakesOncePerTable(Vertx vertx, VertxTestContext ctx) {
        create(vertx);
        on(() -> owned.start(List.of()))
                .compose(v -> on(() -> owned.apply(allMine(1, false))))
                .compose(v -> on(() -> owned.lost(2)))
                .compose(v -> {
                    ctx.verify(() -> assertThat(owned.count()).as("taken again after the first refusal")
                            .isEqualTo(P));
                    return on(() -> owned.lost(2));
                })
                .compose(v -> {
                    ctx.verify(() -> assertThat(owned.count()).as("given up after the second refusal")
                            .isEqualTo(P - 1));
                    return on(() -> owned.apply(allMine(2, true)));
                })
                .compose(v -> {
                    ctx.verify(() -> assertThat(owned.count()).as("taken again with the next table").isEqualTo(P));
                    return on(() -> owned.lost(2));
                })
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(owned.count()).as("taken again once under the new table").isEqualTo(P);
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("a repair asked while the partition's take waits for its hand-over registers nothing again; one "
            + "asked after its consumer was registered registers it again")
    void repairsOnlyHeldPartitions(Vertx vertx, VertxTestContext ctx) {
        create(vertx);
        String giver = "b/scanner-0";
        JsonArray before = new JsonArray(Collections.nCopies(P, giver));
        JsonArray after = before.copy().set(2, ME);
        JsonObject table = new JsonObject().put("epoch", 1).put("owners", after).put("previous", before)
                .put("live", new JsonArray().add(ME).add(giver));
        Future<Void> start = on(() -> owned.start(List.of()));
        start.compose(v -> {
            Future<Void> applied = on(() -> owned.apply(table)); // waits for partition 2's hand-over from b
            // the self-check read the registrations now, and found no consumer of partition 2
            Future<Integer> early = on(() -> owned.reregister(new JsonArray().add(2), System.nanoTime()));
            return vertx.timer(50).compose(t -> vertx.eventBus().request(Addresses.handover(ME), handedOver(2)))
                    .compose(m -> applied).compose(a -> early);
        }).compose(early -> {
            ctx.verify(() -> assertThat(early).as("taken after the check: nothing to register again").isZero());
            return on(() -> owned.reregister(new JsonArray().add(2).add(3), System.nanoTime()));
        }).onComplete(ctx.succeeding(late -> ctx.verify(() -> {
            assertThat(late).as("held with a consumer before the check: registered again; 3 is not held")
                    .isEqualTo(1);
            assertThat(owned.count()).isEqualTo(1);
            ctx.completeNow();
        })));
    }

    /** A hand-over of partition {@code p} with an empty state, as a giver without Redis sends it. */
    private static Buffer handedOver(int p) {
        ScanEngine empty = new ScanEngine(RulesFile.parse(RULES, new RuleLimits(180, 100, 64)),
                EngineSettings.DEFAULTS);
        Buffer state = new PartitionStates(empty, new Partitioner(P), new HeldTicks(10),
                (s, ts, price, size, at) -> { }, imported -> { }).export(p);
        return Buffer.buffer().appendInt(p).appendInt(state.length()).appendBuffer(state)
                .appendBuffer(new JsonObject().put("offsets", new JsonObject()).put("token", 0).toBuffer());
    }
}
