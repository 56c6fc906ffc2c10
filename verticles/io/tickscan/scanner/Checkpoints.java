package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import io.tickscan.codec.Addresses;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.StateImport;
import io.tickscan.redis.RedisClients;
import io.tickscan.redis.RedisKeys;
import io.tickscan.routing.Partitioner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scanner's checkpoints of its partitions' state in Redis. {@link RedisKeys#state} of partition {@code p} holds
 * the ticks the scanner held for a later scan and the bytes of {@link ScanEngine#exportState} for the partition's
 * symbols; {@link RedisKeys#offsets} holds the Kafka offsets of the ticks in it ({@link AcceptedOffsets}); both are
 * written in one {@code MSET}, so that a source reading from those offsets again gives the partition exactly the
 * ticks its state lacks. Read back once per partition before its consumer is registered; written every
 * {@code redis.checkpoint_interval_ms} on the scanner's context (so between scans) for the partitions that took
 * ticks or fired since their last write (and for all of them when the Kafka partitions read on the node change),
 * an eighth of the owned partitions every eighth of the interval, and for all of them on stop. A failed read or
 * write is counted ({@code checkpoint_failures_total}) and tried again at the next interval; scanning goes on
 * meanwhile. A partition whose read failed is not written until a read
 * succeeds (its stored state would be lost), and what that read brings is merged: symbols seen since keep their
 * newer state.
 *
 * <p>The state value: {@code "TSC1"} (4 bytes), the number of held ticks (int32), each as symbol length (uint8),
 * symbol (ASCII), ts (int64), price and size (f64), then the engine's bytes. A value in another layout is counted as
 * unreadable and overwritten by the next write.
 */
final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    private static final int MAGIC = 0x54534331; // "TSC1"
    /**
     * The owned partitions are written in this many slices, one slice every {@code interval / SLICES}, so that the
     * scanner's context (which also scans) exports a slice's state at a time, not all of it at once.
     */
    private static final int SLICES = 8;

    private final Vertx vertx;
    private final Redis redis;
    private final ScanEngine engine;
    private final Partitioner partitioner;
    private final int[] owned;
    private final String instance;
    private final Counter failures;
    private final FailureLog failureLog;
    private final HeldTicks held;
    private final HeldTicks.Sink heldAgain;
    private final AcceptedOffsets accepted;
    private final String kafkaTopic;
    private final LocalMap<String, JsonObject> acknowledged;
    private Set<String> acknowledgedPartitions = Set.of();
    private final long intervalMs;
    private final boolean[] restored;
    private final boolean[] dirty;
    private int[] partitionOf = new int[0];
    private int mapped;
    private boolean writing;
    private long rounds;
    private int missing;
    private long symbolsRestored;
    private Future<Void> round = Future.succeededFuture();
    private long timer = -1;

    /**
     * @param redis     the {@code redis.*} settings ({@code url} set)
     * @param engine    the scanner's engine
     * @param owned     the partitions the scanner owns
     * @param held      the ticks the scanner holds for a later scan, written with the state
     * @param heldAgain takes the held ticks a checkpoint brings back, as if they had just arrived
     * @param accepted  the Kafka offsets the scanner's partitions took, written with the state
     * @param kafkaTopic the topic the node's Kafka source reads, or null without one: offsets of another topic in a
     *                  checkpoint are not taken
     */
    Checkpoints(Vertx vertx, JsonObject redis, ScanEngine engine, Partitioner partitioner, int[] owned,
                String instance, Counter failures, FailureLog failureLog, HeldTicks held, HeldTicks.Sink heldAgain,
                AcceptedOffsets accepted, String kafkaTopic) {
        this.vertx = vertx;
        // sized like the node's client: a scanner asks for all its partitions at once at start and on stop
        this.redis = RedisClients.create(vertx, redis);
        this.engine = engine;
        this.partitioner = partitioner;
        this.owned = owned.clone();
        this.instance = instance;
        this.failures = failures;
        this.failureLog = failureLog;
        this.held = held;
        this.heldAgain = heldAgain;
        this.accepted = accepted;
        this.kafkaTopic = kafkaTopic;
        this.acknowledged = vertx.sharedData().getLocalMap(Addresses.KAFKA_ACKNOWLEDGED);
        this.intervalMs = redis.getLong("checkpoint_interval_ms");
        this.restored = new boolean[partitioner.partitions()];
        this.dirty = new boolean[partitioner.partitions()];
    }

    /**
     * Reads partition {@code p}'s checkpoint into the engine; completes (never fails) when done: a failed read is
     * counted, logged and tried again at each interval.
     */
    Future<Void> restore(int p) {
        String key = RedisKeys.state(p);
        return redis.send(Request.cmd(Command.MGET).arg(key).arg(RedisKeys.offsets(p))).transform(got -> {
            if (got.failed()) {
                failed("reading " + key, got.cause());
                return Future.succeededFuture();
            }
            adopt(p, got.result().get(0), got.result().get(1));
            return Future.succeededFuture();
        });
    }

    private void adopt(int p, Response stored, Response offsets) {
        String key = RedisKeys.state(p);
        restored[p] = true;
        if (stored == null) {
            missing++;
            LOG.debug("scanner {}: no checkpoint {}, partition {} starts empty", instance, key, p);
            return;
        }
        try {
            Buffer value = stored.toBuffer();
            if (value.length() < 8 || value.getInt(0) != MAGIC) {
                throw new IllegalArgumentException("not a tickscan checkpoint of this version");
            }
            // the engine's state first: a held tick applied before it would make its symbol known, and keep it
            StateImport result = engine.importState(value.getBytes(heldEnd(value), value.length()));
            restoreHeld(value);
            symbolsRestored += result.restored();
            LOG.debug("scanner {}: {} symbols restored from {} ({} known already)", instance, result.restored(),
                    key, result.known());
            if (result.sessionStatsDropped() || result.otherHistory()) {
                LOG.warn("scanner {}: {} was written with other engine settings: {}", instance, key,
                        result.sessionStatsDropped() ? "session stats dropped" : "bars beyond the history dropped");
            }
        } catch (RuntimeException e) {
            // unreadable: counted and overwritten by this scanner's next write rather than read forever; its
            // offsets are not taken, so that the ticks the lost state held are not skipped
            failed("reading " + key + " (" + stored.toBuffer().length() + " bytes)", e);
            dirty[p] = true;
            return;
        }
        dirty[p] = true;
        restoreOffsets(p, offsets);
    }

    /** Takes the offsets of partition {@code p}'s checkpoint when they are of the topic the node reads now. */
    private void restoreOffsets(int p, Response offsets) {
        if (offsets == null || kafkaTopic == null) {
            return;
        }
        try {
            JsonObject stored = new JsonObject(offsets.toBuffer());
            if (kafkaTopic.equals(stored.getString("topic"))) {
                accepted.restore(p, stored.getJsonObject("offsets"));
            }
        } catch (RuntimeException e) {
            // the state stays; without its offsets the partition's ticks are read from the committed offsets
            failed("reading " + RedisKeys.offsets(p), e);
        }
    }

    /** Where the held ticks at the start of a state value end and the engine's bytes start. */
    private static int heldEnd(Buffer value) {
        int at = 8;
        for (int i = value.getInt(4); i > 0; i--) {
            at += 1 + value.getUnsignedByte(at) + 24;
        }
        return at;
    }

    /** Hands the held ticks at the start of a state value back to the scanner. */
    private void restoreHeld(Buffer value) {
        int n = value.getInt(4);
        int at = 8;
        for (int i = 0; i < n; i++) {
            int length = value.getUnsignedByte(at);
            String symbol = value.getString(at + 1, at + 1 + length, StandardCharsets.US_ASCII.name());
            at += 1 + length;
            heldAgain.apply(symbol, value.getLong(at), value.getDouble(at + 8), value.getDouble(at + 16),
                    System.currentTimeMillis());
            at += 24;
        }
    }

    /** The state value of partition {@code p}: its held ticks, then the engine's export of its symbols. */
    private Buffer stateOf(int p) {
        Buffer value = Buffer.buffer().appendInt(MAGIC).appendInt(0);
        int[] count = {0};
        held.forEach((symbol, ts, price, size, arrivedAt) -> {
            if (partitioner.partitionOf(symbol) == p) {
                byte[] name = symbol.getBytes(StandardCharsets.US_ASCII);
                value.appendUnsignedByte((short) name.length).appendBytes(name).appendLong(ts).appendDouble(price)
                        .appendDouble(size);
                count[0]++;
            }
        });
        value.setInt(4, count[0]);
        return value.appendBytes(engine.exportState(i -> partitionOf[i] == p));
    }

    /**
     * The offsets value of partition {@code p}, raised to what the node's Kafka source has acknowledged (one topic;
     * none without a Kafka source).
     */
    private Buffer offsetsOf(int p, String topic, JsonObject acknowledgedOfTopic) {
        return new JsonObject().put("topic", topic).put("offsets", accepted.export(p, acknowledgedOfTopic))
                .toBuffer();
    }

    /** True when the Kafka partitions the node's source reads have changed since the last call. */
    private boolean sourceChanged() {
        Set<String> now = new HashSet<>();
        acknowledged.forEach((topic, offsets) -> offsets.fieldNames().forEach(kp -> now.add(topic + "/" + kp)));
        if (now.equals(acknowledgedPartitions)) {
            return false;
        }
        acknowledgedPartitions = now;
        return true;
    }

    /** Logs what the reads brought, then starts the periodic writes, on the caller's context. */
    void start() {
        long unread = IntStream.of(owned).filter(p -> !restored[p]).count();
        LOG.info("scanner {}: {} symbols restored from Redis checkpoints of {} partitions; {} had none (empty "
                + "state){}", instance, symbolsRestored, owned.length - missing - unread, missing,
                unread > 0 ? "; " + unread + " could not be read, tried again every interval" : "");
        timer = vertx.setPeriodic(Math.max(1, intervalMs / SLICES), id -> checkpoint());
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
        int slice = (int) (rounds++ % SLICES);
        round = Future.join(reads).transform(v -> write(slice)).onComplete(v -> writing = false);
    }

    /** Stops the periodic writes, writes every changed partition and closes the client. */
    Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        // after the round under way, so that no older state lands after the last one
        return round.transform(v -> write(-1)).eventually(() -> {
            redis.close();
            return Future.succeededFuture();
        });
    }

    /**
     * Writes the changed, restored partitions of one slice ({@code slice} of {@link #SLICES}), or every restored
     * partition when {@code slice} is -1; completes when every write has ended (failures are counted).
     *
     * <p>With a Kafka source on the node, the unchanged partitions of the slice get their offsets raised to what
     * the source has acknowledged (their stored state is their state, so it holds every tick below), and when the
     * Kafka partitions read change, every partition is written in this round: so every checkpoint says where its
     * partition's ticks must be read again from, and none holds the source back for long.
     */
    private Future<Void> write(int slice) {
        boolean all = slice < 0;
        mapSymbols();
        boolean everyPartition = sourceChanged();
        String topic = kafkaTopic;
        JsonObject acknowledgedOfTopic = topic == null ? null : acknowledged.get(topic);
        List<Future<?>> writes = new ArrayList<>();
        int written = 0;
        for (int k = 0; k < owned.length; k++) {
            int p = owned[k];
            boolean due = all || everyPartition || k % SLICES == slice;
            if (!restored[p] || !due) {
                continue;
            }
            // the offsets first: what is acknowledged was taken before the state is exported, so the state holds it
            Buffer offsets = offsetsOf(p, topic, acknowledgedOfTopic);
            if (!dirty[p] && !all) {
                if (topic != null) {
                    writes.add(redis.send(Request.cmd(Command.SET).arg(RedisKeys.offsets(p)).arg(offsets))
                            .onFailure(e -> failed("writing " + RedisKeys.offsets(p), e)));
                }
                continue;
            }
            Buffer state = stateOf(p);
            dirty[p] = false;
            written++;
            writes.add(redis.send(Request.cmd(Command.MSET).arg(RedisKeys.state(p)).arg(state)
                    .arg(RedisKeys.offsets(p)).arg(offsets)).onFailure(e -> {
                dirty[p] = true;
                failed("writing " + RedisKeys.state(p), e);
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
