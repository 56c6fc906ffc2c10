package io.tickscan.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.TickOrigin;
import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import io.tickscan.kafka.CheckpointedOffsets;
import io.tickscan.kafka.KafkaSettings;
import io.tickscan.routing.TickRouter;
import io.tickscan.scanner.FailureLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes ticks from {@code sources.kafka.topic} in group {@code group_id} and hands them to a
 * {@link TickRouter} like every other source, at least once:
 * <ul>
 *   <li>offsets are committed every {@value #COMMIT_MS} ms up to the records whose ticks the
 *   {@linkplain TickRouter#acknowledged() router reports acknowledged} by their owners (and whose dead-letter
 *   copies were written);</li>
 *   <li>while the router's buffer is full the consumer is paused, and resumed once it has room;</li>
 *   <li>before partitions are revoked, the ticks read from them are awaited and their offsets committed (on the
 *   polling thread, see {@link RebalanceHookedConsumer}); after {@value #REVOKE_WAIT_MS} ms nothing is committed
 *   and the rebalance goes on.</li>
 * </ul>
 * A malformed record is counted by reason ({@code ticks_rejected_total{source="kafka"}}), skipped, and copied to
 * {@code dead_letter_topic} when one is set, with the headers {@code tickscan.reason}, {@code tickscan.detail},
 * {@code tickscan.origin.topic}, {@code tickscan.origin.partition} and {@code tickscan.origin.offset}. The
 * health map's {@value #HEALTH} entry is not ok until the member has joined its group, and while no broker
 * connection is open; the client retries with backoff and the consumer catches up from its committed offsets.
 *
 * <p>With Redis, the scanners' checkpoints hold the Kafka offsets of the ticks in them: every tick carries its
 * {@link TickOrigin}, a scanner skips one it has taken already, and a partition newly assigned is read from where
 * the oldest checkpoint ends ({@link CheckpointedOffsets}) when that is before its committed offset. So after a
 * crash of a node that reads the topic alone, its state lacks no tick and holds none twice (several nodes sharing
 * one Redis for checkpoints wait for partitions owned cluster-wide, the cluster issue). What the source has acknowledged is kept in the node-local
 * map {@link Addresses#KAFKA_ACKNOWLEDGED}, which scanners write with their offsets.
 */
public final class KafkaSourceVerticle extends VerticleBase {
    /** This source's entry in {@link Addresses#HEALTH_MAP}. */
    public static final String HEALTH = "kafka-source";
    static final long COMMIT_MS = 200;
    /** How often the source reports its watermarks ({@link Addresses#KAFKA_WATERMARKS}). */
    static final long WATERMARK_MS = 20;
    /** How long a poll waits for records: an idle partition's watermark moves at each poll. */
    private static final Duration POLL_MS = Duration.ofMillis(50);
    private static final long HEALTH_MS = 500;
    /** How long without a poll coming back the source counts as cut off from its broker. */
    private static final long POLL_STALL_MS = 5_000;
    /**
     * How long a revocation waits for the acknowledgement of the ticks read from the revoked partitions before it
     * commits nothing (they are read again by the next owner, and skipped where taken already): a scanner that died
     * never answers, its router gives up only after its reply timeout, and the whole group's rebalance waits.
     */
    static final long REVOKE_WAIT_MS = 2_000;
    /**
     * How long a batch of Kafka ticks waits for its owner's answer before it counts as lost and its partition is
     * read again: a batch lost in flight (its owner died with it) must be read again soon, while its ticks can still
     * make their minute; a batch that was only slow is skipped by offset when read again.
     */
    static final long REPLY_TIMEOUT_MS = 2_000;
    private static final long RESUME_CHECK_MS = 5;
    /** How long re-read requests are gathered before the partitions they name are sought. */
    static final long REREAD_GATHER_MS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceVerticle.class);

    private final MeterRegistry registry;
    private final LongSupplier clock;
    /** Null without Redis. */
    private final Redis redis;
    /** Per Kafka partition this source reads, the offset below which every tick was taken by its scanner. */
    private final Map<Integer, Long> acknowledged = new HashMap<>();
    private final FailureLog failures = new FailureLog(LOG);
    private JsonObject kafka;
    private Context context;
    private SourceCounters counters;
    private TickRouter router;
    private KafkaTickDecoder decoder;
    private RebalanceHookedConsumer nativeConsumer;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> deadLetters;
    private Counter accepted;
    private Counter rejected;
    private Counter deadLettered;
    private Counter deadLetterFailures;
    private Counter commitFailures;
    /** The bookkeeping of each partition of the topic this source has owned, by partition number (or null). */
    private Book[] books = new Book[0];
    /** The offsets of the commit in progress, until it is sent. */
    private Map<TopicPartition, Long> committing;
    private List<Future<?>> deadLettersSent = new ArrayList<>();
    private final ArrayDeque<KafkaConsumerRecord<String, byte[]>> stalled = new ArrayDeque<>();
    private Future<Void> cycle = Future.succeededFuture();
    private KafkaConsumerRecord<String, byte[]> current;
    private long acceptedUnreported;
    private long rejectedUnreported;
    private boolean joined;
    private long resumeTimer = -1;
    private long commitTimer;
    private long watermarkTimer;
    /** True while a watermark report waits for its ticks' acknowledgement: one at a time. */
    private boolean reporting;
    /** Rewinds so far: a report whose ticks were rewound meanwhile is not sent. */
    private long rewinds;
    /** This source's id in its watermark reports, with {@link #readings}: which reading of a partition a mark is of. */
    private final String sourceId = java.util.UUID.randomUUID().toString();
    /** Readings of a partition begun so far (assigned, read again, or named for a scanner's re-read). */
    private long readings;
    /** The scanners' grace: how late after its stamp a tick may reach Kafka (for an idle partition's mark). */
    private long graceMs;
    /** How far ahead of the clock a tick may be stamped before scanners drop it ({@code engine.future_tolerance_ms}). */
    private long futureToleranceMs;
    /** The latest stamp a tick of the record being decoded may raise its partition's watermark to. */
    private long markHorizon;
    private long healthTimer;
    /** True while the node is fenced off its cluster: the source has left the group (see {@link #onOwnership}). */
    private boolean outOfGroup;
    private MessageConsumer<JsonObject> ownership;
    private MessageConsumer<JsonObject> reread;
    /** Re-read requests gathered: the lowest offset asked per partition. */
    private final Map<Integer, Long> rereads = new HashMap<>();
    private long rereadTimer = -1;
    private JsonObject health;

    /**
     * @param registry where the source's meters go
     * @param clock    wall-clock milliseconds
     * @param redis    the node's Redis client, holding the scanners' checkpoints, or null without Redis
     */
    public KafkaSourceVerticle(MeterRegistry registry, LongSupplier clock, Redis redis) {
        this.registry = registry;
        this.clock = clock;
        this.redis = redis;
    }

    @Override
    public Future<?> start() {
        kafka = config().getJsonObject("kafka");
        context = vertx.getOrCreateContext();
        counters = new SourceCounters(registry, "kafka");
        router = TickRouter.forSource(vertx, config(), registry, "kafka", REPLY_TIMEOUT_MS);
        decoder = new KafkaTickDecoder(KafkaTickDecoder.Format.of(kafka.getString("format")), new RecordSink());
        accepted = records("tick");
        rejected = records("rejected");
        deadLettered = Counter.builder("kafka_dead_letters").tag("result", "sent").register(registry);
        deadLetterFailures = Counter.builder("kafka_dead_letters").tag("result", "failed").register(registry);
        commitFailures = Counter.builder("kafka_commit_failures").register(registry);
        reportHealth(false, "joining group " + kafka.getString("group_id") + " at " + kafka.getString("bootstrap_servers"));
        String deadLetterTopic = kafka.getString("dead_letter_topic");
        if (!deadLetterTopic.isEmpty()) {
            deadLetters = KafkaProducer.create(vertx, KafkaSettings.producer(kafka), new StringSerializer(),
                    new ByteArraySerializer());
        }
        nativeConsumer = new RebalanceHookedConsumer(KafkaSettings.consumer(kafka), new Rebalancing(), clock);
        consumer = KafkaConsumer.create(vertx, nativeConsumer);
        consumer.exceptionHandler(e -> failures.failed("consuming " + kafka.getString("topic"), e));
        consumer.handler(this::onRecord);
        consumer.batchHandler(this::onBatch);
        consumer.pollTimeout(POLL_MS);
        graceMs = config().getLong("scanner_grace_ms", 0L);
        futureToleranceMs = config().getLong("future_tolerance_ms", 0L);
        commitTimer = vertx.setPeriodic(COMMIT_MS, id -> commitCycle());
        watermarkTimer = vertx.setPeriodic(WATERMARK_MS, id -> reportWatermarks());
        healthTimer = vertx.setPeriodic(HEALTH_MS, id -> checkHealth());
        ownership = vertx.eventBus().localConsumer(Addresses.OWNERSHIP, m -> onOwnership(m.body()));
        reread = vertx.eventBus().consumer(Addresses.KAFKA_REREAD, m -> onReread(m.body()));
        return ownership.completion().compose(v -> consumer.subscribe(kafka.getString("topic")));
    }

    /**
     * Leaves the consumer group while the node is fenced off its cluster (it owns no scanner partition then, and
     * its ticks would wait in its router until it is back, to be dropped as late), so that the members that still
     * scan read its Kafka partitions; joins it again with the node's next table.
     */
    private void onOwnership(JsonObject table) {
        boolean fenced = table.getBoolean("fenced", false);
        if (fenced == outOfGroup) {
            return;
        }
        outOfGroup = fenced;
        if (fenced) {
            LOG.warn("kafka source leaves group {} while its node is fenced: the other members read its partitions",
                    kafka.getString("group_id"));
            consumer.unsubscribe();
        } else {
            LOG.info("kafka source joins group {} again", kafka.getString("group_id"));
            consumer.subscribe(kafka.getString("topic"));
        }
    }

    private Counter records(String result) {
        return Counter.builder("kafka_records").tag("result", result)
                .description("Kafka records read by the source: a tick handed on, or rejected").register(registry);
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(commitTimer);
        vertx.cancelTimer(watermarkTimer);
        vertx.cancelTimer(healthTimer);
        vertx.cancelTimer(resumeTimer);
        ownership.unregister();
        consumer.pause(); // nothing more is taken: what was fetched and not taken is read again after a restart
        return router.close(SourceCounters.DRAIN_MS)
                .compose(v -> cycle.transform(c -> commitCycle()))
                // ticks parked without an owner would hold the last commit for ever: it is given a deadline
                .timeout(SourceCounters.DRAIN_MS, TimeUnit.MILLISECONDS)
                .onFailure(e -> LOG.warn("kafka source stopped without its last commit ({}); what it read since the "
                        + "previous commit is read again", e.getMessage()))
                .otherwiseEmpty()
                .eventually(() -> consumer.close())
                .eventually(() -> deadLetters != null ? deadLetters.close() : Future.succeededFuture())
                .eventually(() -> {
                    vertx.sharedData().getLocalMap(Addresses.HEALTH_MAP).remove(HEALTH);
                    return Future.succeededFuture();
                });
    }

    /** Notes the seeks made before this batch was polled; called before its records reach {@link #onRecord}. */
    private void onBatch(KafkaConsumerRecords<String, byte[]> batch) {
        if (batch.records() instanceof RebalanceHookedConsumer.AfterSeeks after) {
            after.seeksMade().forEach((partition, made) -> {
                Book book = bookOf(partition.partition());
                if (book != null) {
                    book.seeksLanded = made;
                }
            });
        }
    }

    private void onRecord(KafkaConsumerRecord<String, byte[]> record) {
        if (!stalled.isEmpty() || !router.hasRoom()) {
            stalled.addLast(record);
            if (resumeTimer < 0) {
                consumer.pause();
                resumeTimer = vertx.setPeriodic(RESUME_CHECK_MS, id -> resumeWhenRoom());
            }
            return;
        }
        take(record);
    }

    private void resumeWhenRoom() {
        while (!stalled.isEmpty() && router.hasRoom()) {
            take(stalled.pollFirst());
        }
        if (stalled.isEmpty()) {
            vertx.cancelTimer(resumeTimer);
            resumeTimer = -1;
            consumer.resume();
        }
    }

    private void take(KafkaConsumerRecord<String, byte[]> record) {
        Book book = bookOf(record.partition());
        if (book == null || !book.owned) {
            return; // fetched before its partition was revoked: its next owner reads it
        }
        long offset = record.offset();
        if (book.committedAt < 0) {
            book.committedAt = offset; // where reading started: the committed offset
        }
        if (book.seeksLanded < book.seeksAsked) {
            return; // polled before its last seek: the reading that seek begins brings it again
        }
        if (offset <= book.taken) {
            return; // fetched before a rewind: read again from the offset the rewind set
        }
        book.taken = offset;
        current = record;
        markHorizon = clock.getAsLong() + futureToleranceMs;
        decoder.decode(record.key(), record.value(), offset);
        book.uncommitted = Math.max(book.uncommitted, offset + 1);
    }

    /** The bookkeeping of partition {@code partition}, or null when this source never owned it. */
    private Book bookOf(int partition) {
        return partition < books.length ? books[partition] : null;
    }

    /** The bookkeeping of {@code partition}, made when this source first owns it. */
    private Book book(TopicPartition partition) {
        int p = partition.partition();
        if (p >= books.length) {
            books = Arrays.copyOf(books, p + 1);
        }
        if (books[p] == null) {
            books[p] = new Book(partition);
        }
        return books[p];
    }

    /** Takes the offsets handed on and not yet in a commit out of the books. */
    private Map<TopicPartition, Long> takeUncommitted() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Book book : books) {
            if (book != null && book.uncommitted >= 0) {
                offsets.put(book.partition, book.uncommitted);
                book.uncommitted = -1;
            }
        }
        return offsets;
    }

    private int ownedCount() {
        int owned = 0;
        for (Book book : books) {
            owned += book != null && book.owned ? 1 : 0;
        }
        return owned;
    }

    /** Commits what the router has acknowledged since the last cycle; one cycle at a time. */
    private Future<Void> commitCycle() {
        report();
        if (!cycle.isComplete()) {
            return cycle;
        }
        Map<TopicPartition, Long> handedOn = takeUncommitted();
        if (handedOn.isEmpty() && deadLettersSent.isEmpty()) {
            return cycle;
        }
        committing = handedOn;
        Future<Void> written = deadLettersWritten();
        deadLettersSent = new ArrayList<>();
        cycle = router.acknowledged().onFailure(lost -> rewind(committing))
                .compose(v -> written).compose(v -> commit(committing))
                .onFailure(e -> {
                    commitFailures.increment();
                    failures.failed("committing offsets of " + kafka.getString("topic"), e);
                })
                .eventually(() -> {
                    committing = null;
                    return Future.succeededFuture();
                })
                .recover(e -> Future.succeededFuture());
        return cycle;
    }

    /**
     * Publishes how far this source has delivered each partition it reads ({@link Addresses#KAFKA_WATERMARKS}),
     * once the ticks handed on so far are acknowledged: every tick of a partition stamped before the newest one
     * handed on (the producers write each partition in the order of the stamps); and for a partition the last poll
     * found read to its end, every tick stamped {@code scanner_grace_ms} before that poll (a tick reaches Kafka within
     * the scanners' grace of its stamp, or is late for its scan anyway). Not sent when some of those ticks were
     * lost and are read again. A report: {@code {"topic", "partitions": the topic's count, "marks": {"<k>": ts},
     * "source": this source's id, "readings": {"<k>": [reading number, offset it began at]}, "acknowledged": {"<k>":
     * next}}}.
     */
    private void reportWatermarks() {
        int partitions = nativeConsumer.topicPartitions();
        if (reporting || !joined || outOfGroup || partitions == 0) {
            return;
        }
        Map<Integer, RebalanceHookedConsumer.CaughtUp> ends = nativeConsumer.caughtUp();
        JsonObject marks = new JsonObject();
        JsonObject readingsOf = new JsonObject();
        for (Book book : books) {
            if (book == null || !book.owned) {
                continue;
            }
            long mark = book.newestTs;
            RebalanceHookedConsumer.CaughtUp end = ends.get(book.partition.partition());
            if (end != null && book.taken + 1 >= end.end() && stalled.isEmpty()) {
                mark = Math.max(mark, end.at() - graceMs);
            }
            if (mark != Long.MIN_VALUE) {
                String partition = Integer.toString(book.partition.partition());
                marks.put(partition, mark);
                readingsOf.put(partition, new JsonArray().add(book.readingSeq).add(book.readingFrom));
            }
        }
        if (marks.isEmpty()) {
            return;
        }
        JsonObject report = new JsonObject().put("topic", kafka.getString("topic")).put("partitions", partitions)
                .put("marks", marks).put("source", sourceId).put("readings", readingsOf)
                .put("acknowledged", acknowledgedOffsets());
        long rewindsBefore = rewinds;
        reporting = true;
        router.delivered().onComplete(delivered -> {
            reporting = false;
            if (delivered.succeeded() && rewinds == rewindsBefore) {
                vertx.eventBus().publish(Addresses.KAFKA_WATERMARKS, report);
            }
        });
    }

    /**
     * Reads the partitions of a cycle whose ticks were not all acknowledged again from their last committed offset
     * (at least once: some of those ticks may be applied twice).
     */
    private void rewind(Map<TopicPartition, Long> partitions) {
        for (TopicPartition partition : partitions.keySet()) {
            Book book = bookOf(partition.partition());
            if (book == null || !book.owned || book.committedAt < 0) {
                continue; // revoked since: its next owner reads from the committed offset
            }
            readAgain(book, book.committedAt);
            LOG.warn("kafka source reads {} again from offset {}: some of its ticks were not acknowledged",
                    partition, book.committedAt);
        }
    }

    /**
     * Reads the partitions of a scanner's request ({@link Addresses#KAFKA_REREAD}) again from the offsets it gives,
     * where this source reads them past there: a scanner partition taken from its checkpoint lacks the ticks its
     * lost owner took after it. A later rewind goes back there too, until a commit passes it. Every partition of
     * the request this source reads begins a new reading ({@link Book#readingSeq}), also one not yet past the
     * offset, which goes on from where it is: the scanner catching the partition up follows the marks of the
     * readings begun after its request ({@code io.tickscan.scanner.CatchUpLanes}). The requests of a failover come
     * by the dozen within milliseconds: they are gathered for {@value #REREAD_GATHER_MS} ms, and each partition is
     * sought once, to the lowest offset asked, rather than once a request.
     */
    private void onReread(JsonObject request) {
        if (!kafka.getString("topic").equals(request.getString("topic"))) {
            return;
        }
        Map<Integer, Long> asked = new HashMap<>();
        try {
            JsonObject from = request.getJsonObject("from", new JsonObject());
            for (String partition : from.fieldNames()) {
                asked.put(Integer.parseInt(partition), from.getLong(partition));
            }
        } catch (RuntimeException e) {
            failures.failed("reading a re-read request " + request.encode(), e);
            return;
        }
        asked.forEach((partition, offset) -> rereads.merge(partition, offset, Math::min));
        if (rereadTimer < 0) {
            rereadTimer = vertx.setTimer(REREAD_GATHER_MS, id -> {
                rereadTimer = -1;
                Map<Integer, Long> gathered = new HashMap<>(rereads);
                rereads.clear();
                gathered.forEach(this::reread);
            });
        }
    }

    private void reread(int partition, long offset) {
        Book book = bookOf(partition);
        if (book != null && book.owned) {
            if (offset <= book.taken) {
                book.committedAt = book.committedAt < 0 ? offset : Math.min(book.committedAt, offset);
                readAgain(book, offset);
                LOG.info("kafka source reads {} again from offset {} for a scanner partition taken from its "
                        + "checkpoint", book.partition, offset);
            } else {
                newReading(book, book.taken + 1); // nothing to read again: it goes on, under a new reading
            }
        }
    }

    /** Marks the reports of {@code book}'s partition as of a reading that begins at offset {@code from}. */
    private void newReading(Book book, long from) {
        book.readingSeq = ++readings;
        book.readingFrom = from;
    }

    /** Reads {@code book}'s partition again from {@code from}: the records after it are taken again. */
    private void readAgain(Book book, long from) {
        TopicPartition partition = book.partition;
        book.seeksAsked++;
        book.uncommitted = -1;
        book.taken = from - 1;
        book.newestTs = Long.MIN_VALUE; // the ticks read again raise it again
        rewinds++;
        newReading(book, from);
        stalled.removeIf(r -> r.partition() == partition.partition() && r.topic().equals(partition.topic()));
        router.readingFrom(partition.partition(), from);
        // not the stream's seek: it drops every record polled and not yet handed on, of every partition
        nativeConsumer.seekBeforeNextPoll(partition, from);
    }

    private Future<Void> commit(Map<TopicPartition, Long> offsets) {
        if (offsets.isEmpty()) {
            return Future.succeededFuture();
        }
        Map<io.vertx.kafka.client.common.TopicPartition, io.vertx.kafka.client.consumer.OffsetAndMetadata> commit =
                new HashMap<>();
        offsets.forEach((p, offset) -> commit.put(new io.vertx.kafka.client.common.TopicPartition(p.topic(),
                p.partition()), new io.vertx.kafka.client.consumer.OffsetAndMetadata(offset, "")));
        return consumer.commit(commit).onSuccess(v -> {
            offsets.forEach((partition, next) -> {
                Book book = bookOf(partition.partition());
                if (book != null && book.owned) {
                    book.committedAt = next;
                    acknowledged.put(partition.partition(), next);
                }
            });
            publishAcknowledged();
        }).mapEmpty();
    }

    private void publishAcknowledged() {
        vertx.sharedData().<String, JsonObject>getLocalMap(Addresses.KAFKA_ACKNOWLEDGED)
                .put(kafka.getString("topic"), acknowledgedOffsets());
    }

    /** What this source has acknowledged of the partitions it reads, {@code {"<k>": next}}. */
    private JsonObject acknowledgedOffsets() {
        JsonObject next = new JsonObject();
        acknowledged.forEach((partition, offset) -> {
            if (partition <= TickOrigin.MAX_PARTITION) { // beyond, ticks carry no origin: not in the checkpoints
                next.put(Integer.toString(partition), offset);
            }
        });
        return next;
    }

    /** Completes when every dead-letter copy sent so far is written or failed (counted). */
    private Future<Void> deadLettersWritten() {
        return Future.join(new ArrayList<>(deadLettersSent)).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }

    private void report() {
        counters.report();
        if (acceptedUnreported > 0) {
            accepted.increment(acceptedUnreported);
            acceptedUnreported = 0;
        }
        if (rejectedUnreported > 0) {
            rejected.increment(rejectedUnreported);
            rejectedUnreported = 0;
        }
    }

    private void deadLetter(KafkaConsumerRecord<String, byte[]> record, TickRejectReason reason, String detail) {
        if (deadLetters == null) {
            return;
        }
        KafkaProducerRecord<String, byte[]> copy = KafkaProducerRecord.create(kafka.getString("dead_letter_topic"),
                        record.key(), record.value())
                .addHeader("tickscan.reason", reason.label())
                .addHeader("tickscan.detail", detail)
                .addHeader("tickscan.origin.topic", record.topic())
                .addHeader("tickscan.origin.partition", Integer.toString(record.partition()))
                .addHeader("tickscan.origin.offset", Long.toString(record.offset()));
        deadLettersSent.add(deadLetters.send(copy).onComplete(sent -> {
            if (sent.succeeded()) {
                deadLettered.increment();
            } else {
                deadLetterFailures.increment();
                failures.failed("copying a malformed record to " + kafka.getString("dead_letter_topic"), sent.cause());
            }
        }));
    }

    private void checkHealth() {
        if (outOfGroup) {
            reportHealth(false, "out of group " + kafka.getString("group_id") + " while the node is fenced");
        } else if (!joined) {
            // not "no connection" before the first assignment: the group's first polls may not have connected yet
            reportHealth(false, "joining group " + kafka.getString("group_id") + " at "
                    + kafka.getString("bootstrap_servers"));
        } else if (!nativeConsumer.connected()) {
            reportHealth(false, "no connection to a broker at " + kafka.getString("bootstrap_servers")
                    + " (retrying)");
        } else if (nativeConsumer.polledAt() != Long.MIN_VALUE
                && clock.getAsLong() - nativeConsumer.polledAt() > POLL_STALL_MS) {
            reportHealth(false, "no poll came back for " + POLL_STALL_MS / 1000 + " s: a call to the broker at "
                    + kafka.getString("bootstrap_servers") + " waits");
        } else {
            reportHealth(true, ownedCount() + " partitions of " + kafka.getString("topic"));
        }
    }

    private void reportHealth(boolean ok, String why) {
        JsonObject next = new JsonObject().put("ok", ok).put("why", why);
        if (!next.equals(health)) {
            health = next;
            vertx.sharedData().getLocalMap(Addresses.HEALTH_MAP).put(HEALTH, next);
            if (!ok) {
                LOG.warn("kafka source not ready: {}", why);
            } else {
                LOG.info("kafka source ready: {}", why);
            }
        }
    }

    /** Takes the offsets of {@code partitions} out of this source's bookkeeping. */
    private Map<TopicPartition, OffsetAndMetadata> handOver(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        // records of these partitions still waiting for room go to their next owner, which reads them again
        stalled.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        for (TopicPartition partition : partitions) {
            acknowledged.remove(partition.partition());
            Book book = bookOf(partition.partition());
            long pending = -1;
            if (book != null) {
                book.owned = false;
                book.committedAt = -1;
                pending = book.uncommitted;
                book.uncommitted = -1;
                book.newestTs = Long.MIN_VALUE;
                rewinds++; // a report under way may claim ticks its next owner reads again
            }
            Long inCycle = committing == null ? null : committing.remove(partition);
            long next = Math.max(pending, inCycle == null ? -1 : inCycle);
            if (next >= 0) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    /** What the group's changes do to this source; called on the polling thread, run on the verticle's context. */
    private final class Rebalancing implements RebalanceHookedConsumer.Hooks {
        @Override
        public CompletionStage<Map<TopicPartition, OffsetAndMetadata>> revoking(Collection<TopicPartition> revoked) {
            CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> offsets = new CompletableFuture<>();
            context.runOnContext(v -> {
                Map<TopicPartition, OffsetAndMetadata> handed = handOver(revoked);
                // ticks not acknowledged: commit nothing, so that the next owner reads them again
                router.acknowledged().compose(none -> deadLettersWritten())
                        .onComplete(done -> offsets.complete(done.succeeded() ? handed : Map.of()));
            });
            // nor after REVOKE_WAIT_MS: some went to a scanner that died, and the whole group waits for this answer
            return offsets.completeOnTimeout(Map.of(), REVOKE_WAIT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<Map<TopicPartition, Long>> assigning(Collection<TopicPartition> assigned) {
            if (redis == null) {
                return CompletableFuture.completedFuture(Map.of());
            }
            List<TopicPartition> partitions = List.copyOf(assigned);
            CompletableFuture<Map<TopicPartition, Long>> from = new CompletableFuture<>();
            context.runOnContext(v -> CheckpointedOffsets.of(redis, kafka.getString("topic"),
                    config().getInteger("partitions")).onComplete(read -> {
                        if (read.failed()) {
                            from.completeExceptionally(read.cause());
                            return;
                        }
                        Map<TopicPartition, Long> mine = new HashMap<>();
                        for (TopicPartition partition : partitions) {
                            Long offset = read.result().get(partition.partition());
                            if (offset != null) {
                                mine.put(partition, offset);
                            }
                        }
                        from.complete(mine);
                    }));
            return from;
        }

        @Override
        public void changed(Map<TopicPartition, Long> assigned, Collection<TopicPartition> lost) {
            Map<TopicPartition, Long> now = Map.copyOf(assigned);
            List<TopicPartition> gone = List.copyOf(lost);
            context.runOnContext(v -> {
                handOver(gone);
                for (Book book : books) {
                    if (book != null && book.owned && !now.containsKey(book.partition)) {
                        book.owned = false;
                        acknowledged.remove(book.partition.partition());
                    }
                }
                now.forEach((partition, next) -> {
                    Book book = book(partition);
                    if (book.owned) {
                        return; // kept through a cooperative rebalance: its reading goes on as it was
                    }
                    book.owned = true;
                    // read from where the group (or the checkpoints) say, even below what this source took before:
                    // the scanners skip what they took already
                    book.taken = next - 1;
                    book.newestTs = Long.MIN_VALUE; // what it handed on before may be read again: not claimed
                    rewinds++;
                    newReading(book, next);
                    router.readingFrom(partition.partition(), next);
                    // after any seek asked for under its last ownership and not made yet: this one is made last
                    book.seeksAsked++;
                    nativeConsumer.seekBeforeNextPoll(partition, next);
                    acknowledged.put(partition.partition(),
                            book.committedAt >= 0 ? Math.min(next, book.committedAt) : next);
                });
                publishAcknowledged();
                joined = true;
                LOG.info("kafka source owns {} partitions of {}", now.size(), kafka.getString("topic"));
                checkHealth();
            });
        }
    }

    /** Hands the decoded tick of the current record to the router, or counts and dead-letters its reject. */
    private final class RecordSink implements TickCsvReader.Sink {
        @Override
        public void tick(String symbol, long ts, double price, double size) {
            int partition = current.partition();
            Book book = books[partition];
            // a tick from the future, which its scanner drops, claims nothing
            if (ts > book.newestTs && ts <= markHorizon) {
                book.newestTs = ts;
            }
            router.offer(symbol, ts, price, size, clock.getAsLong(), partition <= TickOrigin.MAX_PARTITION
                    ? TickOrigin.of(partition, current.offset()) : TickOrigin.NONE);
            acceptedUnreported++;
        }

        @Override
        public void reject(TickRejectReason reason, long line, String detail) {
            counters.count(reason);
            rejectedUnreported++;
            deadLetter(current, reason, detail);
        }
    }

    /** What the source keeps of one partition of its topic; read per record, so plain fields, no boxing. */
    private static final class Book {
        final TopicPartition partition;
        /** Whether the group gave it to this member, as last told. */
        boolean owned;
        /** The highest offset taken since it was assigned or rewound: a record at or below it is not taken again. */
        long taken = -1;
        /** The offset it was last committed at (or reading started from), -1 when unknown: where a rewind reads. */
        long committedAt = -1;
        /** The offset after the newest record handed on and not yet in a commit, -1 when none. */
        long uncommitted = -1;
        /** The newest stamp of the ticks handed on since it was assigned or rewound. */
        long newestTs = Long.MIN_VALUE;
        /**
         * The seeks this source asked for, and those the consumer had made before the latest batch polled
         * ({@link RebalanceHookedConsumer.AfterSeeks}): a record polled before the last seek is of the reading it
         * ended, and taking it would skip every record the new reading brings up to it.
         */
        long seeksAsked;
        long seeksLanded;
        /** The reading under way: its number among this source's readings, and the offset it began at. */
        long readingSeq;
        long readingFrom;

        Book(TopicPartition partition) {
            this.partition = partition;
        }
    }
}
