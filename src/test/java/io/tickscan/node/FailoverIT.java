package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.node.AlertSubscriber.Received;
import io.tickscan.redis.RedisKeys;
import io.tickscan.routing.Partitioner;
import io.tickscan.testdata.KafkaBroker;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The failover of issue 14, with real processes: three nodes of the fat jar, each a child JVM, in one Hazelcast
 * cluster on 127.0.0.1 (a random cluster name and port), all reading one Kafka topic in one consumer group and
 * sharing one {@code redis-server} (checkpoints, the alert stream, dedupe). The test produces a steady load of
 * {@value #TICKS_PER_SECOND} ticks/s stamped with the wall clock over one symbol per scanner partition (so a symbol
 * scanned is a partition scanned), and subscribes to the alerts as a user does: a websocket on {@code /ws/alerts}
 * of each node; it also reads the Redis stream at the end.
 *
 * <p>The rule {@value #ALIVE} ({@code last > 0}, cooldown 1 s) fires for every symbol at every scan, so its alerts
 * show each second that each partition is being scanned; two rules whose conditions come and go ({@code last
 * crosses_above vwap}, {@code change_pct(1m) > 0.1}) count lost and duplicated alerts of ordinary rules too.
 *
 * <p>The JVMs first warm up on another symbol per partition, until every partition has a checkpoint and no node has
 * counted a tick arriving after its scan for {@value #STEADY_MS} ms; only then does the measured feed start, on
 * fresh symbols, since a tick late for its scan while the JVMs are cold would change its symbol's session (VWAP) and
 * bars for good, and live would differ from replay for reasons other than the faults. The measured feed must be
 * steady the same way before the first fault; the summary gives the discrepancies of that steady state (0 when the
 * harness is sound).
 *
 * <ol>
 *   <li>Scenario A: node a is killed ({@code SIGKILL}). Measured: the time from the kill until every symbol has an
 *   {@value #ALIVE} alert of a scan after the kill at the websocket of node c (which is never faulted). Target
 *   {@value #KILL_TARGET_MS} ms.</li>
 *   <li>Scenario B: node b is frozen ({@code SIGSTOP}) for {@value #FROZEN_MS} ms, then woken ({@code SIGCONT}),
 *   and the load runs on for {@value #AFTER_WAKE_MS} ms while it rejoins. Measured: the time from the freeze until
 *   every symbol is scanned again (target {@value #FREEZE_TARGET_MS} ms), the time from the wake until both
 *   members see one cluster again, and what the woken node delivers.</li>
 * </ol>
 *
 * <p>The reference is what a fault-free run gives: {@code java -jar target/tickscan.jar replay} over the ticks
 * produced (written to a CSV in the order sent), with the same rules. The engine promises that live equals replay
 * (see {@code LiveEqualsReplayIT}), so every alert id of a live run is one replay gives, with the same price and
 * metrics. Against it, for the websocket of each node and for the stream: <b>duplicates</b> (an alert id received
 * twice), <b>spurious</b> alerts (an id replay does not give), <b>differing</b> ones (the id, but another price or
 * metrics) and <b>lost</b> ones (in the reference, never received). Lost alerts are allowed only for scans within
 * the target window after a fault (the issue: no lost alert whose condition held longer than the failover window),
 * and judged at the websocket of node c and in the stream, which every alert passes through; the woken node's own
 * websocket misses what was published while it was away, which is reported, not asserted.
 *
 * <p>Which lost alerts matter is the issue's: none "whose condition held longer than that window". A second replay,
 * of the same conditions without cooldowns, gives every scan at which each condition held; a lost alert outside
 * the windows whose condition held without a break for longer than the kill's window (the shorter) is a failure,
 * one of a passing condition (a cross at a scan whose state after a failover differs by a tick) is reported.
 *
 * <p><b>Asserted:</b> both time targets; no alert id twice at any websocket or in the stream; no lost alert of a
 * lasting condition outside the windows at the websocket of c or in the stream; the websockets of b and c open to
 * the end (a node that wakes from a freeze does not close its clients); the woken node fenced (scans not run while
 * fenced, none run from the freeze to the rejoin beyond the few around them, no checkpoint of it refused).
 * <b>Reported, not asserted:</b> spurious and differing alerts, and lost ones of passing conditions (see the
 * comment at the assertions).
 *
 * <p>Everything is written under {@code target/failover-it/<time>/}: each node's configuration and output, the
 * broker's and Redis's logs, the ticks CSV, the replay output, the lists of lost, spurious and differing alerts and
 * the summary that is also printed.
 */
@DisplayName("three node processes: kill -9 and SIGSTOP of a member, every partition scanned again within seconds")
class FailoverIT {
    private static final int PARTITIONS = 256;
    private static final int TICKS_PER_SECOND = 2_000;
    private static final long SEED = 14;
    private static final String TOPIC = "ticks";
    private static final int KAFKA_PARTITIONS = 6;
    private static final String ALIVE = "alive";
    private static final long KILL_TARGET_MS = 5_000;
    private static final long FREEZE_TARGET_MS = 10_000;
    private static final long FROZEN_MS = 20_000;
    private static final long AFTER_WAKE_MS = 20_000;
    /** A tick produced is in the scan of its second if it reaches its scanner within this; see docs/node.md. */
    private static final int GRACE_MS = 300;
    /** The warm-up ends when no tick has arrived after its scan for this long. */
    private static final long STEADY_MS = 5_000;
    private static final List<String> NODE_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseSerialGC");

    static Path dir;
    static KafkaBroker kafka;
    static RedisServer redis;
    static Vertx vertx;
    static Redis redisClient;
    static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    static final Map<String, AlertSubscriber> subscribers = new LinkedHashMap<>();
    /** The symbols of the measured feed, one per partition; the warm-up feed's are others, also one per partition. */
    static final List<String> symbols = onePerPartition("F");
    static final List<String> warmUpSymbols = onePerPartition("W");
    static final Set<String> measured = Set.copyOf(symbols);
    static TickFeed warmUpFeed;
    static TickFeed feed;

    /**
     * A fault and the window after it in which scans may be missed: the scans of the {@code windowMs} after it,
     * and the scan of the second under way at the fault (run {@value #GRACE_MS} ms after its second, its alerts
     * published just after).
     */
    record Fault(long atMs, long windowMs) {
        boolean covers(long scanTs) {
            return scanTs > atMs - 1_000 && scanTs <= atMs + windowMs;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createDirectories(Path.of("target/failover-it",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath());
        kafka = KafkaBroker.start(Files.createDirectories(dir.resolve("kafka")), KafkaBroker.TEST_JVM,
                Map.of("group.min.session.timeout.ms", "1000"));
        kafka.createTopic(TOPIC, KAFKA_PARTITIONS);
        redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")));
        vertx = Vertx.vertx();
        redisClient = Redis.createClient(vertx, redis.url());
        Path rules = dir.resolve("rules.json");
        JsonArray ruleList = new JsonArray()
                .add(new JsonObject().put("id", ALIVE).put("when", "last > 0").put("cooldown_sec", 1))
                .add(new JsonObject().put("id", "vwap-cross").put("when", "last crosses_above vwap")
                        .put("cooldown_sec", 0))
                .add(new JsonObject().put("id", "up-1m").put("when", "change_pct(1m) > 0.1").put("cooldown_sec", 5));
        Files.writeString(rules, ruleList.encodePrettily());
        // the same conditions without cooldowns: replay fires them at every scan at which they hold
        JsonArray conditions = ruleList.copy();
        conditions.forEach(rule -> ((JsonObject) rule).put("cooldown_sec", 0));
        Files.writeString(dir.resolve("conditions.json"), conditions.encodePrettily());
        JsonObject conf = nodeConf(rules);
        // the first member alone, so that the others join its cluster rather than form their own and merge later
        start("a", conf);
        TestNodes.await("node a ready", 90, nodes.get("a")::ready, nodes.get("a")::outputTail);
        start("b", conf);
        start("c", conf);
        awaitCluster(List.of("b", "c", "a"), "three members share the partitions and read Kafka", 90);
        for (NodeProcess node : nodes.values()) {
            subscribers.put(node.name, AlertSubscriber.open(node.name, node.httpPort, ALIVE));
        }
        warmUpFeed = new TickFeed(kafka.bootstrap(), TOPIC, warmUpSymbols, TICKS_PER_SECOND, SEED,
                dir.resolve("warm-up-ticks.csv"));
        feed = new TickFeed(kafka.bootstrap(), TOPIC, symbols, TICKS_PER_SECOND, SEED, dir.resolve("ticks.csv"));
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (warmUpFeed != null) {
            warmUpFeed.close();
        }
        if (feed != null) {
            feed.close();
        }
        for (NodeProcess node : nodes.values()) {
            node.destroy();
        }
        if (redisClient != null) {
            redisClient.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @DisplayName("every partition scanned again within 5 s of a kill -9 and 10 s of a freeze; no alert id twice; "
            + "the woken node fenced until it is back")
    void failoverKeepsScanningEveryPartitionAndDeliversEachAlertOnce() throws Exception {
        AlertSubscriber onC = subscribers.get("c");
        // the JVMs warm up on other symbols: a tick late for its scan while they are cold changes a symbol's
        // session (vwap) and bars for good, and live would differ from replay long after
        warmUpFeed.start();
        TestNodes.await("warm-up", 90, new Steady(warmUpSymbols, System.currentTimeMillis()), FailoverIT::statuses);
        warmUpFeed.stop();
        long feedStart = System.currentTimeMillis();
        feed.start();
        Steady steady = new Steady(symbols, feedStart);
        TestNodes.await("the measured feed steady", 60, steady, FailoverIT::statuses);
        long compareFrom = steady.since;
        double ticksAfterScanAtWarmUp = steady.ticksAfterScan;

        double ticksAfterScanBeforeKill = ticksAfterScan();
        long killedAt = System.currentTimeMillis();
        nodes.get("a").kill();
        TestNodes.await("every symbol scanned again after the kill", 60,
                () -> onC.everyScannedAfter(symbols, killedAt), FailoverIT::statuses);
        long scannedAgainAfterKillMs = onC.allScannedAgainAt(symbols, killedAt) - killedAt;
        awaitCluster(List.of("b", "c"), "two members share the partitions after the kill", 60);
        long settled = System.currentTimeMillis();
        TestNodes.await("every symbol scanned by the two", 30, () -> onC.everyScannedAfter(symbols, settled));

        NodeProcess frozen = nodes.get("b");
        double scansBeforeFreeze = frozen.metric("scan_cycle_seconds_count");
        double refusedBeforeFreeze = frozen.metric("checkpoints_refused_total");
        long frozenAt = System.currentTimeMillis();
        frozen.freeze();
        TestNodes.await("every symbol scanned again after the freeze", 60,
                () -> onC.everyScannedAfter(symbols, frozenAt), FailoverIT::statuses);
        long scannedAgainAfterFreezeMs = onC.allScannedAgainAt(symbols, frozenAt) - frozenAt;
        waitUntil(frozenAt + FROZEN_MS);
        long wokeAt = System.currentTimeMillis();
        nodes.get("b").wake();
        // its scans are counted up to the moment it stands as a member again, by its own status
        TestNodes.await("the woken member standing as a member again", 60,
                () -> "member".equals(frozen.status().getString("standing"))
                        && frozen.status().getJsonArray("members", new JsonArray()).size() == 2);
        double scansWhileAway = frozen.metric("scan_cycle_seconds_count") - scansBeforeFreeze;
        awaitCluster(List.of("b", "c"), "the woken member back in one cluster with the other", 60);
        long rejoinedAt = System.currentTimeMillis();
        double fencedScans = frozen.metric("scans_fenced_total");
        // refusals before the freeze are the tokens settling two owners of the kill's rebalance: not counted
        double refusedCheckpoints = frozen.metric("checkpoints_refused_total") - refusedBeforeFreeze;
        waitUntil(wokeAt + AFTER_WAKE_MS);

        long produced = feed.stop();
        long lastScan = Math.floorDiv(feed.lastTs(), 1000L) * 1000 + 1000; // replay's last scan
        // a symbol whose state was lost for good is never scanned again: reported, not waited for
        long lastScanDeadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < lastScanDeadline && !(subscribers.get("b")
                .everyScannedAfter(symbols, lastScan) && onC.everyScannedAfter(symbols, lastScan))) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        String notScannedAtTheEnd = "symbols with no scan after the feed's last second: at b "
                + subscribers.get("b").notScannedAfter(symbols, lastScan) + ", at c "
                + onC.notScannedAfter(symbols, lastScan);

        Map<String, JsonObject> reference = replay("rules");
        Conditions held = new Conditions(replay("conditions").keySet());
        List<Fault> faults = List.of(new Fault(killedAt, KILL_TARGET_MS),
                new Fault(frozenAt, FREEZE_TARGET_MS));
        Map<String, Delivery> deliveries = new LinkedHashMap<>();
        for (AlertSubscriber subscriber : subscribers.values()) {
            deliveries.put("websocket of " + subscriber.node, new Delivery(subscriber.received().stream()
                    .map(Received::alert).toList(), subscriber.problems()));
        }
        deliveries.put("Redis stream", new Delivery(stream(), List.of()));
        Map<String, Tally> tallies = new LinkedHashMap<>();
        deliveries.forEach((name, delivery) -> tallies.put(name,
                tally(name, delivery, reference, compareFrom, lastScan, faults)));
        long wrongFromWokenNode = subscribers.get("b").received().stream()
                .filter(r -> r.arrivedMs() >= wokeAt && r.ts() > compareFrom && r.ts() <= lastScan
                        && measured.contains(r.alert().getString("symbol"))
                        && verdict(r.alert(), reference) != Verdict.AS_REPLAY)
                .count();
        Tally onCBeforeKill = tally("websocket of c before the kill", new Delivery(onC.received().stream()
                .map(Received::alert).filter(a -> a.getLong("ts") <= killedAt).toList(), List.of()),
                reference.entrySet().stream().filter(e -> e.getValue().getLong("ts") <= killedAt)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), compareFrom, lastScan,
                faults);

        String timeline = String.format(Locale.ROOT, "timeline, s from the feed's start: compared from %.1f, "
                + "kill -9 of a %.1f, SIGSTOP of b %.1f, SIGCONT %.1f, one cluster again %.1f, last scan compared "
                + "%.1f", (compareFrom - feedStart) / 1e3, (killedAt - feedStart) / 1e3, (frozenAt - feedStart) / 1e3,
                (wokeAt - feedStart) / 1e3, (rejoinedAt - feedStart) / 1e3, (lastScan - feedStart) / 1e3);
        String summary = summary(timeline, produced, reference.size(), scannedAgainAfterKillMs, scannedAgainAfterFreezeMs,
                rejoinedAt - wokeAt, wrongFromWokenNode, onCBeforeKill, ticksAfterScanAtWarmUp,
                ticksAfterScanBeforeKill, (killedAt - compareFrom) / 1000, tallies, held);
        summary += String.format(Locale.ROOT, "%nthe woken node, from the freeze to the rejoin: %.0f scans run, "
                + "%.0f scans fenced (in all), %.0f checkpoints refused%n%s%nwebsockets ended: %s%n", scansWhileAway,
                fencedScans, refusedCheckpoints, notScannedAtTheEnd, subscribers.values().stream()
                        .map(s -> s.node + ": " + (s.ended() == null ? "open" : s.ended()))
                        .collect(Collectors.joining("; ")));
        System.out.println(summary);
        Files.writeString(dir.resolve("summary.txt"), summary);

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(scannedAgainAfterKillMs).as("ms from the kill -9 until every partition is scanned again")
                .isLessThanOrEqualTo(KILL_TARGET_MS);
        softly.assertThat(scannedAgainAfterFreezeMs).as("ms from the SIGSTOP until every partition is scanned again")
                .isLessThanOrEqualTo(FREEZE_TARGET_MS);
        // the woken node scanned only before its freeze and after its rejoin (two instances, a scan a second
        // each, a few seconds at most): not while it was fenced; and it wrote no stale checkpoint
        softly.assertThat(fencedScans).as("scans the woken node did not run while fenced").isPositive();
        softly.assertThat(scansWhileAway).as("scans the woken node ran from the freeze to the rejoin")
                .isLessThanOrEqualTo(8);
        softly.assertThat(refusedCheckpoints).as("checkpoints of the woken node refused from its freeze to its "
                + "rejoin").isZero();
        // the target: no lost alert whose condition held longer than the failover window (the shorter,
        // the kill's); those of passing conditions (a cross at one scan) are in the summary
        for (String name : List.of("websocket of c", "Redis stream")) {
            expectNone(softly, "alerts lost at the " + name + " outside the windows whose condition held more than "
                    + KILL_TARGET_MS + " ms", lasting(tallies.get(name), held));
        }
        // a node that wakes from a freeze must not take its own stillness for its clients' silence
        for (String node : List.of("b", "c")) {
            softly.assertThat(subscribers.get(node).ended()).as("how the websocket of " + node + " ended").isNull();
        }
        tallies.forEach((name, tally) -> {
            expectNone(softly, "frames other than alerts at the " + name, tally.problems());
            expectNone(softly, "alert ids received twice by the " + name, tally.duplicates());
        });
        // Reported, not asserted, in the summary with the first of each in files: spurious and differing alerts,
        // and lost ones of passing conditions. A restored partition's state can differ from replay's by the order
        // of a few ticks (VWAP in its last bits) or by a tick, and a session's VWAP keeps such a difference; a
        // cross can then fire a second earlier or later (see docs/cluster.md).
        softly.assertAll();
    }

    /** The alerts {@code tally} lost outside the windows whose condition held longer than the kill's window. */
    private static List<String> lasting(Tally tally, Conditions held) {
        return tally.lost().outsideWindows().stream().filter(id -> held.heldMs(id) > KILL_TARGET_MS).toList();
    }

    /** Expects {@code found} to be empty; the failure gives the count and the first three (the rest in files). */
    private static void expectNone(SoftAssertions softly, String what, List<?> found) {
        softly.assertThat(found.size()).as(what + "; the first: " + found.subList(0, Math.min(3, found.size())))
                .isZero();
    }

    /** What one subscriber (or the stream) received: the alerts in order of arrival, and its other frames. */
    record Delivery(List<JsonObject> alerts, List<String> problems) {
    }

    /**
     * When each rule's condition held for each symbol, from a replay of the rules without cooldowns (which fires at
     * every scan at which a condition holds): what tells a lost alert of a passing condition from one of a condition
     * that held longer than a failover window.
     */
    static final class Conditions {
        private final Map<String, NavigableSet<Long>> scansHeld = new HashMap<>();

        Conditions(Set<String> alertIds) {
            alertIds.forEach(id -> scansHeld.computeIfAbsent(id.substring(0, id.lastIndexOf(':')),
                    k -> new TreeSet<>()).add(Long.parseLong(id.substring(id.lastIndexOf(':') + 1))));
        }

        /** How long (ms) the condition of alert {@code alertId} held without a break around its scan; 0 if not. */
        long heldMs(String alertId) {
            var held = scansHeld.getOrDefault(alertId.substring(0, alertId.lastIndexOf(':')),
                    Collections.emptyNavigableSet());
            long ts = Long.parseLong(alertId.substring(alertId.lastIndexOf(':') + 1));
            if (!held.contains(ts)) {
                return 0;
            }
            long first = ts;
            while (held.contains(first - 1_000)) {
                first -= 1_000;
            }
            long last = ts;
            while (held.contains(last + 1_000)) {
                last += 1_000;
            }
            return last - first + 1_000;
        }
    }

    /** How an alert received compares with replay's alert of the same id. */
    enum Verdict { AS_REPLAY, SPURIOUS, DIFFERING }

    static Verdict verdict(JsonObject alert, Map<String, JsonObject> reference) {
        JsonObject expected = reference.get(alert.getString("alert_id"));
        if (expected == null) {
            return Verdict.SPURIOUS;
        }
        return expected.getDouble("price").equals(alert.getDouble("price"))
                && expected.getJsonObject("metrics").equals(alert.getJsonObject("metrics"))
                ? Verdict.AS_REPLAY : Verdict.DIFFERING;
    }

    /** Alerts, or alert ids, split by whether their scan falls within the window after a fault. */
    record Split<T>(List<T> withinWindows, List<T> outsideWindows) {
        Split() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void add(T item, long scanTs, List<Fault> faults) {
            (faults.stream().anyMatch(f -> f.covers(scanTs)) ? withinWindows : outsideWindows).add(item);
        }

        String counts() {
            return withinWindows.size() + "/" + outsideWindows.size();
        }
    }

    /** A delivery compared with the reference, over the scans after the warm-up up to replay's last. */
    record Tally(int received, List<String> duplicates, Split<JsonObject> spurious, Split<JsonObject> differing,
                 Split<String> lost, List<String> problems) {
    }

    private static Tally tally(String name, Delivery delivery, Map<String, JsonObject> reference, long compareFrom,
                               long lastScan, List<Fault> faults) {
        Map<String, Integer> times = new HashMap<>();
        Split<JsonObject> spurious = new Split<>();
        Split<JsonObject> differing = new Split<>();
        int received = 0;
        for (JsonObject alert : delivery.alerts()) {
            long ts = alert.getLong("ts");
            if (ts <= compareFrom || ts > lastScan || !measured.contains(alert.getString("symbol"))) {
                continue; // the warm-up, and scans after the last tick's, which replay does not run
            }
            received++;
            if (times.merge(alert.getString("alert_id"), 1, Integer::sum) > 1) {
                continue;
            }
            switch (verdict(alert, reference)) {
                case SPURIOUS -> spurious.add(alert, ts, faults);
                case DIFFERING -> differing.add(alert.copy().put("replay",
                        reference.get(alert.getString("alert_id"))), ts, faults);
                case AS_REPLAY -> {
                }
            }
        }
        List<String> duplicates = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().toList();
        Split<String> lost = new Split<>();
        reference.forEach((id, alert) -> {
            long ts = alert.getLong("ts");
            if (ts > compareFrom && !times.containsKey(id)) {
                lost.add(id, ts, faults);
            }
        });
        String file = name.replace(' ', '-');
        writeList(file + ".duplicates", duplicates);
        for (var split : Map.of("spurious", spurious, "differing", differing).entrySet()) {
            writeList(file + "." + split.getKey() + "-within-windows", split.getValue().withinWindows().stream()
                    .map(JsonObject::encode).toList());
            writeList(file + "." + split.getKey() + "-outside-windows", split.getValue().outsideWindows().stream()
                    .map(JsonObject::encode).toList());
        }
        writeList(file + ".lost-within-windows", lost.withinWindows().stream().sorted().toList());
        writeList(file + ".lost-outside-windows", lost.outsideWindows().stream().sorted().toList());
        return new Tally(received, duplicates, spurious, differing, lost, delivery.problems());
    }

    private static void writeList(String file, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        try {
            Files.write(dir.resolve(file + ".txt"), lines);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String summary(String timeline, long produced, int referenceAlerts, long killMs, long freezeMs, long rejoinMs,
                                  long wrongFromWokenNode, Tally beforeKill, double ticksAfterScanAtWarmUp,
                                  double ticksAfterScanBeforeKill, long steadySeconds, Map<String, Tally> tallies,
                                  Conditions held) {
        StringBuilder text = new StringBuilder();
        text.append("==== FailoverIT summary (").append(dir.getFileName()).append(") ====\n");
        text.append(String.format(Locale.ROOT, "ticks produced %d at %d/s over %d symbols (one per partition); "
                + "replay's alerts %d%n", produced, TICKS_PER_SECOND, symbols.size(), referenceAlerts));
        text.append(timeline).append('\n');
        text.append(String.format(Locale.ROOT, "steady state before the kill, %d s, outside its window: spurious %d, differing %d, "
                + "lost %d at the websocket of c; ticks after their scan %.0f -> %.0f (all nodes)%n", steadySeconds,
                beforeKill.spurious().outsideWindows().size(), beforeKill.differing().outsideWindows().size(),
                beforeKill.lost().outsideWindows().size(), ticksAfterScanAtWarmUp, ticksAfterScanBeforeKill));
        text.append(String.format(Locale.ROOT, "A kill -9:  every partition scanned again after %5d ms (target %d)%n",
                killMs, KILL_TARGET_MS));
        text.append(String.format(Locale.ROOT, "B SIGSTOP:  every partition scanned again after %5d ms (target %d); "
                + "woken after %d ms, one cluster again %d ms after the wake%n", freezeMs, FREEZE_TARGET_MS,
                FROZEN_MS, rejoinMs));
        text.append(String.format(Locale.ROOT, "B woken node: %d alerts on its own websocket after the wake that are "
                + "not replay's (spurious or differing)%n", wrongFromWokenNode));
        text.append("counts as within/outside the windows after the faults (kill +").append(KILL_TARGET_MS)
                .append(" ms, freeze +").append(FREEZE_TARGET_MS).append(" ms); lost is judged at ws c and the "
                        + "stream (a and b miss what came while they were away)\n");
        text.append(String.format(Locale.ROOT, "%-13s %8s %5s %11s %11s %11s %s%n", "delivery", "received", "dupes",
                "spurious", "differing", "lost", "other frames"));
        tallies.forEach((name, t) -> text.append(String.format(Locale.ROOT, "%-13s %8d %5d %11s %11s %11s %d%n",
                name.replace("websocket of ", "ws "), t.received(), t.duplicates().size(), t.spurious().counts(),
                t.differing().counts(), t.lost().counts(), t.problems().size())));
        for (String name : List.of("websocket of c", "Redis stream")) {
            Tally t = tallies.get(name);
            text.append(String.format(Locale.ROOT, "lost at the %s outside the windows: %d of conditions that held "
                    + "more than %d ms (target 0), %d of passing ones%n", name, lasting(t, held).size(),
                    KILL_TARGET_MS, t.lost().outsideWindows().size() - lasting(t, held).size()));
        }
        for (String name : List.of("b", "c")) {
            NodeProcess node = nodes.get(name);
            text.append(String.format(Locale.ROOT, "node %s at the end: ticks_after_scan %.0f, late %.0f, hold "
                    + "overflow %.0f, scans skipped %.0f, scans forced %.0f, tick gaps given up %.0f, ticks dropped "
                    + "(timeout) %.0f%n", name, node.metric("ticks_after_scan_total"),
                    node.metric("ticks_rejected_total{reason=\"late\""), node.metric("ticks_hold_overflow_total"),
                    node.metric("scans_skipped_total"), node.metric("scans_forced_total"),
                    node.metric("tick_gaps_given_up"), node.metric("ticks_dropped_total{reason=\"timeout\"")));
        }
        text.append("==== details in ").append(dir).append(" ====");
        return text.toString();
    }

    /**
     * True once every subscriber has an alert of each of {@code symbols} for a scan 2 s after their feed started,
     * every partition has a checkpoint in Redis, and no node has counted a tick arriving after its scan for
     * {@value #STEADY_MS} ms: the cluster keeps up with the load, so live equals replay {@link #since} then.
     */
    static final class Steady implements BooleanSupplier {
        private final List<String> symbols;
        private final long feedStart;
        double ticksAfterScan = -1;
        long since;

        Steady(List<String> symbols, long feedStart) {
            this.symbols = symbols;
            this.feedStart = feedStart;
            this.since = feedStart;
        }

        @Override
        public boolean getAsBoolean() {
            double now = ticksAfterScan();
            if (ticksAfterScan >= 0 && now != ticksAfterScan) {
                since = System.currentTimeMillis();
            }
            ticksAfterScan = now;
            return System.currentTimeMillis() - since >= STEADY_MS
                    && subscribers.values().stream().allMatch(s -> s.everyScannedAfter(symbols, feedStart + 2_000))
                    && checkpointedPartitions() == PARTITIONS;
        }
    }

    /** The live nodes' {@code ticks_after_scan_total}, summed. */
    private static double ticksAfterScan() {
        return nodes.values().stream().filter(NodeProcess::isAlive)
                .mapToDouble(node -> node.metric("ticks_after_scan_total")).sum();
    }

    /** How many partitions have a state checkpoint in Redis. */
    private static int checkpointedPartitions() {
        Request exists = Request.cmd(Command.EXISTS);
        for (int p = 0; p < PARTITIONS; p++) {
            exists.arg(RedisKeys.state(p));
        }
        return redisClient.send(exists).await().toInteger();
    }

    /** The alerts replay gives for the ticks produced with the rules of {@code rules}.json, by id. */
    private static Map<String, JsonObject> replay(String rules) throws Exception {
        Path out = dir.resolve(rules + "-replay.ndjson");
        Path log = dir.resolve(rules + "-replay.log");
        Process replay = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                Path.of("target/tickscan.jar").toAbsolutePath().toString(), "replay", "--ticks",
                dir.resolve("ticks.csv").toString(), "--rules", dir.resolve(rules + ".json").toString(), "--out",
                out.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(replay.waitFor(120, TimeUnit.SECONDS)).as("replay finished").isTrue();
        assertThat(replay.exitValue()).as(Files.readString(log)).isZero();
        Map<String, JsonObject> alerts = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonObject alert = new JsonObject(line);
            alerts.put(alert.getString("alert_id"), alert);
        }
        return alerts;
    }

    /** Every alert of the Redis stream, oldest first. */
    private static List<JsonObject> stream() {
        List<JsonObject> alerts = new ArrayList<>();
        String after = "-";
        while (true) {
            Response page = redisClient.send(Request.cmd(Command.XRANGE).arg(RedisKeys.ALERT_STREAM).arg(after)
                    .arg("+").arg("COUNT").arg(5_000)).await();
            if (page.size() == 0) {
                return alerts;
            }
            for (Response entry : page) {
                Response fields = entry.get(1);
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    if ("alert".equals(fields.get(i).toString())) {
                        alerts.add(new JsonObject(fields.get(i + 1).toString()));
                    }
                }
                after = "(" + entry.get(0).toString();
            }
        }
    }

    /**
     * Waits until each of {@code names} (the live members) sees exactly them as the cluster, every partition is
     * owned (the members' shares add up to all of them), and the members' Kafka sources hold every partition of the
     * topic between them (the consumer group has settled).
     */
    private static void awaitCluster(List<String> names, String what, int seconds) {
        TestNodes.await(what, seconds, () -> {
            int owned = 0;
            int kafkaPartitions = 0;
            for (String name : names) {
                JsonObject status = nodes.get(name).status();
                JsonObject kafkaSource = status.getJsonObject("components", new JsonObject())
                        .getJsonObject("kafka-source", new JsonObject());
                if (status.getJsonArray("members", new JsonArray()).size() != names.size()
                        || status.getInteger("partitions_unowned", 1) != 0 || !kafkaSource.getBoolean("ok", false)) {
                    return false;
                }
                owned += status.getInteger("partitions_owned", 0);
                // "3 partitions of ticks"
                kafkaPartitions += Integer.parseInt(kafkaSource.getString("why").split(" ")[0]);
            }
            return owned == PARTITIONS && kafkaPartitions == KAFKA_PARTITIONS;
        }, FailoverIT::statuses);
    }

    /** Each live node's status, for a failure's message. */
    private static String statuses() {
        return nodes.values().stream().filter(NodeProcess::isAlive)
                .map(node -> node.name + ": " + node.status().encode()).collect(Collectors.joining("\n"));
    }

    private static void start(String name, JsonObject conf) throws IOException {
        JsonObject own = conf.copy();
        own.getJsonObject("node").put("id", name);
        own.getJsonObject("http").put("port", freePort());
        nodes.put(name, NodeProcess.start(name, dir, own, NODE_JVM));
    }

    /**
     * The defaults with: one cluster of a random name and port on 127.0.0.1, HTTP on 127.0.0.1, no simulator, the
     * Kafka topic in one group (a member silent for 3 s leaves it, not after the default 45 s), Redis with a
     * checkpoint every 2 s, and the test's rules.
     */
    private static JsonObject nodeConf(Path rules) throws IOException {
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("name", "failover-it-" + UUID.randomUUID()).put("host", "127.0.0.1")
                .put("port", 20_000 + ThreadLocalRandom.current().nextInt(20_000));
        conf.getJsonObject("http").put("host", "127.0.0.1").put("instances", 1);
        conf.getJsonObject("scanner").put("grace_ms", GRACE_MS);
        conf.getJsonObject("rules").put("file", rules.toString());
        JsonObject sources = conf.getJsonObject("sources");
        sources.getJsonObject("simulator").put("enabled", false);
        sources.getJsonObject("kafka").put("enabled", true).put("bootstrap_servers", kafka.bootstrap())
                .put("topic", TOPIC).put("group_id", "failover-it").put("format", "json")
                .put("properties", new JsonObject().put("session.timeout.ms", "3000")
                        .put("heartbeat.interval.ms", "500"));
        conf.getJsonObject("redis").put("url", redis.url()).put("checkpoint_interval_ms", 2_000);
        return conf;
    }

    /** The first symbol {@code <prefix>0, <prefix>1, ...} of each partition, in partition order. */
    private static List<String> onePerPartition(String prefix) {
        Partitioner partitioner = new Partitioner(PARTITIONS);
        String[] byPartition = new String[PARTITIONS];
        int found = 0;
        for (int i = 0; found < PARTITIONS; i++) {
            String symbol = prefix + i;
            int p = partitioner.partitionOf(symbol);
            if (byPartition[p] == null) {
                byPartition[p] = symbol;
                found++;
            }
        }
        return List.of(byPartition);
    }

    /** Parks until the wall clock reaches {@code wall}: the length of a scenario's phase, not a wait for a state. */
    private static void waitUntil(long wall) {
        for (long left = wall - System.currentTimeMillis(); left > 0; left = wall - System.currentTimeMillis()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(left));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
