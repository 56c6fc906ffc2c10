package io.tickscan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.node.TestNodes;
import io.tickscan.redis.RedisKeys;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that crashes between two checkpoints: the fat jar run as a child JVM, fed from a broker in the test JVM,
 * with its state checkpointed to a real {@code redis-server}, killed with {@code SIGKILL} after Kafka has committed
 * ticks that no checkpoint holds yet, and started again. Every tick has the same size, so a symbol's session volume
 * counts the ticks in its state: after the restart each tick must be in it exactly once (or, when its minute was scanned
 * while the node was down, counted as late, as the spec says of a tick older than the minute of the latest scan).
 */
@DisplayName("a node killed between checkpoints comes back with every Kafka tick in its state once")
class KafkaCrashIT {
    private static final int SYMBOLS = 8;
    private static final String TOPIC = "ticks";
    private static final String GROUP = "crash-" + UUID.randomUUID();
    private static final long CHECKPOINT_MS = 8_000;
    /** The default {@code partitions} of conf/tickscan.json. */
    private static final int PARTITIONS = 256;

    @TempDir
    static Path dir;
    static KafkaClusterTestKit kafka;
    static Admin admin;
    static RedisServer redis;
    static Vertx vertx;
    static Redis redisClient;
    static KafkaProducer<String, String> producer;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static int port;
    static Path conf;

    @BeforeAll
    static void startServers() throws Exception {
        kafka = KafkaNodes.startBroker();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        producer = KafkaNodes.producer(kafka.bootstrapServers());
        redis = RedisServer.start(dir);
        vertx = Vertx.vertx();
        redisClient = Redis.createClient(vertx, redis.url());

        port = freePort();
        JsonObject node = KafkaNodes.config(dir, kafka.bootstrapServers(), TOPIC, GROUP, "json");
        node.getJsonObject("node").put("id", "crash-it");
        node.getJsonObject("http").put("port", port);
        // the killed member leaves the group after this, not the default 45 s
        node.getJsonObject("sources").getJsonObject("kafka").put("properties", new JsonObject()
                .put("session.timeout.ms", "6000").put("heartbeat.interval.ms", "1000"));
        node.getJsonObject("redis").put("url", redis.url()).put("checkpoint_interval_ms", CHECKPOINT_MS);
        conf = dir.resolve("node.json");
        Files.writeString(conf, node.encodePrettily());
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void ticksCommittedAfterTheLastCheckpointAreReadAgainAndNoneIsAppliedTwice() throws Exception {
        Process node = start("first");
        long produced;
        try {
            awaitReady(node, "first");
            produced = produce(400);
            awaitProcessed(produced, node, "first");
            TestNodes.await("checkpoints of every partition holding the first ticks", 60,
                    () -> checkpointed() == produced);
            // committed by Kafka within a slice of the checkpoint interval: most partitions' checkpoints lack them
            long more = produce(600);
            awaitProcessed(produced + more, node, "first");
            TestNodes.await("Kafka commits the later ticks", 10, () -> committed() == produced + more);
            node.destroyForcibly(); // SIGKILL: no checkpoint on the way out
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(checkpointed()).as("checkpoints lack later ticks when the node dies")
                    .isLessThan(produced + more);
            long whileDown = produce(300);
            long total = produced + more + whileDown;

            node = start("second");
            awaitReady(node, "second");
            Process restarted = node;
            TestNodes.await("the restarted node commits every tick", 60, () -> committed() == total,
                    () -> output(restarted, "second"));
            double volume = 0;
            for (int s = 0; s < SYMBOLS; s++) {
                volume += symbol("K" + s).getJsonObject("session").getDouble("volume") / KafkaNodes.TICK_SIZE;
            }
            double late = metric("ticks_rejected_total\\{reason=\"late\",source=\"scanner\"");
            assertThat(volume + late).as("each tick in the state once, or late; " + output(node, "second"))
                    .isEqualTo(total);
            assertThat(Files.readString(dir.resolve("second.out")))
                    .containsPattern("ticks-\\d is read from offset \\d+, not its committed \\d+");
        } finally {
            node.destroy();
            node.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private long sent;

    /** Produces {@code count} ticks stamped now, round-robin over the symbols; returns the count. */
    private long produce(int count) throws Exception {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String symbol = "K" + (sent++ % SYMBOLS);
            acks.add(producer.send(new ProducerRecord<>(TOPIC, symbol,
                    KafkaNodes.tick(symbol, System.currentTimeMillis(), 100 + i % 7))));
        }
        for (var ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        return count;
    }

    /**
     * The ticks of the topic that every checkpoint holds: per Kafka partition, one past the lowest offset of the
     * checkpoints that hold any (where a restarted node reads it again from).
     */
    private static long checkpointed() {
        long[] lowest = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        Request mget = Request.cmd(Command.MGET);
        for (int p = 0; p < PARTITIONS; p++) {
            mget.arg(RedisKeys.offsets(p));
        }
        Response values = redisClient.send(mget).await();
        for (Response value : values) {
            if (value != null) {
                JsonObject offsets = new JsonObject(value.toBuffer()).getJsonObject("offsets");
                for (String kp : offsets.fieldNames()) {
                    int k = Integer.parseInt(kp);
                    lowest[k] = Math.min(lowest[k], offsets.getLong(kp) + 1);
                }
            }
        }
        return LongStream.of(lowest).map(o -> o == Long.MAX_VALUE ? 0 : o).sum();
    }

    /** The sum of the group's committed offsets. */
    private static long committed() {
        return KafkaNodes.committed(admin, GROUP).values().stream().mapToLong(Long::longValue).sum();
    }

    private Process start(String name) throws IOException {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                Path.of("target/tickscan.jar").toAbsolutePath().toString(), "run", "--conf", conf.toString())
                .directory(dir.toFile()).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private void awaitReady(Process node, String name) {
        TestNodes.await("node " + name + " ready", 90, () -> {
            if (!node.isAlive()) {
                throw new AssertionError("node " + name + " ended: " + output(node, name));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, () -> output(node, name));
    }

    private void awaitProcessed(long ticks, Process node, String name) {
        TestNodes.await(ticks + " ticks applied", 60, () -> metric("tick_processed_total") >= ticks,
                () -> output(node, name));
    }

    private static String output(Process node, String name) {
        try {
            return (node.isAlive() ? "" : "exited " + node.exitValue() + "\n")
                    + Files.readString(dir.resolve(name + ".out")) + Files.readString(dir.resolve(name + ".err"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The sum of the Prometheus samples whose name and labels start with {@code prefix} (a regex). */
    private static double metric(String prefix) {
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + prefix + "\\S* (\\S+)$").matcher(text);
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return sum;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject symbol(String symbol) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/symbols/" + symbol)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new JsonObject(answer.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
