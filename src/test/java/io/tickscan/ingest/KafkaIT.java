package io.tickscan.ingest;

import static io.tickscan.ingest.KafkaNodes.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ticks are stamped with the wall clock as they are produced: the node runs live, and a scanner refuses a tick older
 * than its last scan as late.
 *
 * <p>One in-JVM KRaft broker and one standalone node fed from its {@code ticks} topic (JSON, three partitions), with
 * a rule that fires once per symbol, the alert sink on {@code alerts} and dead letters on {@code dead}.
 */
@DisplayName("a node fed from Kafka")
class KafkaIT {
    private static final String GROUP = "it-scanners";
    private static final int SYMBOLS = 10;
    private static final int TICKS_PER_SYMBOL = 30;

    @TempDir
    static Path dir;
    static KafkaClusterTestKit kafka;
    static Admin admin;
    static TickscanNode node;
    static final Set<String> alertedOnBus = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startBrokerAndNode() throws Exception {
        kafka = KafkaNodes.startBroker();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic("ticks", 3, (short) 1), new NewTopic("alerts", 1, (short) 1),
                new NewTopic("dead", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);

        JsonObject conf = KafkaNodes.withAlertSink(KafkaNodes.config(dir, kafka.bootstrapServers(), "ticks", GROUP,
                "json"), kafka.bootstrapServers(), "alerts");
        conf.getJsonObject("sources").getJsonObject("kafka").put("dead_letter_topic", "dead");
        node = TestNodes.start(dir, conf);
        node.vertx().eventBus().<Alert>consumer(Addresses.ALERTS, m -> alertedOnBus.add(m.body().symbol()))
                .completion().await();
        await("the kafka source joins its group", 60, () -> KafkaNodes.sourceOk(node));
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (node != null) {
            node.stop().await(60, TimeUnit.SECONDS);
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static void await(String what, int seconds, BooleanSupplier condition) {
        TestNodes.await(what, seconds, condition, () -> node == null ? "" : KafkaNodes.meters(List.of(node)));
    }

    double meter(String name, String... tags) {
        return KafkaNodes.meter(node, name, tags);
    }

    static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        return KafkaNodes.readAll(kafka.bootstrapServers(), topic, expected, 60);
    }

    @Test
    void ticksBecomeAlertsMalformedRecordsAreDeadLetteredAndEveryGoodTickIsAppliedOnceAndCommitted()
            throws Exception {
        double processedBefore = meter("tick_processed");
        int good = 0;
        try (KafkaProducer<String, String> producer = KafkaNodes.producer(kafka.bootstrapServers())) {
            for (int i = 0; i < TICKS_PER_SYMBOL; i++) {
                for (int s = 0; s < SYMBOLS; s++) {
                    String symbol = "SYM" + s;
                    producer.send(new ProducerRecord<>("ticks", symbol, tick(symbol, System.currentTimeMillis(), 100 + i)));
                    good++;
                }
                if (i == TICKS_PER_SYMBOL / 2) {
                    producer.send(new ProducerRecord<>("ticks", "SYM1", "this is not json"));
                    producer.send(new ProducerRecord<>("ticks", "SYM2", "1700000000000,SYM2,1.5,1"));
                    producer.send(new ProducerRecord<>("ticks", "SYM3", tick("SYM3", System.currentTimeMillis(), "cheap")));
                    producer.send(new ProducerRecord<>("ticks", "SYM4", tick("SYM4", System.currentTimeMillis(), -3)));
                }
            }
            producer.flush();
        }
        int produced = good;

        await("every symbol alerts on the bus", 60, () -> alertedOnBus.size() == SYMBOLS);
        assertThat(alertedOnBus).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, SYMBOLS).mapToObj(s -> "SYM" + s).toList());

        List<ConsumerRecord<String, String>> alerts = readAll("alerts", SYMBOLS);
        assertThat(alerts).hasSize(SYMBOLS);
        for (ConsumerRecord<String, String> alert : alerts) {
            JsonObject json = new JsonObject(alert.value());
            assertThat(json.getString("symbol")).isEqualTo(alert.key());
            assertThat(json.getString("rule_id")).isEqualTo("any-price");
        }

        Map<TopicPartition, Long> ends = endOffsets();
        await("committed offsets reach the end of every partition", 60, () -> ends.equals(committed()));
        assertThat(meter("tick_processed") - processedBefore).as("each good tick applied once").isEqualTo(produced);
        assertThat(meter("kafka_records", "result", "tick")).isEqualTo(produced);

        await("rejects reported", 10, () -> meter("kafka_records", "result", "rejected") == 4);
        assertThat(meter("ticks_rejected", "reason", "malformed", "source", "kafka")).isEqualTo(2);
        assertThat(meter("ticks_rejected", "reason", "bad_price", "source", "kafka")).isEqualTo(2);
        List<ConsumerRecord<String, String>> dead = readAll("dead", 4);
        assertThat(dead).hasSize(4);
        Map<String, String> reasonByKey = dead.stream().collect(Collectors.toMap(ConsumerRecord::key,
                r -> new String(r.headers().lastHeader("tickscan.reason").value(), StandardCharsets.UTF_8)));
        assertThat(reasonByKey).containsExactlyInAnyOrderEntriesOf(Map.of("SYM1", "malformed", "SYM2", "malformed",
                "SYM3", "bad_price", "SYM4", "bad_price"));
        assertThat(dead).allSatisfy(r -> {
            assertThat(r.headers().lastHeader("tickscan.origin.topic").value()).asString(StandardCharsets.UTF_8)
                    .isEqualTo("ticks");
            assertThat(r.headers().lastHeader("tickscan.origin.offset")).isNotNull();
        });
        assertThat(node.registry().find("kafka_commit_failures").counter().count()).isZero();
    }

    static Map<TopicPartition, Long> endOffsets() throws Exception {
        return KafkaNodes.endOffsets(admin, "ticks", 3);
    }

    static Map<TopicPartition, Long> committed() {
        return KafkaNodes.committed(admin, GROUP);
    }
}
