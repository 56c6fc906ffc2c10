package io.tickscan.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The REST API of a real standalone node with a token, as curl and a browser meet it: every operation of
 * {@code /openapi.yaml} is served, requests that do not match the document are refused with what and where,
 * rules are changed one by one, validated without saving, and a rule created over REST fires.
 */
@DisplayName("the REST API")
class RestApiIT {
    static final String TOKEN = "it-token-0123456789abcdef";
    @TempDir
    static Path dir;
    static TickscanNode node;
    static final HttpClient http = HttpClient.newHttpClient();
    static final LinkedBlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startNode() throws Exception {
        JsonObject conf = new JsonObject()
                .put("cluster", new JsonObject().put("enabled", false))
                .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("token", TOKEN))
                .put("sources", new JsonObject().put("simulator", new JsonObject().put("enabled", false)));
        node = TestNodes.start(dir, conf);
        node.vertx().eventBus().<Alert>consumer(Addresses.ALERTS, m -> alerts.add(m.body())).completion().await();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.stop().await(60, TimeUnit.SECONDS);
        }
    }

    static HttpResponse<String> call(String method, String path, String type, String body, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("content-type", type);
        }
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** As curl sends it by default with {@code -d}: form-urlencoded, with the node's token. */
    static HttpResponse<String> curl(String method, String path, String body) throws Exception {
        return call(method, path, body == null ? null : "application/x-www-form-urlencoded", body, TOKEN);
    }

    static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    @Test
    @DisplayName("serves its OpenAPI document, and every operation in it has a route")
    @SuppressWarnings("unchecked")
    void everyOperationOfTheDocumentIsServed() throws Exception {
        HttpResponse<String> document = call("GET", "/openapi.yaml", null, null, null);
        assertThat(document.statusCode()).isEqualTo(200);
        Map<String, Object> openapi = new Yaml().load(document.body());
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) openapi.get("paths");
        assertThat(paths).containsKeys("/api/rules", "/api/rules/{id}", "/api/rules/validate", "/api/rules/preview",
                "/api/rules/{id}/matches", "/api/alerts", "/api/symbols/{symbol}", "/api/status");
        for (var path : paths.entrySet()) {
            for (String method : path.getValue().keySet()) {
                if (method.equals("parameters")) {
                    continue;
                }
                String concrete = path.getKey().replace("{id}", "no-such-rule").replace("{symbol}", "NOSUCH");
                HttpResponse<String> response = call(method.toUpperCase(), concrete, "application/json", "{}", TOKEN);
                assertThat(response.statusCode()).as(method + " " + concrete + ": " + response.body())
                        .isNotIn(405, 501);
                assertThat(response.body()).as(method + " " + concrete).doesNotContain("no such resource");
            }
        }
    }

    @Test
    @DisplayName("changes one rule at a time, each under the next version, and a created rule fires")
    void changesOneRuleAtATime() throws Exception {
        long before = json(call("GET", "/api/rules", null, null, null)).getLong("version");
        HttpResponse<String> created = curl("POST", "/api/rules",
                "{\"id\": \"rest-above-0\", \"name\": \"REST\", \"when\": \"last > 0\", \"cooldown_sec\": 3600}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).getLong("version")).isEqualTo(before + 1);
        assertThat(curl("POST", "/api/rules", "{\"id\": \"rest-above-0\", \"when\": \"last > 0\"}").statusCode())
                .isEqualTo(409);

        HttpResponse<String> one = call("GET", "/api/rules/rest-above-0", null, null, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).getString("when")).isEqualTo("last > 0");
        assertThat(one.headers().firstValue("etag")).contains("\"" + (before + 1) + "\"");

        long now = System.currentTimeMillis();
        HttpResponse<String> ticks = call("POST", "/api/ticks", "application/x-ndjson",
                "{\"symbol\": \"RESTSYM\", \"ts\": " + now + ", \"price\": 12.5, \"size\": 3}\n", TOKEN);
        assertThat(ticks.statusCode()).as(ticks.body()).isEqualTo(200);
        Alert alert = awaitAlert("rest-above-0", "RESTSYM", 20);
        assertThat(alert.ruleName()).isEqualTo("REST");

        assertThat(curl("POST", "/api/rules/rest-above-0/disable", null).statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/api/rules/rest-above-0", null, null, null)).getBoolean("enabled")).isFalse();
        assertThat(curl("POST", "/api/rules/rest-above-0/enable", null).statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/api/rules/rest-above-0", null, null, null)).getBoolean("enabled")).isTrue();

        HttpResponse<String> replaced = curl("PUT", "/api/rules/rest-above-0", "{\"when\": \"last > 1\"}");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(json(call("GET", "/api/rules/rest-above-0", null, null, null)))
                .isEqualTo(new JsonObject().put("when", "last > 1").put("id", "rest-above-0"));
        HttpResponse<String> renamed = curl("PUT", "/api/rules/rest-above-0", "{\"id\": \"other\", \"when\": \"last > 1\"}");
        assertThat(renamed.statusCode()).isEqualTo(400);
        assertThat(json(renamed).getString("error")).contains("'other'", "'rest-above-0'");

        assertThat(curl("DELETE", "/api/rules/rest-above-0", null).statusCode()).isEqualTo(200);
        for (String path : new String[] {"/api/rules/rest-above-0", "/api/rules/rest-above-0/enable"}) {
            HttpResponse<String> gone = curl(path.endsWith("enable") ? "POST" : "DELETE", path, null);
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(json(gone).getString("error")).isEqualTo("no rule with id 'rest-above-0'");
        }
        assertThat(json(call("GET", "/api/rules", null, null, null)).getLong("version")).isEqualTo(before + 5);
    }

    @Test
    @DisplayName("refuses an invalid rule with every error and its place, and saves nothing")
    void refusesAnInvalidRuleWithItsPlace() throws Exception {
        long before = json(call("GET", "/api/rules", null, null, null)).getLong("version");
        HttpResponse<String> invalid = curl("POST", "/api/rules/validate",
                "{\"id\": \"v\", \"when\": \"last >> 3\", \"cooldown_sec\": -1}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        JsonObject result = json(invalid);
        assertThat(result.getBoolean("valid")).isFalse();
        JsonArray errors = result.getJsonArray("errors");
        assertThat(errors.stream().map(e -> ((JsonObject) e).getString("place")))
                .contains("when, column 7", "cooldown_sec");
        assertThat(result.getInteger("error_count")).isEqualTo(errors.size());
        HttpResponse<String> valid = call("POST", "/api/rules/validate", "application/json",
                "[{\"id\": \"a\", \"when\": \"last > 1\"}, {\"id\": \"b\", \"when\": \"rsi(14) < 30\"}]", null);
        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(json(valid)).isEqualTo(new JsonObject().put("valid", true).put("rules", 2));

        HttpResponse<String> created = curl("POST", "/api/rules", "{\"id\": \"bad\", \"when\": \"nope(3) > 1\"}");
        assertThat(created.statusCode()).isEqualTo(422);
        assertThat(json(created).getJsonArray("errors").getJsonObject(0).getString("rule_id")).isEqualTo("bad");
        assertThat(json(call("GET", "/api/rules", null, null, null)).getLong("version")).isEqualTo(before);
    }

    @Test
    @DisplayName("needs the token for changes, not for reads")
    void needsTheTokenForChanges() throws Exception {
        for (String token : new String[] {null, "wrong-token-0123456789"}) {
            HttpResponse<String> refused = call("POST", "/api/rules", "application/json",
                    "{\"id\": \"t\", \"when\": \"last > 1\"}", token);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(json(refused).getString("error")).contains("http.token", "Authorization: Bearer");
            assertThat(call("DELETE", "/api/rules/momentum-5m", null, null, token).statusCode()).isEqualTo(401);
            assertThat(call("POST", "/api/ticks", "text/csv", "ts,symbol,price,size\n", token).statusCode())
                    .isEqualTo(401);
        }
        // the token is asked for before the body is read or validated
        assertThat(call("PUT", "/api/rules", "application/json", "[1, 2]", null).statusCode()).isEqualTo(401);
        assertThat(call("PUT", "/api/rules", "application/xml", "<a/>", null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/rules/bad%20id/enable", null, null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/rules/momentum-5m", null, null, null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/api/rules/validate?token=" + TOKEN, "application/json",
                "{\"id\": \"t\", \"when\": \"last > 1\"}", null).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("refuses changes from a page of another origin, even with the token; reads and its own origin pass")
    void refusesCrossSiteChanges() throws Exception {
        for (String origin : new String[] {"http://evil.example", "null"}) {
            HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + node.httpPort() + "/api/rules")).header("origin", origin)
                    .header("content-type", "text/plain").header("authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"forged\", \"when\": \"last > 0\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).as(origin).isEqualTo(403);
            assertThat(json(forged).getString("error")).contains("http.allowed_origins");
        }
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                + "/api/rules/momentum-5m")).header("origin", "http://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        HttpResponse<String> own = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                        + "/api/rules/validate")).header("origin", "http://127.0.0.1:" + node.httpPort())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"own\", \"when\": \"last > 0\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(own.statusCode()).isEqualTo(200);
        HttpResponse<String> ownChange = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + node.httpPort() + "/api/rules/momentum-5m/enable"))
                .header("origin", "http://127.0.0.1:" + node.httpPort()).header("authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ownChange.statusCode()).as(ownChange.body()).isEqualTo(200);
        assertThat(json(call("GET", "/api/rules", null, null, null)).getJsonArray("rules").encode())
                .doesNotContain("forged");
    }

    @Test
    @DisplayName("says what and where when a request does not match the document")
    void refusesRequestsThatDoNotMatchTheDocument() throws Exception {
        HttpResponse<String> badId = call("GET", "/api/rules/bad%20id", null, null, null);
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(json(badId).getString("error")).contains("path parameter id", "pattern");

        HttpResponse<String> badLimit = call("GET", "/api/rules/momentum-5m/matches?limit=0", null, null, null);
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit).getString("error")).contains("query parameter limit");

        HttpResponse<String> notJson = curl("PUT", "/api/rules", "{\"rules\": [");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).getString("error")).startsWith("the body is not valid JSON at line 1, column");

        HttpResponse<String> xml = call("PUT", "/api/rules", "application/xml", "<rules/>", TOKEN);
        assertThat(xml.statusCode()).isEqualTo(415);
        assertThat(json(xml).getString("error")).contains("application/xml", "application/json");

        HttpResponse<String> string = call("PUT", "/api/rules", "application/json", "\"rules\"", TOKEN);
        assertThat(string.statusCode()).isEqualTo(400);
        assertThat(json(string).getString("error")).contains("request body");

        HttpResponse<String> patch = call("PATCH", "/api/rules/momentum-5m", "application/json", "{}", TOKEN);
        assertThat(patch.statusCode()).isEqualTo(405);
        assertThat(patch.headers().firstValue("allow")).contains("DELETE, GET, PUT");
        assertThat(json(patch).getString("error")).contains("/api/rules/{id}");
    }

    @Test
    @DisplayName("reports the node: uptime, sources and their ticks, each scanner's scan times and rules version")
    void reportsTheNode() throws Exception {
        call("POST", "/api/ticks", "text/csv", "ts,symbol,price,size\n" + System.currentTimeMillis() + ",STAT,1.5,2\n",
                TOKEN);
        JsonObject status = json(call("GET", "/api/status", null, null, null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (status.getJsonObject("sources").getJsonObject("http").getLong("ticks") == 0) { // routed after the reply
            assertThat(System.nanoTime()).as("the posted tick counted within 10 s").isLessThan(deadline);
            status = json(call("GET", "/api/status", null, null, null));
        }
        assertThat(status.getString("node")).isEqualTo(node.nodeId());
        assertThat(status.getLong("uptime_ms")).isPositive();
        assertThat(status.getJsonObject("sources").getJsonObject("http").getLong("ticks")).isPositive();
        JsonArray scans = status.getJsonArray("scan");
        assertThat(scans).hasSize(status.getInteger("scanners"));
        assertThat(scans.getJsonObject(0).fieldNames()).contains("instance", "scans", "mean_ms", "max_ms",
                "rules_version");
        assertThat(status.getInteger("partitions_owned")).isEqualTo(status.getInteger("partitions"));
        assertThat(status.getLong("websocket_clients")).isNotNull();
    }

    static Alert awaitAlert(String rule, String symbol, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            Alert alert = alerts.poll(left, TimeUnit.NANOSECONDS);
            if (alert != null && alert.ruleId().equals(rule) && alert.symbol().equals(symbol)) {
                return alert;
            }
        }
        throw new AssertionError("no alert of " + rule + " for " + symbol + " within " + seconds + " s");
    }
}
