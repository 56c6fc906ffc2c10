package io.tickscan.ingest;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native consumer under vertx-kafka-client's, with what that client cannot do on its polling thread: its own
 * rebalance handlers run later on the verticle's context, after the partitions are gone, when their offsets can no
 * longer be committed. Here a revocation waits (on the polling thread, up to {@link #REVOKE_WAIT_MS}) until the
 * source says which offsets its acknowledged ticks reach, and commits them before the partitions are given away.
 * An assignment first asks the source where the scanners' checkpoints need each new partition read from, and
 * seeks back there when that is before the committed offset. It also notes after each poll whether any broker
 * connection is open, and which partitions it has read to their end ({@link #caughtUp()}, for the source's
 * watermarks). And it seeks for the source on the polling thread ({@link #seekBeforeNextPoll}).
 */
final class RebalanceHookedConsumer extends KafkaConsumer<String, byte[]> {
    /** How long a revocation waits for the source's ticks to be acknowledged. */
    static final long REVOKE_WAIT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(RebalanceHookedConsumer.class);

    /** What the source does when the group changes; called on the polling thread. */
    interface Hooks {
        /** The offsets to commit for {@code revoked}, once the ticks read from them are acknowledged. */
        CompletionStage<Map<TopicPartition, OffsetAndMetadata>> revoking(Collection<TopicPartition> revoked);

        /**
         * Where the newly {@code assigned} partitions must be read from at the latest (those absent may start at
         * their committed offsets).
         */
        CompletionStage<Map<TopicPartition, Long>> assigning(Collection<TopicPartition> assigned);

        /**
         * The partitions now assigned to this member (possibly none), with the offset each is read from next, or
         * lost without a chance to commit.
         */
        void changed(Map<TopicPartition, Long> assigned, Collection<TopicPartition> lost);
    }

    /**
     * A partition a poll found read to its end: every record in it when the poll before started ({@code at}, epoch
     * ms; the lag comes from a fetch made since) is below {@code end}, the position the poll left it at.
     */
    record CaughtUp(long at, long end) {
    }

    /**
     * A batch polled after seeks were made: per partition, how many seeks ({@link #seekBeforeNextPoll}) had been
     * made before it. The read stream hands a batch's records on only after every record of the batches before
     * it, and calls its batch handler first, so a record of a partition that reaches the source before the batch
     * telling of its last seek was polled before that seek.
     */
    static final class AfterSeeks extends ConsumerRecords<String, byte[]> {
        private final Map<TopicPartition, Long> seeksMade;

        AfterSeeks(ConsumerRecords<String, byte[]> records, Map<TopicPartition, Long> seeksMade) {
            super(byPartition(records), records.nextOffsets());
            this.seeksMade = seeksMade;
        }

        /** Per partition, the seeks made before this batch was polled. */
        Map<TopicPartition, Long> seeksMade() {
            return seeksMade;
        }

        private static Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition(
                ConsumerRecords<String, byte[]> records) {
            Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new LinkedHashMap<>();
            for (TopicPartition partition : records.partitions()) {
                byPartition.put(partition, records.records(partition));
            }
            return byPartition;
        }
    }

    /** How long a look-up after a poll (a position, the topic's partitions) may wait for the broker. */
    private static final Duration LOOKUP_TIMEOUT = Duration.ofMillis(200);
    private final Hooks hooks;
    private final LongSupplier clock;
    private volatile boolean connected;
    /** When the last poll returned (the clock's), {@link Long#MIN_VALUE} before the first. */
    private volatile long polledAt = Long.MIN_VALUE;
    /** By partition number, the partitions the last poll left at their end. */
    private volatile Map<Integer, CaughtUp> caughtUp = Map.of();
    /** The partition count of the topic read, once known (0 before). */
    private volatile int topicPartitions;
    /** When the poll before the one under way started; read and written on the polling thread only. */
    private long previousPollStarted = Long.MIN_VALUE;
    /** The client's {@code connection-count} metric, once it exists; read on the polling thread only. */
    private Metric connections;

    /** Seeks asked for and not yet made, in the order asked. */
    private final Queue<Map.Entry<TopicPartition, Long>> seeks = new ConcurrentLinkedQueue<>();
    /** Per partition, the seeks made so far (one asked of a partition revoked since counts too); polling thread. */
    private final Map<TopicPartition, Long> seeksMade = new HashMap<>();
    /** Whether seeks were made since the last batch of records the polls returned; polling thread. */
    private boolean seeksUntold;

    /** @param clock the node's wall clock, epoch milliseconds (when a poll found a partition read to its end) */
    RebalanceHookedConsumer(Properties properties, Hooks hooks, LongSupplier clock) {
        super(properties, new StringDeserializer(), new ByteArrayDeserializer());
        this.hooks = hooks;
        this.clock = clock;
    }

    /** Whether the last poll saw an open connection to a broker. */
    boolean connected() {
        return connected;
    }

    /**
     * When the last poll returned, by the clock; {@link Long#MIN_VALUE} before the first. A poll that does not come
     * back (the polling thread waits on a broker call, a commit say, with the broker gone) leaves
     * {@link #connected()} as it was: this tells.
     */
    long polledAt() {
        return polledAt;
    }

    /** Notes the partitions this poll left at their end; a failure here only keeps the last note. */
    private void noteEnds() {
        try {
            Map<Integer, CaughtUp> ends = new HashMap<>();
            for (TopicPartition partition : assignment()) {
                OptionalLong lag = currentLag(partition);
                if (lag.isPresent() && lag.getAsLong() == 0 && previousPollStarted != Long.MIN_VALUE) {
                    ends.put(partition.partition(), new CaughtUp(previousPollStarted,
                            position(partition, LOOKUP_TIMEOUT)));
                }
                if (topicPartitions == 0) {
                    // bounded: with the broker gone, the default wait (a minute) would hold this poll, and the
                    // connection state the health check reads, that long
                    topicPartitions = partitionsFor(partition.topic(), LOOKUP_TIMEOUT).size();
                }
            }
            caughtUp = ends;
        } catch (RuntimeException e) {
            LOG.debug("which partitions are read to their end is not known after this poll: {}", e.toString());
        }
    }

    /** The partitions the last poll left at their end, by partition number. */
    Map<Integer, CaughtUp> caughtUp() {
        return caughtUp;
    }

    /** The partition count of the topic read, or 0 before the first assignment. */
    int topicPartitions() {
        return topicPartitions;
    }

    /**
     * Reads {@code partition} from {@code offset} on, from the next poll (any thread). Not the read stream's seek,
     * which drops every record it has polled and not yet emitted, of every partition: the consumer's positions are
     * past them, so the other partitions' records in that batch would never be read. The records of
     * {@code partition} polled before the seek still reach the source; the first batch polled after it says how
     * many seeks of each partition came before it ({@link AfterSeeks}), so the source knows them and skips them.
     */
    void seekBeforeNextPoll(TopicPartition partition, long offset) {
        seeks.add(Map.entry(partition, offset));
    }

    @Override
    public ConsumerRecords<String, byte[]> poll(Duration timeout) {
        for (Map.Entry<TopicPartition, Long> seek = seeks.poll(); seek != null; seek = seeks.poll()) {
            // counted first: a seek that throws must not leave the source skipping the partition's records for good
            seeksMade.merge(seek.getKey(), 1L, Long::sum);
            seeksUntold = true;
            try {
                if (assignment().contains(seek.getKey())) { // revoked since: its next owner reads it
                    seek(seek.getKey(), seek.getValue());
                }
            } catch (RuntimeException e) {
                LOG.warn("{} could not be read again from offset {}: {}", seek.getKey(), seek.getValue(),
                        e.toString());
            }
        }
        long started = clock.getAsLong();
        ConsumerRecords<String, byte[]> records = super.poll(timeout);
        if (seeksUntold && !records.isEmpty()) {
            // an empty batch reaches nobody: the next one with records tells
            seeksUntold = false;
            records = new AfterSeeks(records, Map.copyOf(seeksMade));
        }
        noteEnds();
        // the lag is the last fetch's, which may be older than this poll, not older than the previous one's
        previousPollStarted = started;
        if (connections == null) {
            // looked up once: walking every client metric on each poll cost more than the poll's bookkeeping
            connections = metrics().entrySet().stream()
                    .filter(m -> m.getKey().name().equals("connection-count")
                            && m.getKey().group().equals("consumer-metrics"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        connected = connections != null && ((Number) connections.metricValue()).doubleValue() > 0;
        polledAt = clock.getAsLong();
        return records;
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        super.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    commitBeforeRevoking(partitions);
                }
                listener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    seekToCheckpoints(partitions);
                }
                Map<TopicPartition, Long> positions = new HashMap<>();
                for (TopicPartition partition : assignment()) {
                    positions.put(partition, position(partition));
                }
                hooks.changed(positions, List.of());
                listener.onPartitionsAssigned(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                hooks.changed(Map.of(), partitions);
                listener.onPartitionsLost(partitions);
            }
        });
    }

    private void seekToCheckpoints(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> from;
        try {
            from = hooks.assigning(partitions).toCompletableFuture().get(REVOKE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            LOG.warn("where the scanners' checkpoints need {} read from is unknown, so they are read from their "
                    + "committed offsets: the ticks between a checkpoint and those offsets are missing from the state "
                    + "({})", partitions, e.toString());
            return;
        }
        from.forEach((partition, offset) -> {
            long committed = position(partition);
            if (offset < committed) {
                LOG.info("{} is read from offset {}, not its committed {}: the scanners' checkpoints end there",
                        partition, offset, committed);
                seek(partition, offset);
            }
        });
    }

    private void commitBeforeRevoking(Collection<TopicPartition> partitions) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = hooks.revoking(partitions).toCompletableFuture()
                    .get(REVOKE_WAIT_MS, TimeUnit.MILLISECONDS);
            if (!offsets.isEmpty()) {
                commitSync(offsets);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("the offsets of revoked partitions {} were not committed; their newest records will be read "
                    + "again by the next owner: {}", partitions, e.toString());
        }
    }
}
