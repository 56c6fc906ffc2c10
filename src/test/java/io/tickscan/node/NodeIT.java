package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.AlertMessage;
import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node, clustered through Hazelcast as a one-member cluster (random cluster name and ports), with the
 * simulator and the default rules plus two test rules; shared by the tests of the class.
 */
@DisplayName("a running node")
class NodeIT {
    @TempDir
    static Path dir;
    static TickscanNode node;
    static final List<AlertMessage> alerts = new CopyOnWriteArrayList<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startNode() throws Exception {
        JsonObject rules = new JsonObject(Files.readString(Path.of("conf/rules.json")));
        rules.getJsonArray("rules").add(new JsonObject().put("id", "posted-above-5000").put("when", "last > 5000")
                .put("cooldown_sec", 3600));
        Path rulesFile = dir.resolve("rules.json");
        Files.writeString(rulesFile, rules.encodePrettily());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("name", "it-" + UUID.randomUUID())
                .put("port", 20_000 + ThreadLocalRandom.current().nextInt(20_000));
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("rules").put("file", rulesFile.toString());
        conf.getJsonObject("sources").getJsonObject("simulator").put("symbols", 500).put("ticks_per_second", 5000);
        Path confFile = dir.resolve("tickscan.json");
        Files.writeString(confFile, conf.encodePrettily());
        Vertx loader = Vertx.vertx();
        NodeConfig config = NodeConfigLoader.load(loader, confFile).await();
        loader.close().await();
        node = new TickscanNode(config, System::currentTimeMillis);
        node.start().await(120, TimeUnit.SECONDS);
        node.vertx().eventBus().<AlertMessage>consumer(Addresses.ALERTS, m -> alerts.add(m.body())).completion()
                .await();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.stop().await(60, TimeUnit.SECONDS);
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).header("content-type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + node.httpPort() + path);
    }

    /** Waits for an alert matching {@code id} to reach this node's bus, polling, up to {@code seconds}. */
    static AlertMessage awaitAlert(java.util.function.Predicate<AlertMessage> which, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (AlertMessage alert : alerts) {
                if (which.test(alert)) {
                    return alert;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such alert within " + seconds + " s; got " + alerts.size() + " alerts");
    }

    @Test
    void theSimulatorsAlertsArriveAndMetricsAndReadinessAnswerOverHttp() throws Exception {
        AlertMessage first = awaitAlert(a -> a.symbol().startsWith("SIM"), 60);
        assertThat(first.alertId()).isEqualTo(first.ruleId() + ":" + first.symbol() + ":" + first.ts());
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getString("outcome")).isEqualTo("UP");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("alerts_emitted_total{rule=\"" + first.ruleId() + "\"}", "tick_processed_total",
                "scan_cycle_seconds_bucket", "symbols_scanned_total", "ticks_rejected_total", "worker_queue_depth",
                "tick_to_alert_seconds_bucket");
    }

    @Test
    void postedTicksWithMalformedRowsAreCountedAndStillAlert() throws Exception {
        long now = System.currentTimeMillis();
        String body = String.join("\n",
                "{\"symbol\": \"POSTED\", \"ts\": " + now + ", \"price\": 5100, \"size\": 10}",
                "{\"symbol\": \"POSTED\", \"ts\": " + now + ", \"price\": -1, \"size\": 10}",
                "not json",
                "{\"symbol\": \"BAD SYMBOL\", \"ts\": " + now + ", \"price\": 1, \"size\": 1}",
                "{\"symbol\": \"POSTED\", \"ts\": \"yesterday\", \"price\": 1, \"size\": 1}",
                "{\"symbol\": \"POSTED2\", \"ts\": " + now + ", \"price\": 10, \"size\": 1}");
        HttpResponse<String> reply = send("POST", "/api/ticks", "application/x-ndjson", body);
        assertThat(reply.statusCode()).isEqualTo(200);
        JsonObject counts = new JsonObject(reply.body());
        assertThat(counts.getLong("accepted")).isEqualTo(2);
        assertThat(counts.getJsonObject("rejected").getMap()).containsEntry("bad_price", 1).containsEntry("malformed", 1)
                .containsEntry("bad_symbol", 1).containsEntry("bad_ts", 1);
        assertThat(counts.getJsonArray("errors").getString(0)).isEqualTo("line 2: bad_price: POSTED," + now + ",-1.0,10.0");
        AlertMessage alert = awaitAlert(a -> a.symbol().equals("POSTED"), 10);
        assertThat(alert.ruleId()).isEqualTo("posted-above-5000");
        assertThat(alert.price()).isEqualTo(5100);

        HttpResponse<String> csv = send("POST", "/api/ticks", "text/csv",
                "ts,symbol,price,size\n" + now + ",CSV1,10,1\n" + now + ",CSV1,oops,1\n");
        assertThat(new JsonObject(csv.body()).getLong("accepted")).isEqualTo(1);
        assertThat(new JsonObject(csv.body()).getJsonObject("rejected").getMap()).containsEntry("bad_price", 1);
        assertThat(get("/metrics").body()).containsPattern("ticks_rejected_total\\{reason=\"bad_price\",source=\"http\"} [2-9]");
    }

    @Test
    void aRuleSetSwappedAtRunTimeTakesEffectAndAnInvalidOneIsRefusedWhole() throws Exception {
        HttpResponse<String> refused = send("PUT", "/api/rules", "application/json",
                "[{\"id\": \"ok\", \"when\": \"last > 1\"}, {\"id\": \"bad\", \"when\": \"last >> 1\"}]");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(refused.body()).getJsonArray("errors").getList()).containsExactly(
                "rule 'bad' at when, column 7: expected a metric or a number, found '>'");
        assertThat(get("/api/rules").body()).contains("posted-above-5000");

        HttpResponse<String> accepted = send("PUT", "/api/rules", "application/json",
                "{\"rules\": [{\"id\": \"swapped-above-7000\", \"when\": \"last > 7000\", \"cooldown_sec\": 3600}]}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        assertThat(get("/api/rules").body()).contains("swapped-above-7000");
        Thread.sleep(1100); // the swap happens at each scanner's next scan
        send("POST", "/api/ticks", "application/x-ndjson",
                "{\"symbol\": \"SWAP\", \"ts\": " + System.currentTimeMillis() + ", \"price\": 7500, \"size\": 1}");
        assertThat(awaitAlert(a -> a.symbol().equals("SWAP"), 10).ruleId()).isEqualTo("swapped-above-7000");
    }

    @Test
    void wrongRequestsGetClearErrors() throws Exception {
        assertThat(send("POST", "/api/ticks", "application/x-ndjson", "").statusCode()).isEqualTo(400);
        HttpResponse<String> tooBig = send("POST", "/api/ticks", "text/csv", "x".repeat(2_000_000));
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("larger than http.max_body_bytes (1048576 bytes)");
        HttpResponse<String> unknown = get("/api/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no such resource: GET /api/nothing");
    }
}
