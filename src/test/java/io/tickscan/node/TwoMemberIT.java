package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two real nodes in one Hazelcast cluster (random cluster name and ports, in this JVM, no simulator), and a third
 * that joins later: each answers for itself, one rule set for all, and a survivor that answers at once after its
 * peer's Hazelcast instance is terminated without a goodbye. The steps build on each other, in order.
 */
@DisplayName("two nodes side by side")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoMemberIT {
    @TempDir
    static Path dir;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    static final List<TickscanNode> nodes = new ArrayList<>();
    static TickscanNode a;
    static TickscanNode b;
    static Path confFile;
    static long putVersion;
    static final Duration SECOND = Duration.ofSeconds(1);
    static final ListAppender<ILoggingEvent> membership = new ListAppender<>();

    @BeforeAll
    static void startTwoNodes() throws Exception {
        membership.start();
        ((Logger) LoggerFactory.getLogger(MembershipLog.class)).addAppender(membership);
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("name", "it-" + UUID.randomUUID())
                .put("port", 20_000 + ThreadLocalRandom.current().nextInt(20_000));
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("scanner").put("instances", 2);
        conf.getJsonObject("sources").getJsonObject("simulator").put("enabled", false);
        confFile = dir.resolve("tickscan.json");
        Files.writeString(confFile, conf.encodePrettily());
        List<TickscanNode> started = Future.all(start(), start()).await(180, TimeUnit.SECONDS).list();
        a = started.get(0);
        b = started.get(1);
    }

    static Future<TickscanNode> start() throws Exception {
        Vertx loader = Vertx.vertx();
        NodeConfig config = NodeConfigLoader.load(loader, confFile).await();
        loader.close().await();
        TickscanNode node = new TickscanNode(config, System::currentTimeMillis);
        return node.start().onSuccess(nodes::add);
    }

    @AfterAll
    static void stopNodes() {
        ((Logger) LoggerFactory.getLogger(MembershipLog.class)).detachAppender(membership);
        TestNodes.stopAll(nodes);
    }

    /** True once a member has logged a join or leave ending with {@code text}. */
    static boolean membershipLogged(String text) {
        synchronized (membership.list) {
            return membership.list.stream().anyMatch(e -> e.getFormattedMessage().endsWith(text));
        }
    }

    static HttpResponse<String> send(TickscanNode node, String method, String path, String body) throws Exception {
        return send(node, method, path, body, Duration.ofSeconds(10));
    }

    static HttpResponse<String> send(TickscanNode node, String method, String path, String body, Duration timeout)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(timeout);
        if (body != null) {
            request.header("content-type", "application/x-www-form-urlencoded");
        }
        return http.send(request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return new JsonObject(response.body());
    }

    static int unownedAt(TickscanNode node) {
        try {
            return json(send(node, "GET", "/api/status", null)).getInteger("partitions_unowned");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static double processed(TickscanNode node) {
        return node.registry().get("tick_processed").counter().count();
    }

    static double rulesVersionOfScanners(TickscanNode node) {
        return node.registry().find("rules_version").gauges().stream().mapToDouble(g -> g.value()).min().orElse(-1);
    }

    /** Polls {@code condition} until it holds, for up to {@code seconds}. */
    static void await(String what, int seconds, java.util.function.BooleanSupplier condition) {
        TestNodes.await(what, seconds, condition);
    }

    @Test
    @Order(1)
    @DisplayName("each node answers readiness, status and ingest for itself, and posted ticks stay on the node "
            + "that took them")
    void eachNodeAnswersForItself() throws Exception {
        for (int i = 0; i < 10; i++) {
            for (TickscanNode node : List.of(a, b)) {
                JsonObject ready = json(send(node, "GET", "/health/ready", null));
                assertThat(ready.getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("node"))
                        .isEqualTo(node.nodeId());
                JsonObject status = json(send(node, "GET", "/api/status", null));
                assertThat(status.getString("node")).isEqualTo(node.nodeId());
                assertThat(status.getJsonArray("members")).hasSize(2);
            }
        }
        long now = System.currentTimeMillis();
        StringBuilder ticks = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            ticks.append("{\"symbol\": \"TWO").append(i % 20).append("\", \"ts\": ").append(now)
                    .append(", \"price\": 10, \"size\": 1}\n");
        }
        double before = processed(a) + processed(b);
        for (int i = 0; i < 5; i++) {
            assertThat(json(send(a, "POST", "/api/ticks", ticks.toString())).getLong("accepted")).isEqualTo(1000);
        }
        // routed to the owners of their partitions, on either member
        await("the 5,000 ticks posted to node A applied once, across the cluster", 10,
                () -> processed(a) + processed(b) == before + 5000);
        assertThat(processed(b)).as("node B owns some of their partitions").isGreaterThan(0);
        for (TickscanNode node : List.of(a, b)) {
            JsonObject status = json(send(node, "GET", "/api/status", null));
            assertThat(status.getInteger("partitions_owned")).as("half of the partitions each").isEqualTo(128);
            // from the self-check, every 3 s: it may still count the partitions that were moving at start-up
            await("no partition without a consumer at " + node.nodeId() + "'s last self-check", 10,
                    () -> unownedAt(node) == 0);
        }
    }

    @Test
    @Order(2)
    @DisplayName("a rule set put on one node is what both answer and run, with the same version")
    void oneRuleSetForTheCluster() throws Exception {
        long before = json(send(a, "GET", "/api/rules", null)).getLong("version");
        JsonArray rules = new JsonArray().add(new JsonObject().put("id", "two-members").put("when", "last > 10"));
        JsonObject put = json(send(b, "PUT", "/api/rules", rules.encode()));
        putVersion = put.getLong("version");
        assertThat(putVersion).isGreaterThan(before);
        awaitEveryNodeOn(putVersion, rules);
    }

    @Test
    @Order(3)
    @DisplayName("two rule sets put at once on the two nodes get two versions, and both nodes end on the higher")
    void concurrentPutsEndWithOneWinner() throws Exception {
        JsonArray onA = new JsonArray().add(new JsonObject().put("id", "from-a").put("when", "last > 1"));
        JsonArray onB = new JsonArray().add(new JsonObject().put("id", "from-b").put("when", "last > 2"));
        java.util.concurrent.CompletableFuture<HttpResponse<String>> putA = http.sendAsync(put(a, onA),
                HttpResponse.BodyHandlers.ofString());
        java.util.concurrent.CompletableFuture<HttpResponse<String>> putB = http.sendAsync(put(b, onB),
                HttpResponse.BodyHandlers.ofString());
        long versionA = json(putA.get(10, TimeUnit.SECONDS)).getLong("version");
        long versionB = json(putB.get(10, TimeUnit.SECONDS)).getLong("version");
        assertThat(List.of(versionA, versionB)).containsExactlyInAnyOrder(putVersion + 1, putVersion + 2);
        putVersion = Math.max(versionA, versionB);
        JsonArray winner = versionA > versionB ? onA : onB;
        awaitEveryNodeOn(putVersion, winner);
    }

    @Test
    @Order(4)
    @DisplayName("two rules created at once on the two nodes both land, each under its own version, on both nodes")
    void concurrentRuleEditsBothLand() throws Exception {
        java.util.concurrent.CompletableFuture<HttpResponse<String>> onA = http.sendAsync(create(a, "edit-a"),
                HttpResponse.BodyHandlers.ofString());
        java.util.concurrent.CompletableFuture<HttpResponse<String>> onB = http.sendAsync(create(b, "edit-b"),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> createdA = onA.get(10, TimeUnit.SECONDS);
        HttpResponse<String> createdB = onB.get(10, TimeUnit.SECONDS);
        assertThat(List.of(createdA.statusCode(), createdB.statusCode())).containsOnly(201);
        long versionA = json(createdA).getLong("version");
        long versionB = json(createdB).getLong("version");
        assertThat(List.of(versionA, versionB)).containsExactlyInAnyOrder(putVersion + 1, putVersion + 2);
        putVersion = Math.max(versionA, versionB);
        JsonArray rules = json(send(a, "GET", "/api/rules", null)).getJsonArray("rules");
        assertThat(rules.stream().map(r -> ((JsonObject) r).getString("id"))).contains("edit-a", "edit-b");
        awaitEveryNodeOn(putVersion, rules);
    }

    static HttpRequest create(TickscanNode node, String id) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/api/rules"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("id", id).put("when", "last > 3").encode())).build();
    }

    /** Waits until both nodes answer {@code version} with {@code rules} and their scanners run it. */
    static void awaitEveryNodeOn(long version, JsonArray rules) throws Exception {
        for (TickscanNode node : List.of(a, b)) {
            await("GET /api/rules on every node answers version " + version, 10, () -> {
                try {
                    return json(send(node, "GET", "/api/rules", null)).getLong("version") == version;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(json(send(node, "GET", "/api/rules", null)).getJsonArray("rules")).isEqualTo(rules);
            await("the scanners of every node run version " + version, 10,
                    () -> rulesVersionOfScanners(node) == version);
        }
    }

    static HttpRequest put(TickscanNode node, JsonArray rules) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/api/rules"))
                .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString(rules.encode())).build();
    }

    @Test
    @Order(5)
    @DisplayName("a node started after the put runs the cluster's set, not its rules file")
    void aLaterNodeRunsTheClustersSet() throws Exception {
        TickscanNode c = start().await(120, TimeUnit.SECONDS);
        JsonObject rules = json(send(c, "GET", "/api/rules", null));
        assertThat(rules.getLong("version")).isEqualTo(putVersion);
        assertThat(rulesVersionOfScanners(c)).isEqualTo(putVersion);
        await("the join logged", 10, () -> membershipLogged("joined the cluster; 3 members"));
        c.stop().await(30, TimeUnit.SECONDS);
        nodes.remove(c);
        await("the leave logged", 10, () -> membershipLogged("left the cluster (or was found dead); 2 members"));
    }

    @Test
    @Order(6)
    @DisplayName("after its peer's Hazelcast is terminated without a goodbye, the survivor answers every request "
            + "within a second with its own data for 10 s")
    void theSurvivorAnswersAtOnce() throws Exception {
        ((HazelcastClusterManager) b.clusterManager()).getHazelcastInstance().getLifecycleService().terminate();
        long now = System.currentTimeMillis();
        String tick = "{\"symbol\": \"SURVIVOR\", \"ts\": " + now + ", \"price\": 10, \"size\": 1}";
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int requests = 0;
        while (System.nanoTime() < end) {
            long started = System.nanoTime();
            assertThat(json(send(a, "GET", "/api/status", null, SECOND)).getString("node")).isEqualTo(a.nodeId());
            assertThat(json(send(a, "GET", "/api/rules", null, SECOND)).getLong("version")).isEqualTo(putVersion);
            assertThat(json(send(a, "POST", "/api/ticks", tick, SECOND)).getLong("accepted")).isEqualTo(1);
            HttpResponse<String> ready = send(a, "GET", "/health/ready", null, SECOND);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(send(a, "GET", "/metrics", null, SECOND).statusCode()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("5 requests")
                    .isLessThan(1000);
            requests += 5;
        }
        assertThat(requests).isGreaterThan(50);
        await("the survivor sees itself alone", 15,
                () -> a.clusterManager().getNodes().size() == 1);
        await("the dead peer logged", 10, () -> membershipLogged("left the cluster (or was found dead); 1 members"));
    }
}
