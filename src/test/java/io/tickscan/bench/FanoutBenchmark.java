package io.tickscan.bench;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.tickscan.node.TickscanNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The websocket fan-out measured across two processes on one machine: a node that publishes alerts on its event
 * bus at a set rate, and a client process with many websocket clients of {@code /ws/alerts} on loopback, every
 * client subscribed to everything. Each alert carries its publication time in its {@code ts}, in microseconds here;
 * the clients report the alerts and frames delivered per second and the publication-to-client latency. Never in CI.
 *
 * <p>Node: {@code FanoutBenchmark node <port> <alerts/s> [scan|even] [web instances, 0: one per core]}. {@code scan}
 * publishes each second's alerts at once, as the scanners do at their scan; {@code even} spreads them over the
 * second (one batch a millisecond). It runs until killed.
 *
 * <p>Clients: {@code FanoutBenchmark clients <port> <clients> [seconds, 30] [slow fraction, 0] [warm-up s, 10]}.
 * A slow client reads for 100 ms every 2 s (its socket paused in between); its figures are reported apart.
 */
public final class FanoutBenchmark {
    private FanoutBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("node")) {
            node(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3 ? args[3] : "scan",
                    args.length > 4 ? Integer.parseInt(args[4]) : 0);
        } else if (args.length >= 3 && args[0].equals("clients")) {
            clients(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    args.length > 3 ? Integer.parseInt(args[3]) : 30, args.length > 4 ? Double.parseDouble(args[4]) : 0,
                    args.length > 5 ? Integer.parseInt(args[5]) : 10);
        } else {
            System.err.println("usage: FanoutBenchmark node <port> <alerts/s> [scan|even] [web instances]\n"
                    + "       FanoutBenchmark clients <port> <clients> [seconds] [slow fraction] [warm-up s]");
            System.exit(2);
        }
    }

    private static void node(int port, int rate, String pattern, int instances) throws Exception {
        Path dir = Files.createTempDirectory("tickscan-fanout");
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("enabled", false);
        conf.getJsonObject("sources").getJsonObject("simulator").put("enabled", false);
        conf.getJsonObject("scanner").put("instances", 1);
        conf.getJsonObject("http").put("port", port).put("host", "127.0.0.1").put("instances", instances);
        Path confFile = dir.resolve("tickscan.json");
        Files.writeString(confFile, conf.encode());
        Vertx loader = Vertx.vertx();
        NodeConfig config = NodeConfigLoader.load(loader, confFile).await();
        loader.close().await();
        TickscanNode node = new TickscanNode(config, System::currentTimeMillis);
        node.start().await(120, TimeUnit.SECONDS);
        Vertx vertx = node.vertx();
        long[] published = {0};
        long t0 = System.nanoTime();
        if (pattern.equals("scan")) {
            vertx.setPeriodic(1000, id -> {
                for (int i = 0; i < rate; i++) {
                    publish(vertx, published[0]++);
                }
            });
        } else {
            vertx.setPeriodic(1, id -> {
                long due = (System.nanoTime() - t0) * rate / 1_000_000_000L;
                while (published[0] < due) {
                    publish(vertx, published[0]++);
                }
            });
        }
        System.out.printf(Locale.ROOT, "node on port %d: %d web instances, publishing %d alerts/s (%s)%n",
                node.httpPort(), node.webVerticles().size(), rate, pattern);
        vertx.setPeriodic(10_000, id -> System.out.printf(Locale.ROOT, "published %d, clients %d%n", published[0],
                node.webVerticles().get(0).alertSockets().clients()));
        Thread.currentThread().join();
    }

    private static void publish(Vertx vertx, long n) {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        String rule = "rule-" + (n % 10);
        String symbol = "SYM" + (n % 2000);
        vertx.eventBus().publish(Addresses.ALERTS, new Alert(rule + ":" + symbol + ":" + micros, rule,
                "Rule " + (n % 10), symbol, micros, 101.25, List.of("last", "rel_volume(5m)"), new double[] {101.25, 2.5}));
    }

    /** What one group of clients (normal or slow) received. */
    private static final class Group {
        final Recorder latency = new Recorder(3);
        final LongAdder alerts = new LongAdder();
        final LongAdder frames = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder seqErrors = new LongAdder();
        final AtomicInteger closed = new AtomicInteger();
        int size;
    }

    private static void clients(int port, int count, int seconds, double slowFraction, int warmup) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20)
                .setMaxConnections(count + 1));
        Group normal = new Group();
        Group slow = new Group();
        List<Future<WebSocket>> connecting = new ArrayList<>();
        int slowEvery = slowFraction > 0 ? (int) Math.round(1 / slowFraction) : 0;
        // a connection belongs to the event loop of the context that opens it: spread them over every loop
        List<Context> loops = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            loops.add(vertx.getOrCreateContext());
        }
        long c0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            boolean isSlow = slowEvery > 0 && i % slowEvery == slowEvery - 1;
            Group group = isSlow ? slow : normal;
            group.size++;
            Promise<WebSocket> opened = Promise.promise();
            loops.get(i % loops.size()).runOnContext(v -> client.connect(new WebSocketConnectOptions()
                    .setHost("127.0.0.1").setPort(port).setURI("/ws/alerts"))
                    .onSuccess(ws -> read(vertx, ws, group, isSlow)).onComplete(opened));
            connecting.add(opened.future());
            if (connecting.size() % 500 == 0) {
                Future.join(connecting.subList(connecting.size() - 500, connecting.size())).await(60, TimeUnit.SECONDS);
            }
        }
        Future.join(connecting).await(120, TimeUnit.SECONDS);
        long failed = connecting.stream().filter(Future::failed).count();
        System.out.printf(Locale.ROOT, "%d clients connected in %.1f s (%d slow, %d failed); warming up %d s%n",
                count - failed, (System.nanoTime() - c0) / 1e9, slow.size, failed, warmup);
        Thread.sleep(warmup * 1000L); // lets the rate settle before measuring
        long[] before = {normal.alerts.sum(), normal.frames.sum(), slow.alerts.sum(), slow.frames.sum(),
                normal.dropped.sum(), slow.dropped.sum()};
        normal.latency.reset();
        slow.latency.reset();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L); // the measured interval
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Histogram n = normal.latency.getIntervalHistogram();
        Histogram s = slow.latency.getIntervalHistogram();
        System.out.printf(Locale.ROOT, "%d s measured, %d clients (%d reading slowly)%n", seconds, count - failed,
                slow.size);
        report("all but the slow", normal, n, normal.alerts.sum() - before[0], normal.frames.sum() - before[1],
                normal.dropped.sum() - before[4], elapsed);
        if (slow.size > 0) {
            report("slow", slow, s, slow.alerts.sum() - before[2], slow.frames.sum() - before[3],
                    slow.dropped.sum() - before[5], elapsed);
        }
        System.exit(0);
    }

    private static void report(String name, Group group, Histogram latency, long alerts, long frames, long dropped,
                               double elapsed) {
        System.out.printf(Locale.ROOT, "  %s (%d clients): %.0f alerts/s and %.0f frames/s delivered, %.0f alerts/s "
                        + "dropped; latency p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms; %d closed, %d seq errors%n",
                name, group.size, alerts / elapsed, frames / elapsed, dropped / elapsed,
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0, group.closed.get(),
                group.seqErrors.sum());
    }

    /** Counts a client's frames and the latency of its alerts, reading the text without a JSON parser. */
    private static void read(Vertx vertx, WebSocket ws, Group group, boolean slow) {
        long[] lastSeq = {0};
        ws.textMessageHandler(text -> {
            Instant now = Instant.now();
            long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
            long seq = number(text, text.indexOf("\"seq\":") + 6);
            if (seq != lastSeq[0] + 1) {
                group.seqErrors.increment();
            }
            lastSeq[0] = seq;
            if (text.startsWith("{\"type\":\"alerts\"")) {
                group.frames.increment();
                int alerts = 0;
                for (int at = text.indexOf("\"ts\":"); at >= 0; at = text.indexOf("\"ts\":", at + 5)) {
                    group.latency.recordValue(Math.max(0, nowMicros - number(text, at + 5)));
                    alerts++;
                }
                group.alerts.add(alerts);
            } else if (text.startsWith("{\"type\":\"dropped\"")) {
                group.dropped.add(number(text, text.indexOf("\"count\":") + 8));
            }
        });
        ws.closeHandler(v -> group.closed.incrementAndGet());
        if (slow) {
            long phase = ThreadLocalRandom.current().nextLong(2000);
            vertx.setTimer(1 + phase, first -> {
                ws.pause();
                vertx.setPeriodic(2000, id -> {
                    ws.resume();
                    vertx.setTimer(100, t -> ws.pause());
                });
            });
        }
    }

    private static long number(String text, int from) {
        long value = 0;
        for (int i = from; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            value = value * 10 + text.charAt(i) - '0';
        }
        return value;
    }
}
