package io.tickscan.web.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered members in this JVM (random cluster name and ports, one scanner instance each, no simulator): a
 * query asked on one gathers the other's instance too, and an instance that stopped is no longer expected.
 */
@DisplayName("the scanner queries across two members")
class ScannerQueriesTwoMemberIT {
    static final long DEADLINE_MS = 1000;
    @TempDir
    static Path dir;
    static final List<TickscanNode> nodes = new ArrayList<>();

    @AfterAll
    static void stopNodes() {
        TestNodes.stopAll(nodes);
    }

    static Future<TickscanNode> start(Path confFile) throws Exception {
        Vertx loader = Vertx.vertx();
        NodeConfig config = NodeConfigLoader.load(loader, confFile).await();
        loader.close().await();
        TickscanNode node = new TickscanNode(config, System::currentTimeMillis);
        return node.start().onSuccess(nodes::add);
    }

    static void post(TickscanNode node, String symbol, double price) throws Exception {
        String tick = new JsonObject().put("symbol", symbol).put("ts", System.currentTimeMillis()).put("price", price)
                .put("size", 1).encode();
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpPort() + "/api/ticks"))
                .header("content-type", "application/x-ndjson").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(tick)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    }

    @Test
    @DisplayName("one member's query merges both members' scanners, finds a symbol on the other, and no longer "
            + "expects an instance that stopped")
    void queriesSpanTheCluster() throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, new JsonObject().put("rules", new JsonArray().add(new JsonObject()
                .put("id", "any").put("when", "last > 0").put("cooldown_sec", 0))).encode());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("name", "it-" + UUID.randomUUID())
                .put("port", 20_000 + ThreadLocalRandom.current().nextInt(20_000));
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("scanner").put("instances", 1);
        conf.getJsonObject("rules").put("file", rules.toString());
        conf.getJsonObject("sources").getJsonObject("simulator").put("enabled", false);
        Path confFile = dir.resolve("tickscan.json");
        Files.writeString(confFile, conf.encodePrettily());
        List<TickscanNode> started = Future.all(start(confFile), start(confFile)).await(180, TimeUnit.SECONDS).list();
        TickscanNode a = started.get(0);
        TickscanNode b = started.get(1);
        ScannerQueries queries = new ScannerQueries(a.vertx(), DEADLINE_MS);
        a.vertx().deployVerticle(new VerticleBase() {
            @Override
            public Future<?> start() {
                return queries.start();
            }
        }).await(10, TimeUnit.SECONDS);

        // the two started together: the first may own every partition for a moment, so the ticks go once each
        // owns its half (a symbol moving between the screen and the look-up would be in neither for a moment)
        TestNodes.await("each member owns half the partitions", 30, () -> owned(a) == 128 && owned(b) == 128);
        post(a, "ON-A", 10); // routed to the owner of its partition, on either member
        post(b, "ON-B", 20);
        JsonObject screen = null;
        Exception unanswered = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (screen == null || screen.getInteger("count") < 2) {
            assertThat(System.nanoTime()).as("both symbols scanned within 20 s: " + screen + ", " + unanswered)
                    .isLessThan(until);
            TimeUnit.MILLISECONDS.sleep(100);
            try { // right after the start a member's scanners may not answer yet: asked again until the deadline
                screen = queries.matches("any", "price", "desc", 10).await(5, TimeUnit.SECONDS);
            } catch (QueryException e) {
                unanswered = e;
            }
        }
        assertThat(screen.getJsonArray("matches")).extracting(m -> ((JsonObject) m).getString("symbol"))
                .containsExactly("ON-B", "ON-A");
        assertThat(screen.getInteger("answered")).isEqualTo(2);
        assertThat(screen.getJsonArray("missing")).isEmpty();
        Map<String, JsonObject> registry = a.vertx().sharedData()
                .<String, JsonObject>getAsyncMap(Addresses.SCANNER_REGISTRY).compose(m -> m.entries()).await();
        assertThat(registry.values()).extracting(e -> e.getString("node"))
                .containsExactlyInAnyOrder(a.nodeId(), b.nodeId());

        JsonObject onB;
        try {
            onB = queries.symbol("ON-B").await(5, TimeUnit.SECONDS);
        } catch (QueryException e) {
            throw new AssertionError("ON-B, found by the screen " + screen + ", looked up: " + e.body(), e);
        }
        assertThat(onB.getString("instance")).isIn(a.nodeId() + "/scanner-0", b.nodeId() + "/scanner-0");
        assertThat(onB.getDouble("last")).isEqualTo(20);

        // B hands its partitions to A as it leaves: A then holds both symbols, with their state
        b.stop().await(60, TimeUnit.SECONDS);
        JsonObject alone = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (alone == null || alone.getInteger("count") < 2) {
            assertThat(System.nanoTime()).as("the survivor holds both symbols within 10 s: " + alone)
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
            long asked = System.nanoTime();
            alone = queries.matches("any", "price", "desc", 10).await(5, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked)).isLessThan(DEADLINE_MS);
        }
        assertThat(alone.getInteger("answered")).isEqualTo(1);
        assertThat(alone.getJsonArray("missing")).isEmpty();
        assertThat(alone.getJsonArray("matches")).extracting(m -> ((JsonObject) m).getString("symbol"))
                .containsExactly("ON-B", "ON-A");
    }

    /** The partitions the scanners of {@code node} hold now, from its ownership summary. */
    private static int owned(TickscanNode node) {
        JsonObject summary = node.vertx().sharedData().<String, JsonObject>getLocalMap(Addresses.OWNERSHIP_MAP)
                .get("summary");
        return summary == null ? -1 : summary.getInteger("partitions_owned");
    }
}
