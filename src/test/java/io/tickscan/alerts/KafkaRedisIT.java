package io.tickscan.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.ingest.KafkaNodes;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka, Redis and the alert websocket together, with real servers shared by the tests of the class: one in-JVM
 * KRaft broker ({@code KafkaClusterTestKit}) and one {@code redis-server} that persists every write (append-only
 * file, fsync always), so that a kill and a restart keep its data as a production Redis would. Each test starts
 * its own standalone nodes, fed from a ticks topic of its own, writing alerts to an alert topic of its own, with
 * the one rule {@code any-price} ({@code last > 0}, once a day per symbol). Alerts reach a node's pipeline from
 * ticks produced to Kafka, or, to fire one alert id twice (as two nodes, or a node before and after a restart,
 * would), published on {@link Addresses#ALERTS_FOUND} as its scanners do.
 */
@DisplayName("a node with Kafka, Redis and websocket clients")
class KafkaRedisIT {
    @TempDir
    static Path dir;
    static KafkaClusterTestKit kafka;
    static Admin admin;
    static RedisServer server;
    static Vertx clients;
    static WebSocketClient websockets;
    static Redis redis;
    static final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    final List<TickscanNode> nodes = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        server = RedisServer.startPersistent(Files.createDirectories(dir.resolve("redis")));
        kafka = KafkaNodes.startBroker();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        clients = Vertx.vertx();
        websockets = clients.createWebSocketClient();
        redis = Redis.createClient(clients, server.url());
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (clients != null) {
            clients.close().await(10, TimeUnit.SECONDS);
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @BeforeEach
    void emptyRedis() throws Exception {
        send(Request.cmd(Command.FLUSHALL));
    }

    @AfterEach
    void stopNodes() throws Exception {
        sockets.forEach(Socket::close);
        TestNodes.stopAll(nodes);
        server.stop(); // and again, for the next test, whether or not this one left it stopped
        server.startAgain();
    }

    /**
     * A node fed from {@code <name>-ticks} (three partitions) in its own group, writing alerts to
     * {@code <name>-alerts}, with Redis, one web instance and {@code change} applied to its configuration.
     */
    TickscanNode startNode(String name, String topics, Consumer<JsonObject> change) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        String bootstrap = kafka.bootstrapServers();
        JsonObject conf = KafkaNodes.withAlertSink(KafkaNodes.config(home, bootstrap, topics + "-ticks",
                topics + "-group", "json"), bootstrap, topics + "-alerts");
        conf.getJsonObject("redis").put("url", server.url());
        conf.getJsonObject("scanner").put("instances", 1);
        change.accept(conf);
        TickscanNode node = TestNodes.start(home, conf);
        nodes.add(node);
        return node;
    }

    static void createTopics(String topics) throws Exception {
        admin.createTopics(List.of(new NewTopic(topics + "-ticks", 3, (short) 1),
                new NewTopic(topics + "-alerts", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    static Response send(Request request) throws Exception {
        return redis.send(request).await(10, TimeUnit.SECONDS);
    }

    /** The alert ids in the stream {@code tickscan:alerts}, oldest first. */
    static List<String> streamIds() {
        try {
            List<String> ids = new ArrayList<>();
            for (Response entry : send(Request.cmd(Command.XRANGE).arg("tickscan:alerts").arg("-").arg("+"))) {
                ids.add(new JsonObject(entry.get(1).get(1).toString()).getString("alert_id"));
            }
            return ids;
        } catch (Exception e) {
            return List.of(); // Redis away: nothing to be read yet
        }
    }

    /** The alert ids on the alert topic, read to its end once at least {@code expected} are there. */
    static List<String> topicIds(String topics, int expected) {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, String> record : KafkaNodes.readAll(kafka.bootstrapServers(), topics + "-alerts",
                expected, 30)) {
            ids.add(new JsonObject(record.value()).getString("alert_id"));
        }
        return ids;
    }

    /** A new alert of rule any-price for {@code symbol}, with an id of its own. */
    static Alert alert(String symbol) {
        long ts = clock.incrementAndGet();
        return new Alert(KafkaNodes.RULE + ":" + symbol + ":" + ts, KafkaNodes.RULE, KafkaNodes.RULE, symbol, ts,
                12.5, List.of("last"), new double[] {12.5});
    }

    /** Hands {@code alert} to the node's alert pipeline, as its scanners do. */
    static void found(TickscanNode node, Alert alert) {
        node.vertx().eventBus().publish(Addresses.ALERTS_FOUND, alert, Addresses.local());
    }

    Socket open(TickscanNode node, String query) throws Exception {
        Socket socket = new Socket();
        TestNodes.connect(websockets, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
                .setURI("/ws/alerts" + query)).onSuccess(ws -> {
                    socket.ws = ws;
                    ws.textMessageHandler(text -> socket.frames.add(new JsonObject(text)));
                }).await(10, TimeUnit.SECONDS);
        sockets.add(socket);
        assertThat(socket.next().getString("type")).isEqualTo("hello");
        return socket;
    }

    static void await(String what, BooleanSupplier condition) {
        TestNodes.await(what, 30, condition);
    }

    /** True when {@code condition} holds within {@code seconds}, polled. */
    static boolean within(int seconds, BooleanSupplier condition) {
        try {
            TestNodes.await("", seconds, condition);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @Test
    @DisplayName("ticks produced to Kafka become alerts on the websocket, in the Redis stream and on the alert "
            + "topic, each exactly once in each")
    void ticksToAlertsEverywhereOnce() throws Exception {
        createTopics("all");
        TickscanNode node = startNode("all", "all", conf -> { });
        await("the Kafka source joins its group", () -> KafkaNodes.sourceOk(node));
        Socket socket = open(node, "");
        List<String> symbols = List.of("KRA0", "KRA1", "KRA2", "KRA3", "KRA4", "KRA5", "KRA6", "KRA7");
        // a tick read just after the scan of its second that begins a new minute is dropped as late (README,
        // "Live equals replay"): another round of ticks, which cannot fire twice (a day's cooldown), covers that
        try (KafkaProducer<String, String> producer = KafkaNodes.producer(kafka.bootstrapServers())) {
            for (int round = 0; !socket.symbols().containsAll(symbols); round++) {
                assertThat(round).as("rounds of ticks until every symbol alerted; got %s", socket.ids())
                        .isLessThan(5);
                for (String symbol : symbols) {
                    producer.send(new ProducerRecord<>("all-ticks", symbol, KafkaNodes.tick(symbol,
                            System.currentTimeMillis(), 100 + round)));
                }
                producer.flush();
                within(10, () -> socket.symbols().containsAll(symbols));
            }
        }
        // a marker found after them: what the pipeline published before it reached every place before it
        Alert marker = alert("MARK");
        found(node, marker);
        await("the marker on the websocket", () -> socket.ids().contains(marker.alertId()));

        List<String> ids = socket.ids();
        assertThat(ids).as("each symbol's alert once, then the marker").hasSize(symbols.size() + 1)
                .doesNotHaveDuplicates().last().isEqualTo(marker.alertId());
        assertThat(ids.subList(0, symbols.size())).allMatch(id -> id.startsWith(KafkaNodes.RULE + ":KRA"));
        assertThat(streamIds()).as("the Redis stream").containsExactlyElementsOf(ids);
        assertThat(topicIds("all", ids.size())).as("the alert topic").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(KafkaNodes.meter(node, "alerts_sink_failures", "sink", "kafka")).isZero();
    }

    @Test
    @DisplayName("an alert id fired again before, during and after a Redis outage is delivered once")
    void dedupeAcrossARedisOutage() throws Exception {
        createTopics("outage");
        TickscanNode node = startNode("outage", "outage", conf -> { });
        Socket socket = open(node, "");
        Alert before = alert("DEDA");
        found(node, before);
        await("the first alert on the websocket", () -> socket.ids().contains(before.alertId()));
        assertThat(streamIds()).containsExactly(before.alertId());

        server.stop();
        found(node, before); // Redis away: the pipeline's memory of recent ids must catch it
        Alert during = alert("DEDB");
        found(node, during);
        await("the alert found during the outage on the websocket", () -> socket.ids().contains(during.alertId()));
        assertThat(KafkaNodes.meter(node, "redis_write_failures", "what", "alert")).isPositive();

        server.startAgain(); // with its data: the first alert's dedupe key is there
        await("the alert kept during the outage in the stream", () -> streamIds().contains(during.alertId()));
        await("Redis ok again", () -> node.vertx().sharedData().<String, JsonObject>getLocalMap(Addresses.HEALTH_MAP)
                .get("redis").getBoolean("ok"));
        found(node, before); // Redis back: its dedupe keys must catch both, the one written by the catch-up too
        found(node, during);
        Alert after = alert("DEDC");
        found(node, after);
        await("the alert found after the outage on the websocket", () -> socket.ids().contains(after.alertId()));

        List<String> once = List.of(before.alertId(), during.alertId(), after.alertId());
        assertThat(socket.ids()).as("the websocket").containsExactlyElementsOf(once);
        assertThat(streamIds()).as("the Redis stream").containsExactlyElementsOf(once);
        assertThat(topicIds("outage", once.size())).as("the alert topic").containsExactlyInAnyOrderElementsOf(once);
    }

    @Test
    @DisplayName("after a restart, a websocket resumes from the Redis stream after an alert of before it, or is told "
            + "of a gap when the alert is too old or forgotten")
    void resumeFromTheStreamAfterARestart() throws Exception {
        createTopics("resume");
        Consumer<JsonObject> shortHistory = conf -> conf.getJsonObject("http").getJsonObject("ws")
                .put("history_alerts", 3);
        TickscanNode first = startNode("resume-1", "resume", shortHistory);
        List<Alert> alerts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Alert alert = alert("RES" + i);
            alerts.add(alert);
            found(first, alert);
        }
        await("the first node's alerts in the stream", () -> streamIds().size() == 3);
        first.stop().await(30, TimeUnit.SECONDS);

        TickscanNode second = startNode("resume-2", "resume", shortHistory);
        for (int i = 4; i <= 5; i++) {
            Alert alert = alert("RES" + i);
            alerts.add(alert);
            found(second, alert);
        }
        await("the second node's alerts in the stream", () -> streamIds().size() == 5);

        // 3 alerts after the second one, within the 3 a resume may read from the stream
        Socket resumed = open(second, "?resume=" + alerts.get(1).alertId());
        JsonObject frame = resumed.next();
        assertThat(frame.getString("type")).as("%s", frame).isEqualTo("resumed");
        assertThat(frame.getInteger("count")).isEqualTo(3);
        List<String> missed = List.of(alerts.get(2).alertId(), alerts.get(3).alertId(), alerts.get(4).alertId());
        await("the missed alerts", () -> resumed.ids().size() >= 3);
        assertThat(resumed.ids()).containsExactlyElementsOf(missed);
        Alert live = alert("RES6");
        found(second, live);
        await("the next alert, live", () -> resumed.ids().contains(live.alertId()));
        assertThat(resumed.ids()).as("missed, then live, each once").containsExactly(missed.get(0), missed.get(1),
                missed.get(2), live.alertId());

        // after the first alert came 5: more than the 3 a resume reads
        JsonObject tooOld = open(second, "?resume=" + alerts.get(0).alertId()).next();
        assertThat(tooOld.getString("type")).as("%s", tooOld).isEqualTo("gap");
        assertThat(tooOld.getString("reason")).contains("not among the last 3 alerts of the stream");

        // an alert whose dedupe key expired (deleted here) cannot be found in the stream
        send(Request.cmd(Command.DEL).arg("tickscan:alert:" + alerts.get(3).alertId()));
        JsonObject forgotten = open(second, "?resume=" + alerts.get(3).alertId()).next();
        assertThat(forgotten.getString("type")).as("%s", forgotten).isEqualTo("gap");
        assertThat(resumed.frames).as("no frame after the live alert").isEmpty();
    }

    /** A websocket client of {@code /ws/alerts}: its frames, and the alerts of its {@code alerts} frames. */
    static final class Socket {
        final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        final List<JsonObject> alerts = new CopyOnWriteArrayList<>();
        WebSocket ws;

        /** The next frame that is not an {@code alerts} frame (those are taken into {@link #alerts}). */
        JsonObject next() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                JsonObject frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(frame).as("a frame within 10 s").isNotNull();
                if (!"alerts".equals(frame.getString("type"))) {
                    return frame;
                }
                take(frame);
            }
        }

        /** The alert ids received so far, in order. */
        List<String> ids() {
            drain();
            return alerts.stream().map(a -> a.getString("alert_id")).toList();
        }

        List<String> symbols() {
            drain();
            return alerts.stream().map(a -> a.getString("symbol")).toList();
        }

        private void drain() {
            for (JsonObject frame = frames.peek(); frame != null && "alerts".equals(frame.getString("type"));
                 frame = frames.peek()) {
                take(frames.poll());
            }
        }

        private void take(JsonObject frame) {
            JsonArray batch = frame.getJsonArray("alerts");
            for (int i = 0; i < batch.size(); i++) {
                alerts.add(batch.getJsonObject(i));
            }
        }

        void close() {
            if (ws != null && !ws.isClosed()) {
                ws.close();
            }
        }
    }
}
