package io.tickscan.kafka;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka client properties from a {@code sources.kafka} or {@code sinks.kafka} section: the brokers, backoffs that
 * retry a broker that went away every 250 ms at first and every 5 s at most, cooperative rebalancing for consumers
 * (a member that joins or leaves moves only the partitions that change hands), then the section's
 * {@code properties} by their Kafka names, which may override any of these except what the delivery guarantees
 * depend on (manual commits for the consumer; idempotence and {@code acks=all} for producers).
 */
public final class KafkaSettings {
    private static final String BACKOFF_MS = "250";
    private static final String BACKOFF_MAX_MS = "5000";

    private KafkaSettings() {
    }

    /** Consumer properties for group {@code group_id}, committing by hand, new groups starting at the earliest. */
    public static Properties consumer(JsonObject section) {
        Properties props = new Properties();
        props.putAll(common(section));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, section.getString("group_id"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a rebalance moves only the partitions that change hands: the others are read on without a pause (the
        // broker-side protocol, group.protocol=consumer, refuses a client-side assignor and is incremental anyway)
        if (!"consumer".equalsIgnoreCase(String.valueOf(section.getJsonObject("properties")
                .getValue(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic")))) {
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        section.getJsonObject("properties").forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    /**
     * Idempotent producer properties ({@code acks=all}). Of the section's {@code properties}, only producer
     * properties are taken, so that a source's consumer settings (such as its security ones) serve its
     * dead-letter producer too.
     */
    public static Map<String, String> producer(JsonObject section) {
        Map<String, String> props = common(section);
        section.getJsonObject("properties").forEach(e -> {
            if (ProducerConfig.configNames().contains(e.getKey())) {
                props.put(e.getKey(), String.valueOf(e.getValue()));
            }
        });
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    private static Map<String, String> common(JsonObject section) {
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", section.getString("bootstrap_servers"));
        props.put("reconnect.backoff.ms", BACKOFF_MS);
        props.put("reconnect.backoff.max.ms", BACKOFF_MAX_MS);
        props.put("retry.backoff.ms", BACKOFF_MS);
        props.put("retry.backoff.max.ms", BACKOFF_MAX_MS);
        return props;
    }
}
