package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import io.tickscan.codec.Addresses;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.StateImport;
import io.tickscan.redis.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
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
 * <p>The state value is a {@link PartitionStates} export; a value in another layout is counted as unreadable and
 * overwritten by the next write.
 */
final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    /**
     * The owned partitions are written in this many slices, one slice every {@code interval / SLICES}, so that the
     * scanner's context (which also scans) exports a slice's state at a time, not all of it at once.
     */
    private static final int SLICES = 8;
    /**
     * A fenced checkpoint write: KEYS owner token, offsets[, state]; ARGV the writer's token, offsets[, state].
     * Refused (0) when the stored token is higher than the writer's: a later owner took the partition.
     */
    static final String FENCED_WRITE = "local owner = tonumber(redis.call('GET', KEYS[1]) or '0') "
            + "if owner > tonumber(ARGV[1]) then return 0 end "
            + "redis.call('SET', KEYS[2], ARGV[2]) "
            + "if KEYS[3] then redis.call('SET', KEYS[3], ARGV[3]) end "
            + "return 1";

    private final Vertx vertx;
    private final Redis redis;
    private final PartitionStates states;
    /** The partitions the scanner owns, ascending. */
    private int[] owned = new int[0];
    private final String instance;
    private final Counter failures;
    private final FailureLog failureLog;
    private final AcceptedOffsets accepted;
    private final String kafkaTopic;
    private final LocalMap<String, JsonObject> acknowledged;
    private Set<String> acknowledgedPartitions = Set.of();
    private final long intervalMs;
    private final boolean[] restored;
    private final boolean[] dirty;
    /** Each owned partition's fencing token ({@link RedisKeys#owner}); 0 until taken. */
    private final long[] tokens;
    /**
     * How many times each partition was given up ({@link #drop}): the reply to a read or a token request sent
     * before is not taken (the partition is no longer this instance's, or is under a later take).
     */
    private final int[] tenures;
    /**
     * Each partition's request of a fencing token (an {@code INCR}) until its reply: at most one at a time, and a
     * give waits for it ({@link #give}).
     */
    private final Map<Integer, Future<Void>> tokenRequests = new HashMap<>();
    private final Counter refused;
    private final IntConsumer lost;
    private final Supplier<JsonObject> clusterAcknowledged;
    private boolean writing;
    private long rounds;
    private int missing;
    private long symbolsRestored;
    private Future<Void> round = Future.succeededFuture();
    private long timer = -1;
    private final OwnershipLease lease;

    /**
     * @param redis     the client of the node's Redis ({@link io.tickscan.redis.RedisClients#create}), closed on stop
     * @param intervalMs {@code redis.checkpoint_interval_ms}
     * @param states    the scanner's partitions' states, as they are written and read back
     * @param partitions P, the partition count
     * @param accepted  the Kafka offsets the scanner's partitions took, written with the state
     * @param kafkaTopic the topic the node's Kafka source reads, or null without one: offsets of another topic in a
     *                  checkpoint are not taken
     * @param lease     the node's ownership lease: no periodic write while it does not hold (a node woken from a
     *                  freeze must not overwrite what the partitions' new owners wrote)
     * @param refused   counts the writes refused because a later owner took their partition
     * @param lost      gives up a partition whose write was refused
     * @param clusterAcknowledged what the cluster's Kafka sources reported acknowledged, {@code {"<k>": next}}
     */
    Checkpoints(Vertx vertx, Redis redis, long intervalMs, PartitionStates states, int partitions,
                String instance, Counter failures, FailureLog failureLog, AcceptedOffsets accepted,
                String kafkaTopic, OwnershipLease lease, Counter refused, IntConsumer lost,
                Supplier<JsonObject> clusterAcknowledged) {
        this.lease = lease;
        this.vertx = vertx;
        this.redis = redis;
        this.states = states;
        this.instance = instance;
        this.failures = failures;
        this.failureLog = failureLog;
        this.accepted = accepted;
        this.kafkaTopic = kafkaTopic;
        this.acknowledged = vertx.sharedData().getLocalMap(Addresses.KAFKA_ACKNOWLEDGED);
        this.intervalMs = intervalMs;
        this.restored = new boolean[partitions];
        this.dirty = new boolean[partitions];
        this.tokens = new long[partitions];
        this.tenures = new int[partitions];
        this.refused = refused;
        this.lost = lost;
        this.clusterAcknowledged = clusterAcknowledged;
    }

    /**
     * Reads partition {@code p}'s checkpoint into the engine; completes (never fails) when done: a failed read is
     * counted, logged and tried again at each interval.
     */
    private Future<Void> restore(int p, boolean first) {
        String key = RedisKeys.state(p);
        int tenure = tenures[p];
        return tokenRequest(p, tenure, () -> redis.batch(List.of(Request.cmd(Command.INCR).arg(RedisKeys.owner(p)),
                Request.cmd(Command.MGET).arg(key).arg(RedisKeys.offsets(p))))).transform(got -> {
            if (got.failed()) {
                failed("reading " + key, got.cause());
            } else if (tenure == tenures[p]) {
                // the highest token taken wins (a failed read may have taken one before)
                tokens[p] = Math.max(tokens[p], got.result().get(0).toLong());
                adopt(p, got.result().get(1).get(0), got.result().get(1).get(1), first);
            } else {
                LOG.debug("scanner {}: the read of {} came back after the partition was given up: not taken",
                        instance, key);
            }
            return Future.succeededFuture();
        });
    }

    /** Takes a fencing token for partition {@code p}, handed over without a read of its checkpoint. */
    private void takeToken(int p) {
        int tenure = tenures[p];
        tokenRequest(p, tenure, () -> redis.send(Request.cmd(Command.INCR).arg(RedisKeys.owner(p))))
                .onSuccess(token -> {
                    if (tenure == tenures[p]) {
                        tokens[p] = Math.max(tokens[p], token.toLong());
                    }
                }).onFailure(e -> failed("taking the fencing token " + RedisKeys.owner(p), e));
    }

    /**
     * Sends a request that takes a fencing token of partition {@code p} ({@code send}) once the one before has come
     * back, and keeps it in {@link #tokenRequests} until its own reply: so an {@code INCR} of an earlier tenure
     * still in flight never lands after the one of a later take. A request whose partition was given up since
     * {@code tenure} is not sent; it completes with null.
     */
    private <T> Future<T> tokenRequest(int p, int tenure, Supplier<Future<T>> send) {
        Future<T> request = tokenRequests.getOrDefault(p, Future.succeededFuture())
                .transform(before -> tenure == tenures[p] ? send.get() : Future.<T>succeededFuture());
        Future<Void> replied = request.<Void>mapEmpty().otherwiseEmpty();
        tokenRequests.put(p, replied);
        replied.onComplete(v -> tokenRequests.remove(p, replied));
        return request;
    }

    /**
     * @param first true for the read before the partition's consumer is registered; false for a read tried again
     *              after a failure, while the partition has been taking ticks into the engine already: its state is
     *              then merged into the engine as it is, never caught up in a lane (the ticks read again would be
     *              skipped as taken, and the engine's newer symbols kept)
     */
    private void adopt(int p, Response stored, Response offsets, boolean first) {
        String key = RedisKeys.state(p);
        restored[p] = true;
        if (stored == null) {
            missing++;
            LOG.debug("scanner {}: no checkpoint {}, partition {} starts empty", instance, key, p);
            return;
        }
        StoredOffsets checkpointed = storedOffsets(p, offsets);
        try {
            StateImport result = states.restore(p, stored.toBuffer(),
                    checkpointed == null || !first ? Map.of() : checkpointed.rereadFrom());
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
        if (checkpointed == null) {
            return;
        }
        try {
            accepted.restore(p, checkpointed.offsets(), checkpointed.gaps(), System.currentTimeMillis());
        } catch (RuntimeException e) {
            // the state stays; without its offsets the partition's ticks are read from the committed offsets
            failed("reading " + RedisKeys.offsets(p), e);
            return;
        }
        if (states.toldWhenReadAgain(p)) { // its lane, or the lanes' watch, says when each has been read again
            accepted.awaitReread(p, checkpointed.rereadFrom().keySet(), states.catchingUp(p));
        }
        // the ticks its owner took after this checkpoint: read again by whichever source reads them now
        JsonObject from = new JsonObject();
        checkpointed.rereadFrom().forEach((k, offset) -> from.put(Integer.toString(k), offset));
        vertx.eventBus().publish(Addresses.KAFKA_REREAD, new JsonObject().put("topic", kafkaTopic)
                .put("from", from));
    }

    /**
     * The offsets value of partition {@code p}'s checkpoint ({@code "offsets"}, {@code "gaps"}) when it is of the
     * topic the node reads now; null when there is none, or it is unreadable (counted: the state is taken without
     * it, and the partition's ticks are read from the committed offsets).
     */
    private StoredOffsets storedOffsets(int p, Response offsets) {
        if (offsets == null || kafkaTopic == null) {
            return null;
        }
        try {
            JsonObject stored = new JsonObject(offsets.toBuffer());
            if (!kafkaTopic.equals(stored.getString("topic"))) {
                return null;
            }
            JsonObject checkpointed = stored.getJsonObject("offsets");
            Map<Integer, Long> rereadFrom = new HashMap<>();
            checkpointed.forEach(e -> rereadFrom.put(Integer.parseInt(e.getKey()),
                    ((Number) e.getValue()).longValue() + 1));
            return new StoredOffsets(checkpointed, stored.getJsonObject("gaps"), rereadFrom);
        } catch (RuntimeException e) {
            failed("reading " + RedisKeys.offsets(p), e);
            return null;
        }
    }

    /**
     * A checkpoint's Kafka offsets: those of the ticks in its state, its gaps ({@link AcceptedOffsets}), and per
     * Kafka partition the offset after its own, where the ticks since are read again from.
     */
    private record StoredOffsets(JsonObject offsets, JsonObject gaps, Map<Integer, Long> rereadFrom) {
    }

    /**
     * The offsets value of partition {@code p}, raised to what the Kafka sources have acknowledged
     * ({@link #acknowledgedOfTopic}; none without a Kafka source).
     */
    private Buffer offsetsOf(int p, String topic, JsonObject acknowledgedOfTopic) {
        return new JsonObject().put("topic", topic).put("offsets", accepted.export(p, acknowledgedOfTopic))
                .put("gaps", accepted.exportGaps(p)).toBuffer();
    }

    /**
     * What the Kafka sources have acknowledged of {@code topic}: this node's, and for the Kafka partitions other
     * nodes' sources read, what their watermark reports said ({@link SourceWatermarks#acknowledged}), so that the
     * offsets of a partition that takes no tick of those are raised too (else a source assigned one of them later
     * reads it from far back).
     */
    private JsonObject acknowledgedOfTopic(String topic) {
        JsonObject merged = clusterAcknowledged.get().copy();
        JsonObject local = acknowledged.get(topic);
        if (local != null) {
            local.forEach(e -> merged.put(e.getKey(), Math.max(((Number) e.getValue()).longValue(),
                    merged.getLong(e.getKey(), Long.MIN_VALUE))));
        }
        return merged;
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

    /** Starts the periodic writes, on the caller's context. */
    void start() {
        timer = vertx.setPeriodic(Math.max(1, intervalMs / SLICES), id -> checkpoint());
    }

    /**
     * Takes partition {@code p} on, reading its checkpoint into the engine ({@link #restore}); completes (never
     * fails) when done.
     */
    Future<Void> take(int p) {
        owned = IntStream.concat(IntStream.of(owned), IntStream.of(p)).distinct().sorted().toArray();
        return restore(p, true);
    }

    /**
     * Gives partition {@code p} up with its last {@code state} and {@code offsets}, exported as it left: writes
     * them (after the round under way) when its checkpoint was read, and stops writing it; completes (never fails)
     * when the write has ended. Unread (its read failed, and is tried again), it completes once the read under way
     * has come back, whose reply is then not taken: the hand-over goes after it, so that the token the next owner
     * takes on receiving the state is above the one this read took, and its writes are not refused.
     */
    Future<Void> give(int p, Buffer state, Buffer offsets) {
        long token = tokens[p];
        boolean write = restored[p] && token > 0;
        Future<Void> tokenTaken = tokenRequests.getOrDefault(p, Future.succeededFuture());
        drop(p);
        if (!write) {
            return tokenTaken;
        }
        return round.transform(v -> fencedWrite(p, token, state, offsets))
                .onFailure(e -> failed("writing " + RedisKeys.state(p), e)).<Void>mapEmpty().otherwiseEmpty();
    }

    /** Stops writing partition {@code p} without writing it: the scanner was fenced, its state is stale. */
    void drop(int p) {
        owned = IntStream.of(owned).filter(q -> q != p).toArray();
        tenures[p]++;
        restored[p] = false;
        dirty[p] = false;
        tokens[p] = 0;
    }

    /**
     * Takes partition {@code p} on with the state its previous owner handed over (written at the next round), and
     * the previous owner's fencing token: a hand-over passes the partition on, it does not fence the giver, which
     * stopped writing before it sent the state. Without a token (0) one is taken from Redis.
     */
    void adopted(int p, long token) {
        owned = IntStream.concat(IntStream.of(owned), IntStream.of(p)).distinct().sorted().toArray();
        restored[p] = true;
        dirty[p] = true;
        tokens[p] = token;
        if (token == 0) {
            takeToken(p);
        }
    }

    /** Partition {@code p}'s fencing token, handed over with its state; 0 when none was taken yet. */
    long token(int p) {
        return tokens[p];
    }

    /** Logs what the reads of a change of ownership brought. */
    void logRestored(int taken) {
        LOG.info("scanner {}: {} symbols restored from Redis checkpoints of {} partitions taken; {} had none (empty "
                + "state)", instance, symbolsRestored, taken - missing, missing);
        symbolsRestored = 0;
        missing = 0;
    }

    /** Partition {@code p} took ticks. */
    void changed(int p) {
        dirty[p] = true;
    }

    /** A rule fired for the symbol at {@code symbol}: its cooldown changed. */
    void fired(int symbol) {
        dirty[states.partitionOf(symbol)] = true;
    }

    /** One interval: the reads that failed again, then the writes of the partitions changed since. */
    private void checkpoint() {
        if (writing || !lease.holds()) {
            return; // the previous round is still under way, or the partitions may have moved
        }
        List<Future<Void>> reads = new ArrayList<>();
        for (int p : owned) {
            if (tokenRequests.containsKey(p)) {
                continue; // one token request at a time: its reply decides
            } else if (!restored[p]) {
                reads.add(restore(p, false));
            } else if (tokens[p] == 0) {
                takeToken(p);
            }
        }
        writing = true;
        int slice = (int) (rounds++ % SLICES);
        round = Future.join(reads).transform(v -> write(slice)).onComplete(v -> writing = false);
    }

    /**
     * Stops the periodic writes, writes every changed partition (unless the lease has lapsed) and closes the
     * client.
     */
    Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        // after the round under way, so that no older state lands after the last one; none without the lease
        return round.transform(v -> lease.holds() ? write(-1) : Future.<Void>succeededFuture()).eventually(() -> {
            redis.close();
            return Future.succeededFuture();
        });
    }

    /**
     * Writes the changed, restored partitions of one slice ({@code slice} of {@link #SLICES}), or every restored
     * partition when {@code slice} is -1; completes when every write has ended (failures are counted).
     *
     * <p>With a Kafka source on the node, the unchanged partitions of the slice get their offsets raised to what
     * the cluster's sources have acknowledged ({@link #acknowledgedOfTopic}; their stored state is their state, so
     * it holds every tick below), and when the Kafka partitions read change, every partition is written in this
     * round: so every checkpoint says where its partition's ticks must be read again from, and none holds the
     * source back for long. A partition catching up in a lane is not written ({@link CatchUpLanes}).
     */
    private Future<Void> write(int slice) {
        boolean all = slice < 0;
        boolean everyPartition = sourceChanged();
        String topic = kafkaTopic;
        JsonObject acknowledgedOfTopic = topic == null ? null : acknowledgedOfTopic(topic);
        List<Future<?>> writes = new ArrayList<>();
        int written = 0;
        for (int k = 0; k < owned.length; k++) {
            int p = owned[k];
            boolean due = all || everyPartition || k % SLICES == slice;
            if (!restored[p] || !due || tokens[p] == 0 || states.catchingUp(p)) {
                continue;
            }
            // the offsets first: what is acknowledged was taken before the state is exported, so the state holds it
            Buffer offsets = offsetsOf(p, topic, acknowledgedOfTopic);
            if (!dirty[p] && !all) {
                if (topic != null) {
                    writes.add(fencedWrite(p, tokens[p], null, offsets)
                            .onFailure(e -> failed("writing " + RedisKeys.offsets(p), e)));
                }
                continue;
            }
            written++;
            writes.add(writeState(p, offsets));
        }
        if (all) {
            LOG.info("scanner {}: state of {} partitions checkpointed on stop", instance, written);
        }
        return Future.join(writes).transform(v -> Future.succeededFuture());
    }

    /** One MSET of partition {@code p}'s state and its offsets; a failure is counted and leaves it changed. */
    private Future<?> writeState(int p, Buffer offsets) {
        Buffer state = states.export(p);
        dirty[p] = false;
        return fencedWrite(p, tokens[p], state, offsets).onFailure(e -> {
            dirty[p] = true;
            failed("writing " + RedisKeys.state(p), e);
        });
    }

    /**
     * Writes partition {@code p}'s state and offsets (or its offsets alone, {@code state} null) unless a later
     * owner has taken the partition since this instance took {@code token} ({@link #FENCED_WRITE}). A refused
     * write is counted and logged, and the partition given up ({@code lost}): this instance is a stale owner.
     */
    private Future<Void> fencedWrite(int p, long token, Buffer state, Buffer offsets) {
        Request write = Request.cmd(Command.EVAL).arg(FENCED_WRITE).arg(state == null ? 2 : 3)
                .arg(RedisKeys.owner(p)).arg(RedisKeys.offsets(p));
        if (state != null) {
            write.arg(RedisKeys.state(p));
        }
        write.arg(token).arg(offsets);
        if (state != null) {
            write.arg(state);
        }
        return redis.send(write).compose(written -> {
            if (written.toLong() != 0) {
                return Future.<Void>succeededFuture();
            }
            refused.increment();
            LOG.warn("scanner {}: the checkpoint of partition {} was refused: another instance took the partition "
                    + "after this one (its fencing token {} is stale); it gives the partition up", instance, p, token);
            if (restored[p] && tokens[p] == token) {
                lost.accept(p);
            }
            return Future.<Void>succeededFuture();
        });
    }

    private void failed(String what, Throwable cause) {
        failures.increment();
        failureLog.failed(what + " on scanner " + instance, cause);
    }
}
