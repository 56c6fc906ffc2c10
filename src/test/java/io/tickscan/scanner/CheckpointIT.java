package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.tickscan.redis.RedisKeys;
import io.tickscan.routing.Partitioner;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scanner state checkpointed to a real {@code redis-server} and read back by a new node. */
class CheckpointIT {
    static final long MINUTE = 60_000L;
    static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    @DisplayName("a node restarted against the same Redis resumes with its state: a rule needing 65 minutes of "
            + "history fires at the first tick, which it does not without Redis")
    void aRestartedNodeResumesWithItsState() throws Exception {
        try (RedisServer redis = RedisServer.start(dir)) {
            long now = System.currentTimeMillis();
            long start = (now / MINUTE - 67) * MINUTE;
            AtomicLong clock = new AtomicLong(start);
            TickscanNode first = new TickscanNode(TestNodes.config(dir, "first.json", conf(redis.url())), clock::get);
            first.start().await(60, TimeUnit.SECONDS);
            try {
                // 67 minutes of flat ticks, each stamped just before the node's clock: none is late, none fires
                for (int m = 0; m < 67; m++) {
                    long ts = start + m * MINUTE + 30_000;
                    clock.set(ts + 1_000);
                    post(first, "ACME", ts, 100);
                }
                awaitProcessed(first, 67);
                // the periodic checkpoint reaches Redis while the node runs
                String key = RedisKeys.state(new Partitioner(16).partitionOf("ACME"));
                awaitTrue(() -> redisExists(redis.port(), key), "key " + key + " written within 10 s");
            } finally {
                first.stop().await(30, TimeUnit.SECONDS);
            }

            TickscanNode withoutRedis = TestNodes.start(dir, conf(""));
            try {
                LinkedBlockingQueue<Alert> alerts = alerts(withoutRedis);
                post(withoutRedis, "ACME", System.currentTimeMillis(), 102);
                awaitProcessed(withoutRedis, 1);
                assertThat(alerts.poll(3, TimeUnit.SECONDS)).as("an alert without the restored history").isNull();
            } finally {
                withoutRedis.stop().await(30, TimeUnit.SECONDS);
            }

            TickscanNode restarted = TestNodes.start(dir, conf(redis.url()));
            try {
                LinkedBlockingQueue<Alert> alerts = alerts(restarted);
                post(restarted, "ACME", System.currentTimeMillis(), 102);
                Alert alert = alerts.poll(5, TimeUnit.SECONDS);
                assertThat(alert).as("the 65-minute rule's alert right after the restart").isNotNull();
                assertThat(alert.ruleId()).isEqualTo("up-65m");
                assertThat(alert.metricValues()[0]).isBetween(1.99, 2.01);
                assertThat(restarted.registry().get("checkpoint_failures").counter().count()).isZero();
            } finally {
                restarted.stop().await(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @DisplayName("a stale owner's checkpoint is refused: once another instance has taken the partition's fencing "
            + "token, the old owner's write leaves Redis alone, is counted, and the old owner drops its state (and, its "
            + "table still giving it the partition, takes it again under a newer token)")
    void aStaleOwnersCheckpointIsRefused() throws Exception {
        try (RedisServer redis = RedisServer.start(dir)) {
            int p = new Partitioner(16).partitionOf("ACME");
            TickscanNode node = TestNodes.start(dir, conf(redis.url()));
            try {
                post(node, "ACME", System.currentTimeMillis(), 100);
                awaitProcessed(node, 1);
                awaitTrue(() -> redisExists(redis.port(), RedisKeys.state(p)), "the checkpoint written");
                // another instance takes the partition (a node that took over while this one was frozen)
                String taken = redis(redis.port(), "INCR " + RedisKeys.owner(p));
                long otherToken = Long.parseLong(taken.substring(1));
                assertThat(redis(redis.port(), "DEL " + RedisKeys.state(p))).isEqualTo(":1");
                post(node, "ACME", System.currentTimeMillis(), 101);
                awaitTrue(() -> node.registry().get("checkpoints_refused").counter().count() >= 1,
                        "the stale write refused");
                // refused, it dropped the partition with its state; its table still gives it the partition, so it
                // took it again from the (deleted) checkpoint under a new token: ACME's stale state was never written
                awaitTrue(() -> Long.parseLong(redis(redis.port(), "GET " + RedisKeys.owner(p))) > otherToken
                        && new JsonObject(get(node, "/api/status")).getInteger("partitions_owned") == 16,
                        "the partition taken again under a newer token");
                assertThat(redisExists(redis.port(), RedisKeys.state(p))).as("the stale state not written").isFalse();
            } finally {
                node.stop().await(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String get(TickscanNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private JsonObject conf(String redisUrl) throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, new JsonObject().put("rules", new JsonArray().add(new JsonObject()
                .put("id", "up-65m").put("when", "change_pct(65m) > 1").put("cooldown_sec", 86_400))).encode());
        JsonObject conf = new JsonObject();
        conf.put("cluster", new JsonObject().put("enabled", false));
        conf.put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"));
        conf.put("partitions", 16);
        conf.put("scanner", new JsonObject().put("instances", 1));
        conf.put("rules", new JsonObject().put("file", rules.toString()));
        conf.put("sources", new JsonObject().put("simulator", new JsonObject().put("enabled", false)));
        conf.put("redis", new JsonObject().put("url", redisUrl).put("checkpoint_interval_ms", 200).put("pool_size", 2));
        return conf;
    }

    private static LinkedBlockingQueue<Alert> alerts(TickscanNode node) {
        LinkedBlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
        node.vertx().eventBus().<Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body())).completion().await();
        return alerts;
    }

    private static void post(TickscanNode node, String symbol, long ts, double price) throws Exception {
        String body = new JsonObject().put("symbol", symbol).put("ts", ts).put("price", price).put("size", 1).encode();
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpPort() + "/api/ticks")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(new JsonObject(reply.body()).getLong("accepted")).as(reply.body()).isEqualTo(1);
    }

    private static void awaitProcessed(TickscanNode node, long ticks) throws Exception {
        awaitTrue(() -> node.registry().get("tick_processed").counter().count() >= ticks,
                ticks + " ticks applied within 10 s");
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.holds()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** {@code EXISTS key} over a plain socket. */
    private static boolean redisExists(int port, String key) throws Exception {
        return ":1".equals(redis(port, "EXISTS " + key));
    }

    /**
     * One command over a plain socket, in Redis's inline command form: the first line of its reply, or the value
     * of a bulk string reply ({@code $<length>} then the value).
     */
    private static String redis(int port, String command) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String line = in.readLine();
            return line.startsWith("$") && !line.equals("$-1") ? in.readLine() : line;
        }
    }
}
