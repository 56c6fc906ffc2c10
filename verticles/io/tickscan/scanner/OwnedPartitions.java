package io.tickscan.scanner;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.tickscan.routing.PartitionOwners;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions one scanner instance owns, and how they come and go as the cluster's ownership table changes
 * ({@link Addresses#OWNERSHIP}). A partition's consumer ({@link Addresses#partition}, cluster-wide) is registered
 * only once the instance holds its state, and unregistered before the state leaves, so that in steady state one
 * consumer in the cluster takes each partition's ticks (a tick sent in between finds no consumer, and its router
 * keeps it and tries again).
 * <ul>
 *   <li><b>Giving</b> a partition to a live instance: unregister, write the checkpoint (with Redis), send the state
 *   to the new owner ({@link Addresses#handover}), forget it ({@link PartitionStates#release}).</li>
 *   <li><b>Taking</b> one: the state its previous owner handed over (it may arrive before this instance sees the
 *   table, and is kept until then); else, when that owner is alive, wait for it up to {@value #HANDOVER_WAIT_MS} ms;
 *   else (the owner died, or never handed it over) the Redis checkpoint, or an empty state without Redis.</li>
 *   <li><b>Leaving</b> (the instance stops): every partition is given to the instance that owns it once this node's
 *   instances are gone, before the instance leaves the registry, so that the survivors find the state waiting.</li>
 * </ul>
 */
final class OwnedPartitions {
    /** Longer than a giver's checkpoint write and send take, so that a live giver's state is not given up on. */
    static final long HANDOVER_WAIT_MS = 12_000;
    private static final long SEND_TIMEOUT_MS = 5_000;
    private static final long RETRY_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(OwnedPartitions.class);

    private final Vertx vertx;
    private final String instance;
    private final String nodePrefix;
    private final int partitions;
    private final Handler<Message<TickBatch>> onBatch;
    private final PartitionStates states;
    private final AcceptedOffsets accepted;
    /** Null without Redis. */
    private final Checkpoints checkpoints;
    private final String kafkaTopic;
    private final FailureLog failures;
    private final OwnershipLease lease;
    private final Map<Integer, MessageConsumer<TickBatch>> consumers = new TreeMap<>();
    /**
     * When the cluster came to know each partition's consumer ({@link System#nanoTime}), absent while its
     * registration is under way: tells a lost registration from one a self-check could not have seen yet.
     */
    private final Map<Integer, Long> registeredAt = new HashMap<>();
    /** States handed over before this instance saw the table that gives it the partition. */
    private final Map<Integer, Buffer> arrived = new HashMap<>();
    private final Map<Integer, Promise<Buffer>> awaited = new HashMap<>();
    private MessageConsumer<Buffer> handovers;
    private Set<String> live = Set.of();
    /** The owners of the last table applied; null before the first and after a fence. */
    private JsonArray owners;
    /** The epoch of the last table applied. */
    private long epoch;
    /**
     * The partitions taken again under the last table after their checkpoint was refused ({@link #lost}): another
     * refusal under the same table leaves them given up until the next one.
     */
    private final Set<Integer> retaken = new HashSet<>();
    private Future<Void> changes = Future.succeededFuture();

    OwnedPartitions(Vertx vertx, String instance, String node, int partitions, Handler<Message<TickBatch>> onBatch,
                    PartitionStates states, AcceptedOffsets accepted, Checkpoints checkpoints, String kafkaTopic,
                    FailureLog failures, OwnershipLease lease) {
        this.lease = lease;
        this.vertx = vertx;
        this.instance = instance;
        this.nodePrefix = node + "/";
        this.partitions = partitions;
        this.onBatch = onBatch;
        this.states = states;
        this.accepted = accepted;
        this.checkpoints = checkpoints;
        this.kafkaTopic = kafkaTopic;
        this.failures = failures;
    }

    /** Listens for hand-overs, then takes the {@code initial} partitions (from Redis, or empty). */
    Future<Void> start(List<Integer> initial) {
        handovers = vertx.eventBus().consumer(Addresses.handover(instance), this::onHandOver);
        return handovers.completion().compose(v -> {
            List<Future<Void>> taken = new ArrayList<>();
            for (int p : initial) {
                taken.add(take(p, false));
            }
            return Future.all(taken).onSuccess(all -> logRestored(initial.size())).mapEmpty();
        });
    }

    /** The partitions owned now. */
    int count() {
        return consumers.size();
    }

    /**
     * Applies an ownership table after the changes under way; completes when this instance holds its share. A
     * table marked {@code fenced} takes every partition away (see {@link #drop}); a hand-over awaited then is
     * given up on at once.
     */
    Future<Void> apply(JsonObject table) {
        if (table.getBoolean("fenced", false)) {
            awaited.values().forEach(promise -> promise.tryComplete(null));
            awaited.clear();
        }
        changes = changes.transform(v -> change(table));
        return changes;
    }

    private Future<Void> change(JsonObject table) {
        epoch = table.getLong("epoch");
        retaken.clear();
        if (table.getBoolean("fenced", false)) {
            arrived.clear();
            live = Set.of();
            owners = null;
            int held = consumers.size();
            return Future.all(List.copyOf(consumers.keySet()).stream().map(this::drop).toList())
                    .onComplete(all -> LOG.warn("scanner {} gave up its {} partitions without writing or handing "
                            + "them over: its node is fenced (epoch {})", instance, held, table.getLong("epoch")))
                    .<Void>mapEmpty().otherwiseEmpty();
        }
        owners = table.getJsonArray("owners");
        // a state handed over under a table this instance never saw, for a partition it is not given: not kept
        arrived.keySet().removeIf(p -> !instance.equals(owners.getString(p)));
        JsonArray previous = table.getJsonArray("previous");
        Set<String> nowLive = new TreeSet<>();
        table.getJsonArray("live").forEach(i -> nowLive.add((String) i));
        live = nowLive;
        boolean othersLive = nowLive.stream().anyMatch(i -> !i.startsWith(nodePrefix));
        List<Future<Void>> given = new ArrayList<>();
        for (int p : List.copyOf(consumers.keySet())) {
            String owner = owners.getString(p);
            if (!instance.equals(owner)) {
                given.add(give(p, owner));
            }
        }
        return Future.all(given).transform(v -> {
            List<Future<Void>> taken = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                if (instance.equals(owners.getString(p)) && !consumers.containsKey(p)) {
                    String from = previous == null ? null : previous.getString(p);
                    boolean fromLive = previous == null ? othersLive
                            : from != null && !from.equals(instance) && nowLive.contains(from);
                    taken.add(take(p, fromLive));
                }
            }
            return Future.all(taken).onSuccess(all -> {
                if (!given.isEmpty() || !taken.isEmpty()) {
                    LOG.info("scanner {} gave {} partitions and took {} (epoch {}); it owns {}", instance,
                            given.size(), taken.size(), table.getLong("epoch"), consumers.size());
                    logRestored(taken.size());
                }
            }).mapEmpty();
        });
    }

    /**
     * Gives partition {@code p} up unwritten, after the changes under way, when this instance still holds it:
     * Redis refused its checkpoint because another instance took it later (this one is a stale owner; or the
     * other's view was behind, and this instance, whose table still gives it the partition, takes it again from
     * the checkpoint with a new token). It is taken again once per table: when the refusal comes again under the
     * same table, the other instance's table lastingly gives it the partition too (the cluster is split), and taking
     * it back at each checkpoint would only raise both tokens in turn; it stays given up until the next table.
     * Completes once done.
     */
    Future<Void> lost(int p) {
        changes = changes.transform(v -> {
            if (!consumers.containsKey(p)) {
                return Future.<Void>succeededFuture();
            }
            return drop(p).transform(dropped -> {
                if (owners == null || !instance.equals(owners.getString(p)) || !lease.holds()) {
                    return Future.<Void>succeededFuture();
                }
                if (!retaken.add(p)) {
                    LOG.warn("scanner {} leaves partition {} given up until the next ownership table: its checkpoint "
                            + "was refused again after it took the partition again under epoch {}; another "
                            + "instance's table gives it the partition too (a split cluster?)", instance, p, epoch);
                    return Future.<Void>succeededFuture();
                }
                // this instance's table still gives it the partition (the other taker's view was behind): it takes
                // it again from the checkpoint, with a new token; tables agree again within a refresh
                LOG.warn("scanner {} takes partition {} again from its checkpoint: its table (epoch {}) gives it the "
                        + "partition", instance, p, epoch);
                return take(p, false);
            });
        }).otherwiseEmpty();
        return changes;
    }

    /**
     * Registers again, after the changes under way, the consumers of those of {@code partitions} that the cluster
     * lost: the ownership self-check that began reading the cluster's registrations at {@code checkedAtNanos}
     * ({@link System#nanoTime}) found them without a consumer. Only partitions this instance holds, and whose
     * consumer was registered before that read, are registered again: a partition whose take was under way then
     * (waiting for a hand-over or a checkpoint), or that was given and taken again since, has a consumer that the
     * check could not see. Completes with how many were registered again.
     */
    Future<Integer> reregister(JsonArray partitions, long checkedAtNanos) {
        Future<Integer> done = changes.transform(v -> {
            List<Future<Void>> again = new ArrayList<>();
            for (int i = 0; i < partitions.size(); i++) {
                int p = partitions.getInteger(i);
                MessageConsumer<TickBatch> lost = consumers.get(p);
                Long at = registeredAt.get(p);
                if (lost != null && at != null && at - checkedAtNanos < 0) {
                    again.add(lost.unregister().otherwiseEmpty().compose(u -> register(p)));
                }
            }
            return Future.all(again).onComplete(all -> {
                if (!again.isEmpty()) {
                    LOG.warn("scanner {} registered the consumers of {} partitions again (the cluster had lost them)",
                            instance, again.size());
                }
            }).map(all -> again.size()).otherwise(again.size());
        });
        changes = done.<Void>mapEmpty().otherwiseEmpty();
        return done;
    }

    /**
     * Registers partition {@code p}'s consumer, cluster-wide; completes once the cluster knows it, when its time
     * goes to {@link #registeredAt}.
     */
    private Future<Void> register(int p) {
        registeredAt.remove(p);
        MessageConsumer<TickBatch> consumer = vertx.eventBus().consumer(Addresses.partition(p), onBatch);
        consumers.put(p, consumer);
        return consumer.completion().onSuccess(v -> registeredAt.put(p, System.nanoTime()));
    }

    /** Takes partition {@code p}: its state from its previous owner, Redis, or empty; then its consumer. */
    private Future<Void> take(int p, boolean fromLiveOwner) {
        Future<Buffer> handed;
        Buffer waiting = arrived.remove(p);
        if (waiting != null) {
            handed = Future.succeededFuture(waiting);
        } else if (fromLiveOwner) {
            Promise<Buffer> promise = Promise.promise();
            awaited.put(p, promise);
            long timer = vertx.setTimer(HANDOVER_WAIT_MS, id -> {
                if (awaited.remove(p, promise)) {
                    promise.tryComplete(null);
                }
            });
            handed = promise.future().onComplete(v -> vertx.cancelTimer(timer));
        } else {
            handed = Future.succeededFuture(null);
        }
        return handed.compose(state -> {
            if (state != null && adopt(p, state)) {
                return Future.succeededFuture();
            }
            return checkpoints != null ? checkpoints.take(p) : Future.<Void>succeededFuture();
        }).compose(v -> register(p));
    }

    /** Takes a handed-over state; false when it could not be read (counted, logged). */
    private boolean adopt(int p, Buffer message) {
        try {
            int length = message.getInt(4);
            states.takeHandedOver(p, message.slice(8, 8 + length));
            JsonObject offsets = new JsonObject(message.slice(8 + length, message.length()));
            accepted.forget(p);
            if (kafkaTopic != null && kafkaTopic.equals(offsets.getString("topic"))) {
                accepted.restore(p, offsets.getJsonObject("offsets"), offsets.getJsonObject("gaps"),
                        System.currentTimeMillis());
            }
            if (checkpoints != null) {
                checkpoints.adopted(p, offsets.getLong("token", 0L));
            }
            return true;
        } catch (RuntimeException e) {
            failures.failed("taking the state of partition " + p + " handed over to scanner " + instance, e);
            return false;
        }
    }

    /**
     * Gives partition {@code p} up without writing or handing it over: this node was fenced off the cluster, and
     * the partition's new owner took it from its checkpoint; the state held here is stale.
     */
    private Future<Void> drop(int p) {
        return consumers.remove(p).unregister().onComplete(v -> {
            states.release(p);
            accepted.forget(p);
            if (checkpoints != null) {
                checkpoints.drop(p);
            }
        });
    }

    /** Gives partition {@code p} to {@code owner}: unregister, checkpoint, hand over, forget. */
    private Future<Void> give(int p, String owner) {
        MessageConsumer<TickBatch> consumer = consumers.remove(p);
        return consumer.unregister().transform(v -> {
            // exported and forgotten in one step: no scan of this instance looks at the partition after its export
            Buffer state = states.export(p);
            JsonObject acknowledged = kafkaTopic == null ? null : vertx.sharedData()
                    .<String, JsonObject>getLocalMap(Addresses.KAFKA_ACKNOWLEDGED).get(kafkaTopic);
            Buffer offsets = new JsonObject().put("topic", kafkaTopic)
                    .put("offsets", accepted.export(p, acknowledged)).put("gaps", accepted.exportGaps(p)).toBuffer();
            // the receiver writes under the giver's fencing token (not in the checkpoint: only in the hand-over)
            Buffer handedOffsets = new JsonObject(offsets).put("token", checkpoints == null ? 0 : checkpoints.token(p))
                    .toBuffer();
            states.release(p);
            accepted.forget(p);
            Buffer message = Buffer.buffer().appendInt(p).appendInt(state.length()).appendBuffer(state)
                    .appendBuffer(handedOffsets);
            Future<Void> saved = checkpoints != null ? checkpoints.give(p, state, offsets)
                    : Future.succeededFuture();
            return saved.compose(s -> send(owner, message, System.currentTimeMillis() + SEND_TIMEOUT_MS))
                    .onFailure(e -> failures.failed("handing a partition over to " + owner + " from scanner "
                            + instance + (checkpoints != null ? " (its Redis checkpoint is written)" : ""), e))
                    .<Void>mapEmpty().otherwiseEmpty();
        });
    }

    /**
     * Sends a hand-over, again every {@value #RETRY_MS} ms while the new owner's consumer is not yet known here
     * (its registry entry can arrive before its subscription), until {@code deadline}.
     */
    private Future<Void> send(String owner, Buffer message, long deadline) {
        return vertx.eventBus().request(Addresses.handover(owner), message,
                new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS)).<Void>mapEmpty().recover(e -> {
            if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
                    && System.currentTimeMillis() + RETRY_MS < deadline) {
                Promise<Void> later = Promise.promise();
                vertx.setTimer(RETRY_MS, id -> send(owner, message, deadline).onComplete(later));
                return later.future();
            }
            return Future.failedFuture(e);
        });
    }

    private void onHandOver(Message<Buffer> message) {
        Buffer body = message.body();
        int p = body.getInt(0);
        Promise<Buffer> waiting = awaited.remove(p);
        if (waiting != null) {
            waiting.tryComplete(body);
        } else if (consumers.containsKey(p)) {
            // taken already (its giver was given up on): the state it holds goes on, this one is dropped
            LOG.warn("scanner {} got partition {} handed over after it took it from elsewhere; the handed state is "
                    + "dropped", instance, p);
        } else {
            arrived.put(p, body); // before the table that gives it: taken when that comes
        }
        message.reply(null);
    }

    /**
     * Gives every partition to the instance that owns it once this node's instances are gone (nothing when none
     * is left), after the changes under way; then stops listening for hand-overs.
     */
    Future<Void> leave() {
        changes = changes.transform(v -> {
            Set<String> survivors = new TreeSet<>();
            live.forEach(i -> {
                if (!i.startsWith(nodePrefix)) {
                    survivors.add(i);
                }
            });
            List<Future<Void>> given = new ArrayList<>();
            if (!lease.holds()) { // frozen or fenced: what it holds may be stale, and may have moved already
                List.copyOf(consumers.keySet()).forEach(p -> given.add(drop(p)));
            } else if (!survivors.isEmpty()) {
                PartitionOwners table = PartitionOwners.of(partitions, survivors);
                for (int p : List.copyOf(consumers.keySet())) {
                    given.add(give(p, table.ownerOf(p)));
                }
            } else {
                consumers.values().forEach(c -> given.add(c.unregister()));
                consumers.clear();
            }
            return Future.all(given).<Void>mapEmpty().otherwiseEmpty()
                    .eventually(() -> handovers == null ? Future.succeededFuture() : handovers.unregister());
        });
        return changes;
    }

    private void logRestored(int taken) {
        if (checkpoints != null && taken > 0) {
            checkpoints.logRestored(taken);
        }
    }
}
