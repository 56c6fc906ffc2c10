package io.tickscan.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.tickscan.node.TickscanNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs a whole node (not clustered) with the simulator as fast as the node takes its ticks, 10,000 symbols and
 * 100 rules of mixed shape, and reports the sustained ticks/s through routing and scanning, the scan time and the
 * tick-to-alert latency, over {@code seconds} after a warm-up (15 s unless given). By default the simulator is asked for 50
 * million ticks a second, so the node's own limit sets the pace (what it cannot take is held back and counted). The
 * percentiles come from the node's own histograms (upper bounds of their buckets); alert logging is off.
 *
 * <p>Usage: {@code NodeBenchmark [seconds] [event-loop|worker] [scanner instances, 0: one per core]
 * [simulator ticks/s, default 50,000,000: as fast as the node goes] [rules' cooldown_sec, default 60]
 * [scanner.grace_ms, default the configuration's] [scanner.stagger_ms, default the configuration's]
 * [warm-up seconds, default 15]}. A scan at a minute boundary runs once a minute, so in the first minutes after the
 * start its code is not yet fully compiled by the JIT: a warm-up of 120 s measures the node as it runs for hours.
 */
public final class NodeBenchmark {
    private NodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String threading = args.length > 1 ? args[1] : "event-loop";
        int instances = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 50_000_000;
        int cooldown = args.length > 4 ? Integer.parseInt(args[4]) : 60;
        Integer grace = args.length > 5 ? Integer.valueOf(args[5]) : null;
        Integer stagger = args.length > 6 ? Integer.valueOf(args[6]) : null;
        int warmUp = args.length > 7 ? Integer.parseInt(args[7]) : 15;
        Path dir = Files.createTempDirectory("tickscan-bench");
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, new JsonArray(BenchRules.mixed(100, cooldown)).encode());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("enabled", false);
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("rules").put("file", rules.toString());
        conf.getJsonObject("scanner").put("threading", threading).put("instances", instances);
        if (grace != null) {
            conf.getJsonObject("scanner").put("grace_ms", grace);
        }
        if (stagger != null) {
            conf.getJsonObject("scanner").put("stagger_ms", stagger);
        }
        conf.getJsonObject("sources").getJsonObject("simulator").put("symbols", 10_000)
                .put("ticks_per_second", rate);
        Path confFile = dir.resolve("tickscan.json");
        Files.writeString(confFile, conf.encode());
        Vertx loader = Vertx.vertx();
        NodeConfig config = NodeConfigLoader.load(loader, confFile).await();
        loader.close().await();
        // alerts are still published on the bus; writing thousands a second to the console would be measured too
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("tickscan.alerts"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        TickscanNode node = new TickscanNode(config, System::currentTimeMillis);
        node.start().await(300, TimeUnit.SECONDS);
        MeterRegistry registry = node.registry();
        Thread.sleep(warmUp * 1000L);
        double ticks0 = count(registry.find("tick_processed").counters());
        double throttled0 = count(registry.find("ticks_throttled").counters());
        Collection<Timer> scans = registry.find("scan_cycle").timers();
        Timer alerts = registry.find("tick_to_alert").timer();
        Map<Timer, HistogramSnapshot> before = new HashMap<>();
        scans.forEach(t -> before.put(t, t.takeSnapshot()));
        before.put(alerts, alerts.takeSnapshot());
        Timer delay = registry.find("alert_delay").timer();
        before.put(delay, delay.takeSnapshot());
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double ticks1 = count(registry.find("tick_processed").counters());
        double throttled1 = count(registry.find("ticks_throttled").counters());
        double elapsed = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "node, %s scanners (%s), 10,000 symbols, 100 rules, %d s measured after %d s:%n",
                instances == 0 ? "one per core" : String.valueOf(instances), threading, seconds, warmUp);
        System.out.printf(Locale.ROOT, "  sustained: %.0f ticks/s through routing and scanning (the simulator held "
                + "back %.0f ticks/s: the node's limit)%n", (ticks1 - ticks0) / elapsed, (throttled1 - throttled0) / elapsed);
        for (Timer scan : scans) {
            double[] q = quantiles(before.get(scan), scan.takeSnapshot());
            System.out.printf(Locale.ROOT, "  scan_cycle %s: %.0f scans, p50 <= %.1f ms, p99 <= %.1f ms%n",
                    scan.getId().getTag("instance"), q[0], q[1], q[2]);
        }
        double[] latency = quantiles(before.get(alerts), alerts.takeSnapshot());
        System.out.printf(Locale.ROOT, "  tick_to_alert: %.0f alerts (%.0f/s), p50 <= %.1f ms, p99 <= %.1f ms%n",
                latency[0], latency[0] / elapsed, latency[1], latency[2]);
        double[] delays = quantiles(before.get(delay), delay.takeSnapshot());
        System.out.printf(Locale.ROOT, "  alert_delay (from the end of the scanned second): p50 <= %.1f ms, p99 <= %.1f "
                + "ms%n", delays[1], delays[2]);
        System.out.printf(Locale.ROOT, "  scans skipped: %.0f%n", count(registry.find("scans_skipped").counters()));
        node.stop().await(60, TimeUnit.SECONDS);
    }

    private static double count(Collection<Counter> counters) {
        return counters.stream().mapToDouble(Counter::count).sum();
    }

    /**
     * Count, p50 and p99 of what was recorded between two snapshots of a histogram: the upper bound, in ms, of the
     * bucket holding each quantile.
     */
    private static double[] quantiles(HistogramSnapshot before, HistogramSnapshot after) {
        CountAtBucket[] a = before.histogramCounts();
        CountAtBucket[] b = after.histogramCounts();
        double total = after.count() - before.count();
        double[] out = {total, Double.NaN, Double.NaN};
        double[] qs = {0.5, 0.99};
        for (int k = 0; k < qs.length; k++) {
            for (int j = 0; j < b.length; j++) {
                if (b[j].count() - a[j].count() >= qs[k] * total) {
                    out[k + 1] = b[j].bucket(TimeUnit.MILLISECONDS);
                    break;
                }
            }
        }
        return out;
    }
}
