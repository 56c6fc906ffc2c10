package io.tickscan.scanner;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

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
    /** Per Kafka partition, the highest offset a source reported acknowledged ({@code "acknowledged"}). */
    private final JsonObject acknowledged = new JsonObject();
    /** Per source, the highest reading number it has reported. */
    private final Map<String, Long> readings = new HashMap<>();

    /** @param topic the Kafka topic the scanners' ticks come from, or null when there is none (always open) */
    SourceWatermarks(String topic) {
        this.topic = topic;
    }

    /**
     * Takes a source's report {@code {"topic": t, "partitions": n, "marks": {"<kafka partition>": ts}}}; true when
     * a mark moved. Reports of another topic are ignored.
     */
    boolean update(JsonObject report) {
        if (!ofTopic(report)) {
            return false;
        }
        JsonObject acknowledgedNow = report.getJsonObject("acknowledged");
        if (acknowledgedNow != null) {
            acknowledgedNow.forEach(e -> acknowledged.put(e.getKey(), Math.max(((Number) e.getValue()).longValue(),
                    acknowledged.getLong(e.getKey(), Long.MIN_VALUE))));
        }
        String source = report.getString("source");
        JsonObject reading = report.getJsonObject("readings");
        if (source != null && reading != null) {
            for (String k : reading.fieldNames()) {
                readings.merge(source, reading.getJsonArray(k).getLong(0), Math::max);
            }
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

    /** True when {@code report} is of the scanners' topic. */
    boolean ofTopic(JsonObject report) {
        return topic != null && topic.equals(report.getString("topic"));
    }

    /**
     * Per Kafka partition, the highest offset a source has reported acknowledged: every tick below it was taken by
     * the scanner partition that owned it then ({@code {"<k>": next}}).
     */
    JsonObject acknowledged() {
        return acknowledged;
    }

    /** Per source, the highest number of a reading it has reported so far ({@code "readings"} of its reports). */
    Map<String, Long> readingsSeen() {
        return Map.copyOf(readings);
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
