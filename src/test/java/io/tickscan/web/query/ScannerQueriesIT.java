package io.tickscan.web.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tickscan.codec.Addresses;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone node with two scanner instances and no simulator, fed twelve symbols over {@code POST
 * /api/ticks}; {@link ScannerQueries} runs in a verticle of the node's Vert.x, as the web verticle will run it.
 * Symbol Qi trades at {@code 95 + 5i} with size {@code i + 1}.
 */
@DisplayName("the scanner queries on a running node")
class ScannerQueriesIT {
    static final long DEADLINE_MS = 800;
    static final int SYMBOLS = 12;
    static final String RULES = new JsonObject().put("rules", new JsonArray()
            .add(new JsonObject().put("id", "above-100").put("when", "last > 100").put("cooldown_sec", 0))
            .add(new JsonObject().put("id", "ranked").put("when", "last > 0 and day_volume > 0")
                    .put("universe", new JsonObject().put("max_price", 130)))
            .add(new JsonObject().put("id", "off").put("when", "last > 0").put("enabled", false))).encode();

    @TempDir
    static Path dir;
    static TickscanNode node;
    static ScannerQueries queries;
    static long ts;

    @BeforeAll
    static void startNodeAndFeedIt() throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, RULES);
        JsonObject conf = new JsonObject()
                .put("cluster", new JsonObject().put("enabled", false))
                .put("scanner", new JsonObject().put("instances", 2))
                .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1")
                        .put("query_deadline_ms", DEADLINE_MS))
                .put("rules", new JsonObject().put("file", rules.toString()))
                .put("sources", new JsonObject().put("simulator", new JsonObject().put("enabled", false)));
        node = TestNodes.start(dir, conf);
        queries = new ScannerQueries(node.vertx(), DEADLINE_MS);
        node.vertx().deployVerticle(new VerticleBase() {
            @Override
            public Future<?> start() {
                return queries.start();
            }
        }).await(10, TimeUnit.SECONDS);

        ts = System.currentTimeMillis();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < SYMBOLS; i++) {
            body.append(new JsonObject().put("symbol", "Q" + i).put("ts", ts).put("price", price(i))
                    .put("size", i + 1).encode()).append('\n');
        }
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpPort() + "/api/ticks"))
                .header("content-type", "application/x-ndjson").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (screen("above-100", null, null, 100).getInteger("count") < 10) {
            assertThat(System.nanoTime()).as("the ticks scanned within 15 s").isLessThan(until);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.stop().await(60, TimeUnit.SECONDS);
        }
    }

    static double price(int i) {
        return 95 + 5 * i;
    }

    static JsonObject screen(String rule, String sort, String order, int limit) throws Exception {
        return queries.matches(rule, sort, order, limit).await(5, TimeUnit.SECONDS);
    }

    static List<String> symbols(JsonObject body) {
        List<String> symbols = new ArrayList<>();
        body.getJsonArray("matches").forEach(m -> symbols.add(((JsonObject) m).getString("symbol")));
        return symbols;
    }

    /** The failure of a query, which must be a {@link QueryException}. */
    static QueryException refusal(Supplier<Future<JsonObject>> query) {
        return catchThrowableOfType(QueryException.class, () -> query.get().await(5, TimeUnit.SECONDS));
    }

    static AsyncMap<String, JsonObject> registry() throws Exception {
        return node.vertx().sharedData().<String, JsonObject>getAsyncMap(Addresses.SCANNER_REGISTRY)
                .await(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("the screener merges both instances' matches, sorted by the rule's first metric, descending, "
            + "before the deadline")
    void theScreenerMergesEveryInstanceBeforeTheDeadline() throws Exception {
        long started = System.nanoTime();
        JsonObject body = screen("above-100", null, null, 100);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(tookMs).as("every instance answered: no wait for the deadline").isLessThan(DEADLINE_MS);
        assertThat(symbols(body)).containsExactly("Q11", "Q10", "Q9", "Q8", "Q7", "Q6", "Q5", "Q4", "Q3", "Q2");
        assertThat(body.getJsonArray("matches").getJsonObject(0)).isEqualTo(new JsonObject().put("symbol", "Q11")
                .put("price", price(11)).put("metrics", new JsonObject().put("last", price(11))));
        assertThat(body.getString("rule")).isEqualTo("above-100");
        assertThat(body.getLong("scan_ts")).isGreaterThan(ts).isLessThanOrEqualTo(System.currentTimeMillis());
        assertThat(body.getBoolean("evaluated")).isTrue();
        assertThat(body.getJsonArray("metrics")).containsExactly("last");
        assertThat(body.getString("sort")).isEqualTo("last");
        assertThat(body.getString("order")).isEqualTo("desc");
        assertThat(body.getInteger("count")).isEqualTo(10);
        assertThat(body.getInteger("answered")).isEqualTo(2);
        assertThat(body.getJsonArray("missing")).isEmpty();
    }

    @Test
    @DisplayName("sorts by symbol, price or any metric of the rule, either way, and cuts to the limit after counting")
    void sortsAndLimits() throws Exception {
        JsonObject bySymbol = screen("above-100", "symbol", "asc", 3);
        assertThat(symbols(bySymbol)).containsExactly("Q10", "Q11", "Q2");
        assertThat(bySymbol.getInteger("count")).isEqualTo(10);
        assertThat(symbols(screen("above-100", "price", "asc", 2))).containsExactly("Q2", "Q3");
        JsonObject ranked = screen("ranked", "day_volume", "asc", 100);
        assertThat(symbols(ranked)).as("the universe stops at 130").containsExactly("Q0", "Q1", "Q2", "Q3", "Q4",
                "Q5", "Q6", "Q7");
        assertThat(ranked.getJsonArray("metrics")).containsExactly("last", "day_volume");
        assertThat(ranked.getJsonArray("matches").getJsonObject(7).getJsonObject("metrics"))
                .isEqualTo(new JsonObject().put("last", price(7)).put("day_volume", 8.0));
        assertThat(symbols(screen("ranked", "day_volume", "DESC", 2))).containsExactly("Q7", "Q6");
    }

    @Test
    @DisplayName("refuses a bad sort, order or limit with 400 and a rule no scanner runs with 404")
    void refusesWhatCannotBeAnswered() {
        QueryException sort = refusal(() -> queries.matches("above-100", "rsi(14)", "desc", 10));
        assertThat(sort.status()).isEqualTo(400);
        assertThat(sort.body().getString("error")).contains("cannot sort by 'rsi(14)'", "last");
        assertThat(refusal(() -> queries.matches("above-100", "last", "sideways", 10)).status()).isEqualTo(400);
        assertThat(refusal(() -> queries.matches("above-100", "last", "asc", 0)).status()).isEqualTo(400);
        assertThat(refusal(() -> queries.matches("above-100", "last", "asc", 1001)).status()).isEqualTo(400);
        QueryException unknown = refusal(() -> queries.matches("nope", null, null, 10));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().getInteger("answered")).isEqualTo(2);
        assertThat(refusal(() -> queries.matches("off", null, null, 10)).status()).as("disabled").isEqualTo(404);
    }

    @Test
    @DisplayName("previews a draft as the screener shows the same rule, refuses an invalid one with 422")
    void previewsADraft() throws Exception {
        JsonObject same = queries.preview(new JsonObject().put("when", "last > 100")).await(5, TimeUnit.SECONDS);
        JsonObject screened = screen("above-100", null, null, 100);
        for (String key : List.of("matches", "count", "metrics", "sort", "order", "answered", "missing")) {
            assertThat(same.getValue(key)).as(key).isEqualTo(screened.getValue(key));
        }
        JsonObject listed = queries.preview(new JsonObject().put("when", "day_volume >= 4")
                        .put("universe", new JsonObject().put("symbols", new JsonArray().add("Q1").add("Q3").add("Q4"))),
                "symbol", "asc", 10).await(5, TimeUnit.SECONDS);
        assertThat(symbols(listed)).containsExactly("Q3", "Q4");
        QueryException invalid = refusal(() -> queries.preview(new JsonObject().put("id", "draft")
                .put("when", "last >")));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body().getBoolean("valid")).isFalse();
        assertThat(invalid.body().getInteger("error_count")).isEqualTo(1);
        assertThat(invalid.body().getJsonArray("errors").getJsonObject(0).getString("place")).startsWith("when");
    }

    @Test
    @DisplayName("gives a symbol's snapshot from the instance that owns it, 404 for a symbol no one knows")
    void snapshotsASymbol() throws Exception {
        JsonObject q5 = queries.symbol("Q5").await(5, TimeUnit.SECONDS);
        assertThat(q5.getString("symbol")).isEqualTo("Q5");
        assertThat(q5.getDouble("last")).isEqualTo(price(5));
        assertThat(q5.getLong("ts")).isEqualTo(ts);
        assertThat(q5.getJsonObject("session").getDouble("volume")).isEqualTo(6.0);
        assertThat(q5.getJsonObject("session").getDouble("vwap")).isEqualTo(price(5));
        assertThat(q5.getJsonObject("live").getDouble("o")).isEqualTo(price(5));
        assertThat(q5.getJsonObject("metrics")).isEqualTo(new JsonObject().put("last", price(5))
                .put("day_volume", 6.0));
        assertThat(q5.getString("instance")).startsWith(node.nodeId() + "/scanner-");
        assertThat(q5.getInteger("answered")).isEqualTo(2);
        QueryException unknown = refusal(() -> queries.symbol("NOPE"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(refusal(() -> queries.symbol(" ")).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("names an instance of the registry that never answers, and answers at the deadline, not later")
    void namesTheMissingInstanceAtTheDeadline() throws Exception {
        Map<String, JsonObject> entries = registry().entries().await(5, TimeUnit.SECONDS);
        assertThat(entries).hasSize(2);
        assertThat(entries.values()).allSatisfy(e -> assertThat(e.getString("node")).isEqualTo(node.nodeId()));
        registry().put("ghost/scanner-0", new JsonObject().put("instance", "ghost/scanner-0").put("node", "ghost")
                .putNull("member")).await(5, TimeUnit.SECONDS);
        try {
            long started = System.nanoTime();
            JsonObject body = screen("above-100", null, null, 100);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(body.getJsonArray("missing")).containsExactly("ghost/scanner-0");
            assertThat(body.getInteger("answered")).isEqualTo(2);
            assertThat(body.getInteger("count")).isEqualTo(10);
            assertThat(tookMs).isBetween(DEADLINE_MS - 5, DEADLINE_MS + 300);
        } finally {
            registry().remove("ghost/scanner-0").await(5, TimeUnit.SECONDS);
        }
    }
}
