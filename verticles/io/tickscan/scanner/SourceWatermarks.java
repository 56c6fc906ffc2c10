package io.tickscan.scanner;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * How far the Kafka sources of the cluster have delivered the ticks of the scanners' topic: for each Kafka
 * partition, a time before which every tick stamped has been taken by its owner, from the reports every source
 * publishes on {@code io.tickscan.codec.Addresses#KAFKA_WATERMARKS}. A mark only grows: after a rebalance the new
 * reader of a partition reads from an older offset, but what the previous reader reported delivered stays
 * delivered.
 *
 * <p>{@link #reached} is the scan schedule's gate ({@link ScanSchedule}): a scan of second {@code s} waits until every
 * partition of the topic is marked at {@code s} or later. A partition nobody has reported yet (its reader died,
 * the group is rebalancing) holds the gate shut. Before any report (no Kafka source in the cluster), the gate is
 * open.
 */
final class SourceWatermarks {
    private final String topic;
    private long[] marks = new long[0];

    /** @param topic the Kafka topic the scanners' ticks come from, or null when there is none (always open) */
    SourceWatermarks(String topic) {
        this.topic = topic;
    }

    /**
     * Takes a source's report {@code {"topic": t, "partitions": n, "marks": {"<kafka partition>": ts}}}; true when
     * a mark moved. Reports of another topic are ignored.
     */
    boolean update(JsonObject report) {
        if (topic == null || !topic.equals(report.getString("topic"))) {
            return false;
        }
        int partitions = report.getInteger("partitions", 0);
        if (partitions > marks.length) {
            int known = marks.length;
            marks = Arrays.copyOf(marks, partitions);
            Arrays.fill(marks, known, partitions, Long.MIN_VALUE);
        }
        boolean moved = false;
        JsonObject reported = report.getJsonObject("marks", new JsonObject());
        for (String partition : reported.fieldNames()) {
            int k = Integer.parseInt(partition);
            long mark = reported.getLong(partition);
            if (k >= 0 && k < marks.length && mark > marks[k]) {
                marks[k] = mark;
                moved = true;
            }
        }
        return moved;
    }

    /** True when every tick stamped before {@code second} has been delivered, as far as the reports say. */
    boolean reached(long second) {
        for (long mark : marks) {
            if (mark < second) {
                return false;
            }
        }
        return true;
    }
}
