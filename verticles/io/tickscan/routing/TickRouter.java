package io.tickscan.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickBatch;
import io.tickscan.codec.TickOrigin;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Routes valid ticks from one ingest verticle to the partitions' addresses: micro-batched per partition (a batch
 * leaves when it is full or after {@code routing.flush_ms}), at most {@code routing.max_in_flight} batches per
 * partition unacknowledged, the rest queued. A batch that finds no consumer (a partition without an owner) is
 * kept and retried. Everything held, being built, queued or in flight, counts against
 * {@code routing.buffer_ticks}: when it is reached, {@link #offer} refuses, and the source slows down.
 *
 * <p>Used from its verticle's context only: its counts are plain fields, and only its meters are read from other
 * threads.
 */
public final class TickRouter {
    private static final long RETRY_MS = 100;
    /**
     * A batch starts this small and doubles up to {@code batch_size}: most batches leave partial on the flush
     * timer, and allocating {@code batch_size} slots for each would be most of the node's garbage.
     */
    private static final int FIRST_CAPACITY = 32;
    /** How long a batch waits for its owner's answer before it counts as lost, unless the source says otherwise. */
    public static final long REPLY_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final Partitioner partitioner;
    private final int batchSize;
    private final int maxInFlight;
    private final long bufferTicks;
    private final String[] addresses;
    private final Pending[] pending;
    private final ArrayDeque<Sealed>[] queues;
    /** Open epochs, oldest first; the last is the one ticks are offered in now (see {@link #acknowledged}). */
    private final ArrayDeque<Epoch> epochs = new ArrayDeque<>();
    private final int[] inFlight;
    /**
     * Per partition, per Kafka partition, the offset of the last tick of it offered for that partition since its
     * reading began, or where it began ({@link TickOrigin#readingFrom}); -1 when unknown. Carried to the scanner as each
     * tick's {@link TickBatch#previous()}.
     */
    private final long[][] lastOffered;
    private final boolean[] parked;
    private final Consumer<Runnable> retryLater;
    /** To the partition's owner, on whichever member it runs. */
    private final DeliveryOptions delivery;
    private final Counter routed;
    private final Counter timedOut;
    private final long flushTimer;
    /**
     * Ticks being batched, queued or in flight. The {@code worker_queue_depth} gauge reads it from another thread
     * without synchronization: a long is read whole on the 64-bit JVMs tickscan runs on, and a depth a moment old
     * is good enough for a gauge.
     */
    private long held;
    private boolean retryScheduled;
    /** Ticks lost in epochs settled since an {@link #acknowledged()} caller last saw a loss. */
    private long unhandledLoss;

    /**
     * @param routing    the {@code routing} settings
     * @param source     the source's name, for metrics
     * @param retryLater runs the retry of the partitions without an owner a little later (a Vert.x timer; tests
     *                   run it when they choose)
     * @param replyTimeoutMs how long a batch waits for its owner's answer before it counts as lost
     */
    @SuppressWarnings("unchecked")
    TickRouter(Vertx vertx, Partitioner partitioner, JsonObject routing, MeterRegistry registry, String source,
               Consumer<Runnable> retryLater, long replyTimeoutMs) {
        this.vertx = vertx;
        this.delivery = new DeliveryOptions().setSendTimeout(replyTimeoutMs);
        this.partitioner = partitioner;
        this.batchSize = routing.getInteger("batch_size");
        this.maxInFlight = routing.getInteger("max_in_flight");
        this.bufferTicks = routing.getLong("buffer_ticks");
        int partitions = partitioner.partitions();
        this.addresses = new String[partitions];
        this.pending = new Pending[partitions];
        this.queues = new ArrayDeque[partitions];
        for (int p = 0; p < partitions; p++) {
            addresses[p] = Addresses.partition(p);
            queues[p] = new ArrayDeque<>();
            pending[p] = new Pending(Math.min(FIRST_CAPACITY, batchSize));
        }
        epochs.add(new Epoch());
        this.inFlight = new int[partitions];
        this.parked = new boolean[partitions];
        this.lastOffered = new long[partitions][];
        Arrays.fill(lastOffered, new long[0]);
        this.retryLater = retryLater;
        this.routed = Counter.builder("ticks_routed").tag("source", source).register(registry);
        this.timedOut = Counter.builder("ticks_dropped").tag("reason", "timeout").register(registry);
        Gauge.builder("worker_queue_depth", this, router -> router.held).tag("source", source)
                .description("Ticks held by a source's router: being batched, queued or awaiting a scanner")
                .register(registry);
        this.flushTimer = vertx.setPeriodic(routing.getInteger("flush_ms"), id -> flushAll());
    }

    /**
     * The router of a source verticle, from its config ({@code partitions}, {@code routing}), with its meters
     * tagged {@code source}.
     */
    public static TickRouter forSource(Vertx vertx, JsonObject config, MeterRegistry registry, String source) {
        return forSource(vertx, config, registry, source, REPLY_TIMEOUT_MS);
    }

    /**
     * The router of a source verticle whose batches count as lost after {@code replyTimeoutMs} without an answer
     * (a source that reads lost ticks again wants to know soon).
     */
    public static TickRouter forSource(Vertx vertx, JsonObject config, MeterRegistry registry, String source,
                                       long replyTimeoutMs) {
        return new TickRouter(vertx, new Partitioner(config.getInteger("partitions")),
                config.getJsonObject("routing"), registry, source,
                retry -> vertx.setTimer(RETRY_MS, id -> retry.run()), replyTimeoutMs);
    }

    /** True when the buffer has room for another tick. */
    public boolean hasRoom() {
        return held < bufferTicks;
    }

    /**
     * Takes a valid tick, unless the buffer is full.
     *
     * @param arrivedAt wall-clock milliseconds at which the tick was received
     * @return false when the buffer is full: the tick was not taken, and the source should slow down
     */
    public boolean offer(String symbol, long ts, double price, double size, long arrivedAt) {
        return offer(symbol, ts, price, size, arrivedAt, TickOrigin.NONE);
    }

    /**
     * Takes a valid tick read at a position of its source, unless the buffer is full.
     *
     * @param arrivedAt wall-clock milliseconds at which the tick was received
     * @param origin    where it was read ({@link TickOrigin}), carried to its scanner in {@link TickBatch#origins()}
     * @return false when the buffer is full: the tick was not taken, and the source should slow down
     */
    public boolean offer(String symbol, long ts, double price, double size, long arrivedAt, long origin) {
        if (held >= bufferTicks) {
            return false;
        }
        int p = partitioner.partitionOf(symbol);
        Pending batch = pending[p];
        batch.add(symbol, ts, price, size, arrivedAt, origin, origin == TickOrigin.NONE ? -1 : previous(p, origin));
        held++;
        if (batch.count >= batchSize) {
            seal(p);
            pump(p);
        }
        return true;
    }

    /** The offset of the tick offered for {@code p} before the one of {@code origin}, which is offered now. */
    private long previous(int p, long origin) {
        int kafkaPartition = TickOrigin.partition(origin);
        long offset = TickOrigin.offset(origin);
        long[] last = lastOffered[p];
        if (kafkaPartition >= last.length) {
            last = lastOffered[p] = TickOrigin.grownOffsets(last, kafkaPartition + 1);
        }
        long before = last[kafkaPartition];
        long previous = TickOrigin.isReadingStart(before) ? (TickOrigin.readingStart(before) <= offset ? before : -1)
                : before < offset ? before : -1;
        last[kafkaPartition] = offset;
        return previous;
    }

    /**
     * Says that the source reads Kafka partition {@code kafkaPartition} anew from {@code from} (it was assigned, or
     * rewound): the first tick of it offered for each partition carries {@link TickOrigin#readingFrom}, and the
     * ticks after it follow it.
     */
    public void readingFrom(int kafkaPartition, long from) {
        for (int p = 0; p < lastOffered.length; p++) {
            if (kafkaPartition >= lastOffered[p].length) {
                lastOffered[p] = TickOrigin.grownOffsets(lastOffered[p], kafkaPartition + 1);
            }
            lastOffered[p][kafkaPartition] = TickOrigin.readingFrom(from);
        }
    }

    /** Sends every batch being built now, without waiting for the flush timer. */
    public void flushAll() {
        for (int p = 0; p < pending.length; p++) {
            if (pending[p].count > 0) {
                seal(p);
            }
            pump(p);
        }
    }

    /**
     * Stops the flush timer and sends what is held; the future completes when every tick has been acknowledged
     * (or dropped, counted), or after {@code maxWaitMs}.
     */
    public Future<Void> close(long maxWaitMs) {
        vertx.cancelTimer(flushTimer);
        return drained(maxWaitMs);
    }

    /**
     * Sends what is held now; the future completes when every tick has been acknowledged (or dropped, counted),
     * or after {@code maxWaitMs}.
     */
    public Future<Void> drained(long maxWaitMs) {
        flushAll();
        Promise<Void> drained = Promise.promise();
        awaitDrained(drained, System.currentTimeMillis() + maxWaitMs);
        return drained.future();
    }

    /**
     * Sends what is held now; the future completes once every tick offered before this call has been acknowledged
     * by its owner, however long that takes; ticks offered later do not delay it. It fails with {@link LostTicks}
     * when some of them were not acknowledged (their owner failed them or did not answer in time, counted as
     * {@code ticks_dropped{reason=timeout}}): they may not have been applied. A source that commits its input's
     * position (Kafka offsets) commits what it read before the call when this completes, and reads it again when it
     * fails.
     */
    public Future<Void> acknowledged() {
        return closeEpoch(true);
    }

    /**
     * Like {@link #acknowledged()}, for a caller that only reports on delivery and does not read lost ticks again:
     * it fails as well when ticks were lost before (a loss stays until an {@link #acknowledged()} caller, which
     * reads them again, has seen it), and its own loss is left to such a caller.
     */
    public Future<Void> delivered() {
        return closeEpoch(false);
    }

    private Future<Void> closeEpoch(boolean readsLostAgain) {
        flushAll();
        Epoch closing = epochs.peekLast();
        closing.done = Promise.promise();
        closing.readsLostAgain = readsLostAgain;
        epochs.addLast(new Epoch());
        settleEpochs();
        return closing.done.future();
    }

    /**
     * Completes the oldest closed epochs whose ticks are all resolved, in order. A loss is carried on until an
     * epoch whose caller reads lost ticks again takes it, so that no loss is only ever seen by a caller that does
     * not.
     */
    private void settleEpochs() {
        while (epochs.size() > 1 && epochs.peekFirst().unresolved == 0) {
            Epoch settled = epochs.pollFirst();
            unhandledLoss += settled.lost;
            if (unhandledLoss > 0) {
                settled.done.fail(new LostTicks(unhandledLoss));
                if (settled.readsLostAgain) {
                    unhandledLoss = 0;
                }
            } else {
                settled.done.complete();
            }
        }
    }

    private void resolved(Sealed sealed) {
        sealed.epoch.unresolved -= sealed.batch.size();
        held -= sealed.batch.size();
        settleEpochs();
    }

    private void awaitDrained(Promise<Void> drained, long deadline) {
        if (held == 0 || System.currentTimeMillis() >= deadline) {
            drained.complete();
        } else {
            vertx.setTimer(5, id -> awaitDrained(drained, deadline));
        }
    }

    private void seal(int p) {
        TickBatch batch = pending[p].seal(p);
        Epoch epoch = epochs.peekLast();
        epoch.unresolved += batch.size();
        queues[p].addLast(new Sealed(batch, epoch));
    }

    private void pump(int p) {
        ArrayDeque<Sealed> queue = queues[p];
        while (!parked[p] && inFlight[p] < maxInFlight && !queue.isEmpty()) {
            Sealed sealed = queue.pollFirst();
            TickBatch batch = sealed.batch;
            inFlight[p]++;
            vertx.eventBus().request(addresses[p], batch, delivery).onComplete(reply -> {
                inFlight[p]--;
                if (reply.succeeded()) {
                    resolved(sealed);
                    routed.increment(batch.size());
                } else if (reply.cause() instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS) {
                    queue.addFirst(sealed);
                    parked[p] = true; // the failure may come back at once: wait for the retry, do not spin
                    scheduleRetry();
                    return;
                } else {
                    sealed.epoch.lost += batch.size();
                    resolved(sealed);
                    timedOut.increment(batch.size());
                }
                pump(p);
            });
        }
    }

    /** Retries the partitions without an owner a little later, rather than spinning. */
    private void scheduleRetry() {
        if (!retryScheduled) {
            retryScheduled = true;
            retryLater.accept(() -> {
                retryScheduled = false;
                for (int p = 0; p < queues.length; p++) {
                    if (parked[p]) {
                        parked[p] = false;
                        pump(p);
                    }
                }
            });
        }
    }

    /** Ticks offered before an {@link #acknowledged()} call that their owner did not acknowledge. */
    public static final class LostTicks extends RuntimeException {
        LostTicks(long ticks) {
            super(ticks + " ticks were not acknowledged by their owner (failed or no answer in time)", null, false,
                    false);
        }
    }

    /** A batch sealed in an epoch. */
    private record Sealed(TickBatch batch, Epoch epoch) {
    }

    /**
     * Ticks offered between two calls of {@link #acknowledged}: how many are not yet resolved, and how many were
     * resolved without an acknowledgement.
     */
    private static final class Epoch {
        long unresolved;
        long lost;
        Promise<Void> done;
        boolean readsLostAgain;
    }

    /**
     * The batch being built for one partition: one per partition for the router's life, its arrays grown by doubling
     * up to the batch size and kept, so that building a batch allocates nothing; a batch sealed is a copy of its
     * ticks, sized to them.
     */
    private static final class Pending {
        String[] symbols;
        long[] timestamps;
        double[] prices;
        double[] sizes;
        /** Null until a tick with an origin is added once; meaningful for this batch only when {@link #withOrigins}. */
        long[] origins;
        /** With {@link #origins}: each tick's previous offset ({@link TickBatch#previous()}). */
        long[] previous;
        boolean withOrigins;
        long arrivedAt;
        int count;

        Pending(int capacity) {
            symbols = new String[capacity];
            timestamps = new long[capacity];
            prices = new double[capacity];
            sizes = new double[capacity];
        }

        void add(String symbol, long ts, double price, double size, long arrived, long origin, long previousOffset) {
            if (count == 0) {
                arrivedAt = arrived;
            }
            if (count == symbols.length) {
                int capacity = count * 2;
                symbols = Arrays.copyOf(symbols, capacity);
                timestamps = Arrays.copyOf(timestamps, capacity);
                prices = Arrays.copyOf(prices, capacity);
                sizes = Arrays.copyOf(sizes, capacity);
                if (origins != null) {
                    origins = Arrays.copyOf(origins, capacity);
                    previous = Arrays.copyOf(previous, capacity);
                }
            }
            if (origin != TickOrigin.NONE && !withOrigins) {
                if (origins == null || origins.length < symbols.length) {
                    origins = new long[symbols.length];
                    previous = new long[symbols.length];
                }
                Arrays.fill(origins, 0, count, TickOrigin.NONE);
                Arrays.fill(previous, 0, count, -1);
                withOrigins = true;
            }
            if (withOrigins) {
                origins[count] = origin;
                previous[count] = previousOffset;
            }
            symbols[count] = symbol;
            timestamps[count] = ts;
            prices[count] = price;
            sizes[count] = size;
            count++;
        }

        /** The batch of the ticks added since the last one, which starts the next. */
        TickBatch seal(int partition) {
            TickBatch batch = new TickBatch(partition, arrivedAt, Arrays.copyOf(symbols, count),
                    Arrays.copyOf(timestamps, count), Arrays.copyOf(prices, count), Arrays.copyOf(sizes, count),
                    withOrigins ? Arrays.copyOf(origins, count) : null,
                    withOrigins ? Arrays.copyOf(previous, count) : null);
            Arrays.fill(symbols, 0, count, null); // no symbol kept alive by a builder
            count = 0;
            withOrigins = false;
            return batch;
        }
    }
}
