package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
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
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
    static final List<Alert> seen = new ArrayList<>();
    static final LinkedBlockingQueue<Alert> arrivals = new LinkedBlockingQueue<>();
    static JsonArray startRules;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startNode() throws Exception {
        JsonObject rules = new JsonObject(Files.readString(Path.of("conf/rules.json")));
        rules.getJsonArray("rules").add(new JsonObject().put("id", "posted-above-5000").put("when", "last > 5000")
                .put("cooldown_sec", 3600));
        startRules = rules.getJsonArray("rules");
        Path rulesFile = dir.resolve("rules.json");
        Files.writeString(rulesFile, rules.encodePrettily());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("name", "it-" + UUID.randomUUID())
                .put("port", 20_000 + ThreadLocalRandom.current().nextInt(20_000));
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("rules").put("file", rulesFile.toString());
        conf.getJsonObject("sources").getJsonObject("simulator").put("symbols", 500).put("ticks_per_second", 5000);
        node = TestNodes.start(dir, conf);
        node.vertx().eventBus().<Alert>consumer(Addresses.ALERTS, m -> arrivals.add(m.body())).completion()
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

    /** Waits for an alert matching {@code which} to reach this node's bus, up to {@code seconds}. */
    static synchronized Alert awaitAlert(Predicate<Alert> which, int seconds) throws Exception {
        for (Alert alert : seen) {
            if (which.test(alert)) {
                return alert;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            Alert alert = arrivals.poll(left, TimeUnit.NANOSECONDS);
            if (alert != null) {
                seen.add(alert);
                if (which.test(alert)) {
                    return alert;
                }
            }
        }
        throw new AssertionError("no such alert within " + seconds + " s; got " + seen.size() + " alerts");
    }

    /** Waits until every scanner of the node runs rules {@code version} (its {@code rules_version} gauges). */
    static void awaitScannersOn(long version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.registry().find("rules_version").gauges().stream().anyMatch(g -> g.value() != version)) {
            assertThat(System.nanoTime()).as("scanners on version %d within 10 s", version).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20); // polls the gauges; the swap happens at each scanner's next scan
        }
    }

    @Test
    void theSimulatorsAlertsArriveAndMetricsAndReadinessAnswerOverHttp() throws Exception {
        Alert first = awaitAlert(a -> a.symbol().startsWith("SIM"), 60);
        assertThat(first.alertId()).isEqualTo(first.ruleId() + ":" + first.symbol() + ":" + first.ts());
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getString("outcome")).isEqualTo("UP");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("alerts_emitted_total{rule=\"" + first.ruleId() + "\"}", "tick_processed_total",
                "scan_cycle_seconds_bucket", "symbols_scanned_total", "ticks_rejected_total", "worker_queue_depth",
                "tick_to_alert_seconds_bucket", "alert_delay_seconds_bucket", "scan_failures_total 0.0",
                "batch_failures_total 0.0");
        // Vert.x's own meters, but not those of its event bus, looked up for every message (NodeVertx)
        assertThat(metrics).contains("vertx_http_server_", "jvm_memory_used_bytes").doesNotContain("vertx_eventbus_");
        assertThat(node.registry().get("alerts_emitted").tag("rule", first.ruleId()).counter().count())
                .isGreaterThanOrEqualTo(1);
        assertThat(node.registry().get("tick_processed").counter().count()).isGreaterThan(1000);
        assertThat(node.registry().get("symbols_scanned").counter().count()).isGreaterThanOrEqualTo(500);
        assertThat(node.registry().get("tick_to_alert").timer().count()).isGreaterThanOrEqualTo(1);
        assertThat(node.registry().get("alert_delay").timer().count()).isGreaterThanOrEqualTo(1);
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
        assertThat(counts.getJsonArray("errors").getString(0)).isEqualTo("line 2: bad_price: POSTED," + now + ",-1,10");
        Alert alert = awaitAlert(a -> a.symbol().equals("POSTED"), 10);
        assertThat(alert.ruleId()).isEqualTo("posted-above-5000");
        assertThat(alert.price()).isEqualTo(5100);

        HttpResponse<String> csv = send("POST", "/api/ticks", "text/csv",
                "ts,symbol,price,size\n" + now + ",CSV1,10,1\n" + now + ",CSV1,oops,1\n");
        assertThat(new JsonObject(csv.body()).getLong("accepted")).isEqualTo(1);
        assertThat(new JsonObject(csv.body()).getJsonObject("rejected").getMap()).containsEntry("bad_price", 1);
        assertThat(get("/metrics").body()).containsPattern("ticks_rejected_total\\{reason=\"bad_price\",source=\"http\"} [2-9]");
    }

    @Test
    @DisplayName("a rule set swapped at run time gets the next version and takes effect; an invalid one is refused whole")
    void aRuleSetSwappedAtRunTimeTakesEffectAndAnInvalidOneIsRefusedWhole() throws Exception {
        HttpResponse<String> refused = send("PUT", "/api/rules", "application/json",
                "[{\"id\": \"ok\", \"when\": \"last > 1\"}, {\"id\": \"bad\", \"when\": \"last >> 1\"}]");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(refused.body()).getJsonArray("errors")).containsExactly(new JsonObject()
                .put("index", 1).put("rule_id", "bad").put("place", "when, column 7")
                .put("message", "expected a metric or a number, found '>'")
                .put("text", "rule 'bad' at when, column 7: expected a metric or a number, found '>'"));
        JsonObject before = new JsonObject(get("/api/rules").body());
        assertThat(before.getJsonArray("rules").encode()).contains("posted-above-5000");

        JsonArray next = startRules.copy().add(new JsonObject().put("id", "swapped-above-7000")
                .put("when", "last > 7000").put("cooldown_sec", 3600));
        HttpResponse<String> accepted = send("PUT", "/api/rules", "application/json",
                new JsonObject().put("rules", next).encode());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        long version = new JsonObject(accepted.body()).getLong("version");
        assertThat(version).isGreaterThan(before.getLong("version"));
        JsonObject after = new JsonObject(get("/api/rules").body());
        assertThat(after.getLong("version")).isEqualTo(version);
        assertThat(after.getJsonArray("rules")).isEqualTo(next);
        awaitScannersOn(version);
        HttpResponse<String> putBack = send("PUT", "/api/rules", "application/json", get("/api/rules").body());
        assertThat(putBack.statusCode()).as(putBack.body()).isEqualTo(200);
        assertThat(new JsonObject(putBack.body()).getLong("version")).isEqualTo(version + 1);
        send("POST", "/api/ticks", "application/x-ndjson",
                "{\"symbol\": \"SWAP\", \"ts\": " + System.currentTimeMillis() + ", \"price\": 7500, \"size\": 1}");
        Alert swapped = awaitAlert(a -> a.symbol().equals("SWAP") && a.ruleId().equals("swapped-above-7000"), 10);
        assertThat(swapped.price()).isEqualTo(7500);
    }

    @Test
    @DisplayName("bodies sent with curl's defaults are read at any size, by their content type or by sniffing")
    void curlsDefaultContentTypeIsReadAtAnySize() throws Exception {
        long now = System.currentTimeMillis();
        StringBuilder ndjson = new StringBuilder();
        int rows = 0;
        while (ndjson.length() < 1_000_000) {
            ndjson.append("{\"symbol\": \"FORM").append(rows % 7).append("\", \"ts\": ").append(now)
                    .append(", \"price\": 10, \"size\": 1}\n");
            rows++;
        }
        HttpResponse<String> form = send("POST", "/api/ticks", "application/x-www-form-urlencoded", ndjson.toString());
        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        assertThat(new JsonObject(form.body()).getLong("accepted")).isEqualTo(rows);
        HttpResponse<String> csv = send("POST", "/api/ticks", "application/x-www-form-urlencoded",
                "ts,symbol,price,size\n" + now + ",FORMCSV,10,1\n");
        assertThat(new JsonObject(csv.body()).getLong("accepted")).isEqualTo(1);
        HttpResponse<String> rules = send("PUT", "/api/rules", "application/x-www-form-urlencoded", "\n");
        assertThat(rules.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(rules.body()).getString("error"))
                .isEqualTo("the body is empty: send the JSON this operation takes (see /openapi.yaml)");
    }

    @Test
    @DisplayName("wrong requests get clear errors, with no Vert.x internals in them")
    void wrongRequestsGetClearErrors() throws Exception {
        assertThat(send("POST", "/api/ticks", "application/x-ndjson", "").statusCode()).isEqualTo(400);
        HttpResponse<String> newline = send("POST", "/api/ticks", "application/x-www-form-urlencoded", "\n");
        assertThat(newline.statusCode()).isEqualTo(400);
        assertThat(newline.body()).contains("the body is empty");
        HttpResponse<String> xml = send("POST", "/api/ticks", "application/xml", "<ticks/>");
        assertThat(xml.statusCode()).isEqualTo(415);
        assertThat(new JsonObject(xml.body()).getString("error")).isEqualTo("content-type application/xml cannot be "
                + "read: send application/x-ndjson, application/json or text/csv");
        assertThat(send("PUT", "/api/rules", "multipart/form-data; boundary=x", "--x--").statusCode()).isEqualTo(415);
        HttpResponse<String> sniffFailed = send("POST", "/api/ticks", "text/plain", "hello");
        assertThat(sniffFailed.statusCode()).isEqualTo(400);
        assertThat(sniffFailed.body()).contains("cannot tell the format");
        HttpResponse<String> wrongMethod = send("DELETE", "/api/rules", "application/json", "");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).hasValue("GET, POST, PUT");
        HttpResponse<String> longPath = get("/api/" + "x".repeat(3000));
        assertThat(longPath.statusCode()).isEqualTo(404);
        assertThat(longPath.body().length()).isLessThan(200);
        HttpResponse<String> tooBig = send("POST", "/api/ticks", "text/csv", "x".repeat(5_000_000));
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("larger than http.max_body_bytes (4194304 bytes)");
        HttpResponse<String> unknown = get("/api/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no such resource: GET /api/nothing");
    }
}
