package io.tickscan.bench;

import io.tickscan.testdata.KafkaBroker;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A local Kafka for trying a node by hand without the Kafka distribution, from the test classpath:
 * <pre>
 * bench/run io.tickscan.bench.LocalKafka broker                      # prints its bootstrap address; Ctrl-C stops it
 * echo '{"symbol":"AAPL","ts":1765040461000,"price":189.5,"size":100}' |
 *   bench/run io.tickscan.bench.LocalKafka produce 127.0.0.1:PORT ticks
 * bench/run io.tickscan.bench.LocalKafka consume 127.0.0.1:PORT alerts
 * </pre>
 * {@code broker} runs a one-node KRaft broker ({@link KafkaBroker}) with the topics {@code ticks} (3 partitions),
 * {@code ticks.dead} and {@code alerts}; {@code produce} sends each line of its input as a record keyed by the
 * line's {@code "symbol"} (lines that are not JSON objects go without key); {@code consume} prints every record of
 * a topic from the beginning as {@code key value}, until Ctrl-C.
 */
public final class LocalKafka {
    private LocalKafka() {
    }

    public static void main(String[] args) throws Exception {
        String usage = "usage: LocalKafka broker | produce BOOTSTRAP TOPIC | consume BOOTSTRAP TOPIC";
        if (args.length == 0) {
            System.err.println(usage);
            System.exit(2);
        }
        switch (args[0]) {
            case "broker" -> broker();
            case "produce" -> produce(args[1], args[2]);
            case "consume" -> consume(args[1], args[2]);
            default -> {
                System.err.println(usage);
                System.exit(2);
            }
        }
    }

    private static void broker() throws Exception {
        Path dir = Files.createTempDirectory("tickscan-kafka");
        KafkaBroker broker = KafkaBroker.start(dir, KafkaBroker.TEST_JVM, Map.of());
        broker.createTopic("ticks", 3);
        broker.createTopic("ticks.dead", 1);
        broker.createTopic("alerts", 1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }));
        System.out.println("broker on " + broker.bootstrap() + " (topics ticks, ticks.dead, alerts; logs in " + dir
                + "); Ctrl-C stops it");
        stopped.await();
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all"), new StringSerializer(), new StringSerializer());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            long sent = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                producer.send(new ProducerRecord<>(topic, keyOf(line), line));
                sent++;
            }
            producer.flush();
            System.err.println(sent + " records sent to " + topic);
        }
    }

    private static String keyOf(String line) {
        try {
            return new JsonObject(line).getString("symbol");
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static void consume(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "local-kafka-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (true) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    System.out.println(record.key() + " " + record.value());
                }
            }
        }
    }
}
