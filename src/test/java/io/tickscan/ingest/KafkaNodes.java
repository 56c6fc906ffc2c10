package io.tickscan.ingest;

import io.tickscan.codec.Addresses;
import io.tickscan.node.TickscanNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * What the Kafka {@code *IT} suites share: the configuration of a standalone node fed from a Kafka topic, ticks as
 * a plain {@link KafkaProducer} writes them, the node's meters and the source's health, and the topic's end and
 * committed offsets. Start the node itself with {@code TestNodes.start} and poll with {@code TestNodes.await}.
 */
public final class KafkaNodes {
    /** The one rule of these nodes: fires once per symbol (a day's cooldown) at its first tick. */
    public static final String RULE = "any-price";

    private KafkaNodes() {
    }

    /**
     * A one-node KRaft broker (broker and controller combined) in this JVM, started and ready, on free ports, with
     * internal topics of one replica and no initial rebalance delay; about 8 s. Close it when done.
     */
    public static KafkaClusterTestKit startBroker() throws Exception {
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0").build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }

    /**
     * The configuration (the defaults with these changes) of a standalone node, simulator off, one web instance on
     * a free loopback port, fed from {@code topic} of {@code bootstrap} in {@code group} with values in
     * {@code format}; its rules file, the rule {@link #RULE} ({@code last > 0}), is written in {@code home}.
     */
    public static JsonObject config(Path home, String bootstrap, String topic, String group, String format)
            throws Exception {
        Path rules = home.resolve("rules.json");
        Files.writeString(rules, new JsonObject().put("rules", new JsonArray().add(new JsonObject()
                .put("id", RULE).put("when", "last > 0").put("cooldown_sec", 86_400))).encode());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("enabled", false);
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1").put("instances", 1);
        conf.getJsonObject("rules").put("file", rules.toString());
        JsonObject sources = conf.getJsonObject("sources");
        sources.getJsonObject("simulator").put("enabled", false);
        sources.getJsonObject("kafka").put("enabled", true).put("bootstrap_servers", bootstrap)
                .put("topic", topic).put("group_id", group).put("format", format);
        return conf;
    }

    /** {@code conf} with the alert sink on, writing to {@code topic} of {@code bootstrap}; returns it. */
    public static JsonObject withAlertSink(JsonObject conf, String bootstrap, String topic) {
        conf.getJsonObject("sinks").getJsonObject("kafka").put("enabled", true)
                .put("bootstrap_servers", bootstrap).put("topic", topic);
        return conf;
    }

    /** An idempotent producer ({@code acks=all}) of string keys and values. */
    public static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "enable.idempotence", "true"), new StringSerializer(), new StringSerializer());
    }

    /** The size of every tick of {@link #tick}. */
    public static final int TICK_SIZE = 10;

    /** A JSON tick, size {@link #TICK_SIZE}; {@code price} may be anything, to make a bad tick. */
    public static String tick(String symbol, long ts, Object price) {
        return new JsonObject().put("symbol", symbol).put("ts", ts).put("price", price).put("size", TICK_SIZE)
                .encode();
    }

    /** True once the node's Kafka source reports ok (it joined its group and holds partitions). */
    public static boolean sourceOk(TickscanNode node) {
        return health(node) instanceof JsonObject h && h.getBoolean("ok");
    }

    /** The Kafka source's health text ("3 partitions of ticks", or why it is not ok), or "none". */
    public static String sourceHealth(TickscanNode node) {
        return health(node) instanceof JsonObject h ? h.getString("why") : "none";
    }

    private static Object health(TickscanNode node) {
        return node.vertx().sharedData().getLocalMap(Addresses.HEALTH_MAP).get(KafkaSourceVerticle.HEALTH);
    }

    /** The count of a counter of the node, 0 when it has none of that name and tags. */
    public static double meter(TickscanNode node, String name, String... tags) {
        var counter = node.registry().find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The nodes' tick, Kafka and alert meters that are not 0, for a failure's message. */
    public static String meters(Collection<TickscanNode> nodes) {
        return nodes.stream().map(node -> node.nodeId() + ":\n" + node.registry().scrape().lines()
                        .filter(l -> !l.startsWith("#") && l.matches("^(tick|kafka|alert|ticks|worker).*")
                                && !l.endsWith(" 0.0"))
                        .collect(Collectors.joining("\n")))
                .collect(Collectors.joining("\n"));
    }

    /** The end offset of each of the {@code partitions} partitions of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((p, info) -> ends.put(p, info.offset()));
        return ends;
    }

    /** The offsets {@code group} committed, or none when the broker does not answer within 10 s. */
    public static Map<TopicPartition, Long> committed(Admin admin, String group) {
        try {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .forEach((p, o) -> offsets.put(p, o.offset()));
            return offsets;
        } catch (Exception e) {
            return Map.of();
        }
    }

    /**
     * The records of {@code topic} from its beginning: read (by an assigned consumer, no group) until at least
     * {@code expected} are read, then on to the topic's end offsets as they are then, so that a record beyond the
     * expected ones is read too; fails after {@code seconds}.
     */
    public static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic, int expected,
                                                                int seconds) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(seconds)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Map<TopicPartition, Long> ends = null;
            while (ends == null || !reached(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(expected + " records of " + topic + " within " + seconds
                            + " s; read " + records.size());
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                if (ends == null && records.size() >= expected) {
                    ends = consumer.endOffsets(partitions);
                }
            }
        }
        return records;
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }
}
