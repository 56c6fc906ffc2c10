package io.tickscan.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.tickscan.redis.RedisStartup;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real standalone node against a real {@code redis-server}: alerts in the stream and on the bus, published once,
 * history and rules that survive a restart, and an outage the node rides out and catches up after.
 */
@DisplayName("a node with Redis")
class RedisIT {
    static final String TOKEN = "redis-it-token-0123456789";
    static final String RULE = "{\"rules\": [{\"id\": \"above-0\", \"name\": \"Above 0\", \"when\": \"last > 0\","
            + " \"cooldown_sec\": 3600}]}";
    final HttpClient http = HttpClient.newHttpClient();
    final List<TickscanNode> nodes = new CopyOnWriteArrayList<>();
    final LinkedBlockingQueue<Alert> published = new LinkedBlockingQueue<>();
    @TempDir
    Path dir;
    RedisServer redis;
    Vertx client;
    /**
     * Held for the whole test: Vert.x 5 shuts down a client that the garbage collector finds unreachable, and a
     * client made and dropped within one call could lose its handshake ("Connection evicted").
     */
    WebSocketClient websockets;
    Redis raw;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start(dir);
        client = Vertx.vertx();
        raw = Redis.createClient(client, redis.url());
        websockets = client.createWebSocketClient();
    }

    @AfterEach
    void stopAll() throws Exception {
        TestNodes.stopAll(nodes);
        client.close().await(10, TimeUnit.SECONDS);
        redis.stop();
    }

    TickscanNode start(String rules) throws Exception {
        return start(rules, 30_000);
    }

    /** A node with {@code rules} as its rules file that waits at most {@code startupWaitMs} for Redis. */
    TickscanNode start(String rules, long startupWaitMs) throws Exception {
        TickscanNode node = unstarted(rules, startupWaitMs);
        nodes.add(node);
        node.start().await(120, TimeUnit.SECONDS);
        published.clear();
        node.vertx().eventBus().<Alert>consumer(Addresses.ALERTS, m -> published.add(m.body())).completion().await();
        return node;
    }

    TickscanNode unstarted(String rules, long startupWaitMs) throws Exception {
        Path file = Files.createTempFile(dir, "rules", ".json");
        Files.writeString(file, rules);
        JsonObject conf = new JsonObject()
                .put("cluster", new JsonObject().put("enabled", false))
                .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("token", TOKEN)
                        .put("instances", 1))
                .put("scanner", new JsonObject().put("instances", 1))
                .put("rules", new JsonObject().put("file", file.toString()))
                .put("redis", new JsonObject().put("url", redis.url()).put("startup_wait_ms", startupWaitMs))
                .put("sources", new JsonObject().put("simulator", new JsonObject().put("enabled", false)));
        return new TickscanNode(TestNodes.config(dir, "tickscan.json", conf), System::currentTimeMillis);
    }

    HttpResponse<String> call(TickscanNode node, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(Duration.ofSeconds(15)).header("authorization", "Bearer " + TOKEN)
                .header("content-type", path.equals("/api/ticks") ? "application/x-ndjson" : "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts a tick of {@code symbol} now and waits for the alert of rule above-0 it fires. */
    Alert fire(TickscanNode node, String symbol) throws Exception {
        HttpResponse<String> posted = call(node, "POST", "/api/ticks", "{\"symbol\": \"" + symbol + "\", \"ts\": "
                + System.currentTimeMillis() + ", \"price\": 12.5, \"size\": 3}\n");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Alert alert = published.poll(100, TimeUnit.MILLISECONDS);
            if (alert != null && alert.symbol().equals(symbol)) {
                return alert;
            }
        }
        throw new AssertionError("no alert for " + symbol + " within 20 s");
    }

    Response redis(Request request) {
        try {
            return raw.send(request).await(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Redis did not answer " + request + " within 10 s", e);
        }
    }

    /** The alert ids in the stream, oldest first. */
    List<String> streamIds() {
        List<String> ids = new ArrayList<>();
        for (Response entry : redis(Request.cmd(Command.XRANGE).arg("tickscan:alerts").arg("-").arg("+"))) {
            ids.add(new JsonObject(entry.get(1).get(1).toString()).getString("alert_id"));
        }
        return ids;
    }

    static void await(String what, BooleanSupplier condition) {
        TestNodes.await(what, 30, condition);
    }

    @Test
    @DisplayName("stores a fired alert in the stream before publishing it, once, and serves it after a restart")
    void storesPublishesOnceAndServesAfterRestart() throws Exception {
        TickscanNode first = start(RULE);
        Alert alert = fire(first, "REDA");
        assertThat(streamIds()).containsExactly(alert.alertId());
        assertThat(redis(Request.cmd(Command.TTL).arg("tickscan:alert:" + alert.alertId())).toLong())
                .isBetween(86_000L, 86_400L);
        first.stop().await(30, TimeUnit.SECONDS);

        TickscanNode second = start(RULE);
        JsonObject history = new JsonObject(call(second, "GET", "/api/alerts?symbol=REDA", null).body());
        assertThat(history.getJsonArray("alerts").stream().map(a -> ((JsonObject) a).getString("alert_id")))
                .containsExactly(alert.alertId());

        // the same alert found again (as by another node), then a new one: only the new one is published
        Alert marker = new Alert("above-0:MARK:1", "above-0", "Above 0", "MARK", 1, 1.0, List.of("last"),
                new double[] {1.0});
        second.vertx().eventBus().publish(Addresses.ALERTS_FOUND, alert, Addresses.local());
        second.vertx().eventBus().publish(Addresses.ALERTS_FOUND, marker, Addresses.local());
        Alert next = published.poll(20, TimeUnit.SECONDS);
        assertThat(next).isNotNull();
        assertThat(next.alertId()).isEqualTo(marker.alertId());
        assertThat(streamIds()).containsExactly(alert.alertId(), marker.alertId());

        JsonObject resumed = resumeFrame(second, alert.alertId());
        assertThat(resumed.getString("type")).isEqualTo("resumed");
        assertThat(resumed.getInteger("count")).isEqualTo(1);
    }

    /** The first frame after {@code hello} of a websocket that resumes after {@code alertId}. */
    JsonObject resumeFrame(TickscanNode node, String alertId) throws Exception {
        LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        TestNodes.connect(websockets, new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(node.httpPort()).setURI("/ws/alerts?token=" + TOKEN + "&resume=" + alertId))
                .onSuccess(ws -> ws.textMessageHandler(text -> frames.add(new JsonObject(text))))
                .await(10, TimeUnit.SECONDS);
        JsonObject hello = frames.poll(10, TimeUnit.SECONDS);
        assertThat(hello).isNotNull();
        assertThat(hello.getString("type")).isEqualTo("hello");
        return frames.poll(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("keeps the rule set in Redis: a fresh node with another rules file runs the stored set")
    void rulesSurviveARestart() throws Exception {
        TickscanNode first = start(RULE);
        String stored = "{\"rules\": [{\"id\": \"stored\", \"when\": \"last > 5\"}]}";
        HttpResponse<String> put = call(first, "PUT", "/api/rules", stored);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        long version = new JsonObject(put.body()).getLong("version");
        first.stop().await(30, TimeUnit.SECONDS);

        TickscanNode second = start("{\"rules\": [{\"id\": \"other\", \"when\": \"last > 9\"}]}");
        JsonObject rules = new JsonObject(call(second, "GET", "/api/rules", null).body());
        assertThat(rules.getLong("version")).isEqualTo(version);
        assertThat(rules.getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("id")))
                .containsExactly("stored");
        assertThat(new JsonObject(redis(Request.cmd(Command.GET).arg("tickscan:rules")).toString())
                .getLong("version")).isEqualTo(version);
    }

    @Test
    @DisplayName("rides out a Redis outage: keeps publishing, counts what it could not write, and catches up")
    void ridesOutAnOutage() throws Exception {
        TickscanNode node = start(RULE);
        Alert before = fire(node, "OUTA");
        redis.stop();
        Alert during = fire(node, "OUTB");
        assertThat(node.registry().find("redis_write_failures").tag("what", "alert").counter().count())
                .isGreaterThanOrEqualTo(1);
        JsonObject status = new JsonObject(call(node, "GET", "/api/status", null).body());
        assertThat(status.getJsonObject("components").getJsonObject("redis").getBoolean("ok")).isFalse();
        assertThat(status.getBoolean("ready")).isTrue();
        assertThat(call(node, "GET", "/health/ready", null).statusCode()).isEqualTo(200);
        JsonArray fromMemory = new JsonObject(call(node, "GET", "/api/alerts", null).body()).getJsonArray("alerts");
        assertThat(fromMemory.stream().map(a -> ((JsonObject) a).getString("alert_id")))
                .contains(before.alertId(), during.alertId());

        redis.startAgain(); // an empty Redis: nothing was persisted
        await("the missed alert in the stream", () -> {
            try {
                return streamIds().contains(during.alertId());
            } catch (RuntimeException e) {
                return false;
            }
        });
        await("redis ok again", () -> node.vertx().sharedData().<String, JsonObject>getLocalMap(Addresses.HEALTH_MAP)
                .get("redis").getBoolean("ok"));
        Alert after = fire(node, "OUTC");
        assertThat(streamIds()).containsExactly(during.alertId(), after.alertId());
    }

    @Test
    @DisplayName("waits at start for a Redis that comes up late, logging each failed attempt, and runs the rule set "
            + "stored there")
    void waitsAtStartForRedis() throws Exception {
        String stored = "{\"rules\": [{\"id\": \"stored\", \"when\": \"last > 5\"}]}";
        redis(Request.cmd(Command.SET).arg("tickscan:rules").arg(new JsonObject().put("version", 7)
                .put("text", stored).encode()));
        redis(Request.cmd(Command.SAVE)); // the server loads it again when it starts
        redis.stop();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger startup = (Logger) LoggerFactory.getLogger(RedisStartup.class);
        startup.addAppender(log);
        try {
            CompletableFuture<TickscanNode> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return start(RULE, 30_000);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            await("two failed attempts logged with redis.url", () -> log.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(redis.url())
                            && e.getFormattedMessage().contains("Connection refused")).count() >= 2);
            assertThat(starting).isNotDone();
            redis.startAgain();
            TickscanNode node = starting.get(60, TimeUnit.SECONDS);
            JsonObject rules = new JsonObject(call(node, "GET", "/api/rules", null).body());
            assertThat(rules.getLong("version")).isEqualTo(7);
            assertThat(rules.getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("id")))
                    .containsExactly("stored");
        } finally {
            startup.detachAppender(log);
        }
    }

    @Test
    @DisplayName("does not start when Redis stays away for redis.startup_wait_ms, and says so naming redis.url")
    void failsToStartWithoutRedis() throws Exception {
        redis.stop();
        TickscanNode node = unstarted(RULE, 1_000);
        nodes.add(node);
        long start = System.nanoTime();
        assertThatThrownBy(() -> node.start().await(60, TimeUnit.SECONDS))
                .hasMessageStartingWith("redis.url " + redis.url() + ": Redis did not answer within 1000 ms "
                        + "(redis.startup_wait_ms")
                .hasMessageContaining("Connection refused");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1_000L, 10_000L);
    }
}
