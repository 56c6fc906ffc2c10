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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec's promise, on a real node: ticks posted over HTTP for two and a half minutes, stamped with the time of
 * posting (one batch every 100 ms, and every second a batch stamped 3 ms before the whole second and posted just
 * after it), then the same ticks replayed by {@code java -jar target/tickscan.jar replay} with the same rules: the
 * same alert ids, and no tick arrived after the scan of its second.
 */
@DisplayName("live equals replay")
class LiveEqualsReplayIT {
    private static final int SYMBOLS = 20;
    private static final long FEED_MS = 150_000;
    private static final long GRACE_MS = 250;
    private static final String RULES = new JsonArray()
            .add(new JsonObject().put("id", "vx").put("when", "last crosses_above vwap").put("cooldown_sec", 0))
            .add(new JsonObject().put("id", "chg1").put("when", "change_pct(1m) > 0.05").put("cooldown_sec", 20))
            .add(new JsonObject().put("id", "brk2").put("when", "last > high(2m) and volume(1m) > 5000")
                    .put("cooldown_sec", 30))
            .encode();

    @TempDir
    static Path dir;
    static TickscanNode node;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ConcurrentLinkedQueue<Alert> live = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startNode() throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, RULES);
        JsonObject conf = new JsonObject()
                .put("cluster", new JsonObject().put("enabled", false))
                // more than the default 50 ms, so that a loaded 2-core CI machine does not make a batch miss it
                .put("scanner", new JsonObject().put("grace_ms", GRACE_MS))
                .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
                .put("rules", new JsonObject().put("file", rules.toString()))
                .put("sources", new JsonObject().put("simulator", new JsonObject().put("enabled", false)));
        node = TestNodes.start(dir, conf);
        node.vertx().eventBus().<Alert>consumer(Addresses.ALERTS, m -> live.add(m.body())).completion().await();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.stop().await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("ticks posted live for two and a half minutes give the alert ids replay gives for them")
    void liveAlertsAreReplaysAlerts() throws Exception {
        List<String> ticks = feed();
        long lastTs = ticks.stream().mapToLong(LiveEqualsReplayIT::tsOf).max().orElseThrow();
        long lastScan = Math.floorDiv(lastTs, 1000L) * 1000 + 1000; // replay's last scan
        awaitTwoMoreScans(); // the second scan of every instance after the last post covers the last tick

        Path csv = dir.resolve("ticks.csv");
        List<String> sorted = new ArrayList<>(ticks);
        sorted.sort(Comparator.comparingLong(LiveEqualsReplayIT::tsOf)); // stable: arrival order within a ts
        Files.write(csv, prepend("ts,symbol,price,size", sorted));
        Path out = dir.resolve("alerts.ndjson");
        Process replay = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                Path.of("target/tickscan.jar").toAbsolutePath().toString(), "replay", "--ticks", csv.toString(),
                "--rules", dir.resolve("rules.json").toString(), "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("replay.log").toFile()).start();
        assertThat(replay.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(replay.exitValue()).as(Files.readString(dir.resolve("replay.log"))).isZero();
        Set<String> replayed = new TreeSet<>();
        for (String line : Files.readAllLines(out)) {
            replayed.add(new JsonObject(line).getString("alert_id"));
        }
        Set<String> liveIds = new TreeSet<>();
        for (Alert alert : live) {
            if (alert.ts() <= lastScan) {
                liveIds.add(alert.alertId());
            }
        }
        assertThat(liveIds).isEqualTo(replayed);
        assertThat(replayed).as("alerts replayed").hasSizeGreaterThan(20);
        assertThat(replayed.stream().map(id -> id.substring(0, id.indexOf(':'))).distinct())
                .as("every rule fired").containsExactlyInAnyOrder("vx", "chg1", "brk2");
        assertThat(node.registry().get("ticks_after_scan").counter().count()).isZero();
        assertThat(node.registry().get("tick_processed").counter().count()).isEqualTo(ticks.size());
        System.out.printf(Locale.ROOT, "live equals replay: %d ticks, %d alerts, the same ids%n", ticks.size(),
                replayed.size());
    }

    /**
     * Posts the ticks at their pace and returns them as CSV rows ({@code ts,symbol,price,size}) in the order they
     * were posted.
     */
    private static List<String> feed() throws Exception {
        Random random = new Random(11);
        double[] prices = new double[SYMBOLS];
        java.util.Arrays.fill(prices, 100);
        List<String> posted = new ArrayList<>();
        long start = System.currentTimeMillis();
        long nextSecond = Math.floorDiv(start, 1000L) * 1000 + 1000;
        for (long step = start; step < start + FEED_MS; step += 100) {
            waitUntil(step);
            post(batch(System.currentTimeMillis(), random, prices, posted));
            if (System.currentTimeMillis() + 100 >= nextSecond) {
                waitUntil(nextSecond + 5); // stamped 3 ms before the second, posted just after it
                if (System.currentTimeMillis() < nextSecond + GRACE_MS / 2) { // not when the feed fell behind
                    post(batch(nextSecond - 3, random, prices, posted));
                }
                nextSecond = Math.max(nextSecond + 1000,
                        Math.floorDiv(System.currentTimeMillis(), 1000L) * 1000 + 1000);
            }
        }
        return posted;
    }

    private static String batch(long ts, Random random, double[] prices, List<String> posted) {
        StringBuilder body = new StringBuilder();
        for (int s = 0; s < SYMBOLS; s++) {
            if (random.nextInt(3) == 0) {
                continue;
            }
            prices[s] = Math.max(1, prices[s] * (1 + random.nextGaussian() * 0.0008));
            String price = String.format(Locale.ROOT, "%.2f", prices[s]);
            int size = 1 + random.nextInt(random.nextInt(20) == 0 ? 400 : 40);
            body.append("{\"symbol\":\"LR").append(s).append("\",\"ts\":").append(ts).append(",\"price\":")
                    .append(price).append(",\"size\":").append(size).append("}\n");
            posted.add(ts + ",LR" + s + "," + price + "," + size);
        }
        return body.toString();
    }

    private static void post(String body) throws Exception {
        if (body.isEmpty()) {
            return;
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpPort() + "/api/ticks")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonObject("rejected")).as(response.body()).isEmpty();
    }

    /** Paces the feed: parks until the wall clock reaches {@code wall}. */
    private static void waitUntil(long wall) {
        for (long left = wall - System.currentTimeMillis(); left > 0; left = wall - System.currentTimeMillis()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(left));
        }
    }

    /** Polls the scanners' {@code scan_cycle} counts until every instance has run two more scans. */
    private static void awaitTwoMoreScans() throws Exception {
        java.util.Map<io.micrometer.core.instrument.Timer, Long> before = new java.util.HashMap<>();
        node.registry().find("scan_cycle").timers().forEach(t -> before.put(t, t.count()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (before.entrySet().stream().anyMatch(e -> e.getKey().count() < e.getValue() + 2)) {
            assertThat(System.nanoTime()).as("two more scans within 10 s").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static long tsOf(String row) {
        return Long.parseLong(row.substring(0, row.indexOf(',')));
    }

    private static List<String> prepend(String header, List<String> rows) {
        List<String> out = new ArrayList<>(rows.size() + 1);
        out.add(header);
        out.addAll(rows);
        return out;
    }
}
