package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.StateImport;
import io.tickscan.redis.RedisClients;
import io.tickscan.routing.Partitioner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scanner's checkpoints of its partitions' state in Redis, {@code tickscan:state:<p>} holding the bytes of
 * {@link ScanEngine#exportState} for the symbols of partition {@code p}. Read back once per partition before its
 * consumer is registered; written every {@code redis.checkpoint_interval_ms} on the scanner's context (so between
 * scans) for the partitions that took ticks or fired since their last write, and for all of them on stop. A failed
 * read or write is counted ({@code checkpoint_failures_total}) and tried again at the next interval; scanning goes
 * on meanwhile. A partition whose read failed is not written until a read succeeds (its stored state would be lost),
 * and what that read brings is merged: symbols seen since keep their newer state.
 */
final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    static final String KEY_PREFIX = "tickscan:state:";

    private final Vertx vertx;
    private final Redis redis;
    private final ScanEngine engine;
    private final Partitioner partitioner;
    private final int[] owned;
    private final String instance;
    private final Counter failures;
    private final FailureLog failureLog;
    private final BooleanSupplier settled;
    private final long intervalMs;
    private final boolean[] restored;
    private final boolean[] dirty;
    private int[] partitionOf = new int[0];
    private int mapped;
    private boolean writing;
    private int missing;
    private long symbolsRestored;
    private Future<Void> round = Future.succeededFuture();
    private long timer = -1;

    /**
     * @param redis     the {@code redis.*} settings ({@code url} set)
     * @param engine    the scanner's engine
     * @param owned     the partitions the scanner owns
     * @param settled   true when no tick the scanner took is held back from the engine, so a write holds them all
     */
    Checkpoints(Vertx vertx, JsonObject redis, ScanEngine engine, Partitioner partitioner, int[] owned,
                String instance, Counter failures, FailureLog failureLog, BooleanSupplier settled) {
        this.vertx = vertx;
        // sized like the node's client: a scanner asks for all its partitions at once at start and on stop
        this.redis = RedisClients.create(vertx, redis);
        this.engine = engine;
        this.partitioner = partitioner;
        this.owned = owned.clone();
        this.instance = instance;
        this.failures = failures;
        this.failureLog = failureLog;
        this.settled = settled;
        this.intervalMs = redis.getLong("checkpoint_interval_ms");
        this.restored = new boolean[partitioner.partitions()];
        this.dirty = new boolean[partitioner.partitions()];
    }

    /** The Redis key of partition {@code p}'s state. */
    static String key(int p) {
        return KEY_PREFIX + p;
    }

    /**
     * Reads partition {@code p}'s checkpoint into the engine; completes (never fails) when done: a failed read is
     * counted, logged and tried again at each interval.
     */
    Future<Void> restore(int p) {
        return redis.send(Request.cmd(Command.GET).arg(key(p))).transform(got -> {
            if (got.failed()) {
                failed("reading " + key(p), got.cause());
                return Future.succeededFuture();
            }
            adopt(p, got.result());
            return Future.succeededFuture();
        });
    }

    private void adopt(int p, Response stored) {
        restored[p] = true;
        if (stored == null) {
            missing++;
            LOG.debug("scanner {}: no checkpoint {}, partition {} starts empty", instance, key(p), p);
            return;
        }
        try {
            StateImport result = engine.importState(stored.toBuffer().getBytes());
            symbolsRestored += result.restored();
            LOG.debug("scanner {}: {} symbols restored from {} ({} known already)", instance, result.restored(),
                    key(p), result.known());
            if (result.sessionStatsDropped() || result.otherHistory()) {
                LOG.warn("scanner {}: {} was written with other engine settings: {}", instance, key(p),
                        result.sessionStatsDropped() ? "session stats dropped" : "bars beyond the history dropped");
            }
        } catch (RuntimeException e) {
            // unreadable: counted and overwritten by this scanner's next write rather than read forever
            failed("reading " + key(p) + " (" + stored.toBuffer().length() + " bytes)", e);
        }
        dirty[p] = true;
    }

    /** Logs what the reads brought, then starts the periodic writes, on the caller's context. */
    void start() {
        long unread = IntStream.of(owned).filter(p -> !restored[p]).count();
        LOG.info("scanner {}: {} symbols restored from Redis checkpoints of {} partitions; {} had none (empty "
                + "state){}", instance, symbolsRestored, owned.length - missing - unread, missing,
                unread > 0 ? "; " + unread + " could not be read, tried again every interval" : "");
        timer = vertx.setPeriodic(intervalMs, id -> checkpoint());
    }

    /** Partition {@code p} took ticks. */
    void changed(int p) {
        dirty[p] = true;
    }

    /** A rule fired for the symbol at {@code symbol}: its cooldown changed. */
    void fired(int symbol) {
        dirty[partitionOf(symbol)] = true;
    }

    private int partitionOf(int symbol) {
        mapSymbols();
        return partitionOf[symbol];
    }

    /** Maps every symbol the engine added since to its partition. */
    private void mapSymbols() {
        int n = engine.symbolCount();
        if (n > mapped) {
            if (n > partitionOf.length) {
                partitionOf = Arrays.copyOf(partitionOf, Math.max(n, 2 * partitionOf.length));
            }
            for (; mapped < n; mapped++) {
                partitionOf[mapped] = partitioner.partitionOf(engine.symbol(mapped));
            }
        }
    }

    /** One interval: the reads that failed again, then the writes of the partitions changed since. */
    private void checkpoint() {
        if (writing) {
            return; // the previous round is still under way
        }
        List<Future<Void>> reads = new ArrayList<>();
        for (int p : owned) {
            if (!restored[p]) {
                reads.add(restore(p));
            }
        }
        writing = true;
        round = Future.join(reads).transform(v -> write(false)).onComplete(v -> writing = false);
    }

    /** Stops the periodic writes, writes every changed partition and closes the client. */
    Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        // after the round under way, so that no older state lands after the last one
        return round.transform(v -> write(true)).eventually(() -> {
            redis.close();
            return Future.succeededFuture();
        });
    }

    /** Writes the changed, restored partitions; completes when every write has ended (failures are counted). */
    private Future<Void> write(boolean all) {
        boolean clear = settled.getAsBoolean();
        mapSymbols();
        List<Future<?>> writes = new ArrayList<>();
        int written = 0;
        for (int p : owned) {
            if (!restored[p] || !(dirty[p] || all)) {
                continue;
            }
            byte[] state = engine.exportState(i -> partitionOf[i] == p);
            dirty[p] = !clear;
            written++;
            writes.add(redis.send(Request.cmd(Command.SET).arg(key(p)).arg(Buffer.buffer(state))).onFailure(e -> {
                dirty[p] = true;
                failed("writing " + key(p), e);
            }));
        }
        if (all) {
            LOG.info("scanner {}: state of {} partitions checkpointed on stop", instance, written);
        }
        return Future.join(writes).transform(v -> Future.succeededFuture());
    }

    private void failed(String what, Throwable cause) {
        failures.increment();
        failureLog.failed(what + " on scanner " + instance, cause);
    }
}
