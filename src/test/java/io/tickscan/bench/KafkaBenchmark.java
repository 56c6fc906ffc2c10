package io.tickscan.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.tickscan.ingest.KafkaSourceVerticle;
import io.tickscan.node.TestNodes;
import io.tickscan.node.TickscanNode;
import io.tickscan.testdata.KafkaBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Ticks/s from Kafka to scanner state on one node, with the broker on the same machine: a one-node KRaft broker in a
 * child JVM ({@link KafkaBroker}, so that its CPU time is counted apart), {@code ticks} ticks pre-produced per format
 * (JSON and binary, each its own topic of {@code partitions} partitions, keyed by symbol, {@code symbols} symbols
 * with random-walk prices), then, round after round and alternating the formats, one standalone node in this JVM
 * (simulator off, {@code sources.kafka} on, a new group that starts at the earliest offset, the 100 mixed rules of
 * {@link BenchRules}) reads the whole topic. The rate runs from the first tick applied by a scanner
 * ({@code tick_processed} above 0) until {@code tick_processed} reaches {@code ticks}; over the same window the
 * broker's CPU time (from {@code /proc}), this JVM's (the node's), the busiest threads', the machine's and the time
 * spent waiting for a core are reported. Besides the rates, each run reports the CPU time per tick of the node JVM
 * and of the broker, which depends less than the rate on what else the machine runs at the time. See
 * {@code docs/kafka-benchmark.md}.
 *
 * <p>Timestamps: the ticks of a topic are stamped within one second ({@code base}, second 1 of a minute, to
 * {@code base + 999} ms, increasing with the offset), and each node runs on a clock set back so that it starts at
 * {@code base}: the node sees ticks stamped up to a few seconds before its clock, as from a live feed, none more
 * than 2 s ahead of it ({@code future}) nor in a minute before its latest scan ({@code late}), however long ago they
 * were produced. The run fails loudly if any tick is rejected, and if it takes more than 300 s.
 *
 * <p>Usage: {@code KafkaBenchmark [ticks per format, default 5,000,000] [rounds, default 3] [symbols, default
 * 10,000] [topic partitions, default 6] [formats, default json,binary] [consumer properties, k=v,k=v, passed as
 * sources.kafka.properties] [node configuration merged over the benchmark's, JSON, such as
 * {"routing":{"flush_ms":20}}] [warm-up rounds, default 1: the same runs first, shown as round 0 and below and left
 * out of the medians, so that the medians are of a node whose code the JIT has compiled]}.
 */
public final class KafkaBenchmark {
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(300);

    private KafkaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int ticks = args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 5_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int symbols = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        List<String> formats = List.of(args.length > 4 ? args[4].split(",") : new String[] {"json", "binary"});
        JsonObject consumer = new JsonObject();
        if (args.length > 5 && !args[5].isBlank()) {
            for (String kv : args[5].split(",")) {
                String[] p = kv.split("=", 2);
                consumer.put(p[0], p[1]);
            }
        }
        JsonObject overrides = args.length > 6 && !args[6].isBlank() ? new JsonObject(args[6]) : new JsonObject();
        int warmups = args.length > 7 ? Integer.parseInt(args[7]) : 1;
        Path dir = Files.createTempDirectory("tickscan-kafka-bench");
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("tickscan.alerts"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.kafka"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        System.out.printf(Locale.ROOT, "JDK %s (%s), %d cores, %s%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(), cpuModel());
        System.out.printf(Locale.ROOT, "%,d ticks per format, %,d symbols, %d partitions, %d rounds of %s, "
                + "consumer properties %s, node configuration over the defaults %s; %d warm-up rounds first "
                + "(not in the medians)%n", ticks, symbols, partitions, rounds, formats, consumer.encode(),
                overrides.encode(), warmups);
        try (KafkaBroker broker = KafkaBroker.start(Files.createDirectories(dir.resolve("broker")),
                KafkaBroker.SERVER_JVM, Map.of())) {
            run(broker, dir, ticks, rounds, symbols, partitions, formats, consumer, overrides, warmups);
        } finally {
            deleteTree(dir); // the topics take about 0.5 GB
        }
    }

    private static void run(KafkaBroker broker, Path dir, int ticks, int rounds, int symbols, int partitions,
                            List<String> formats, JsonObject consumer, JsonObject overrides, int warmups)
            throws Exception {
        System.out.printf(Locale.ROOT, "broker: child JVM pid %d at %s (%s)%n", broker.pid(), broker.bootstrap(),
                String.join(" ", KafkaBroker.SERVER_JVM));
        Map<String, Long> bases = new HashMap<>();
        for (String format : formats) {
            broker.createTopic("ticks-" + format, partitions);
            long started = System.nanoTime();
            long base = produce(broker.bootstrap(), "ticks-" + format, format, ticks, symbols);
            bases.put(format, base);
            System.out.printf(Locale.ROOT, "produced %,d %s ticks in %.1f s%n", ticks, format,
                    (System.nanoTime() - started) / 1e9);
        }
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        for (int round = 1 - warmups; round <= rounds; round++) {
            for (String format : formats) {
                Run run = consume(dir, broker, format, round, ticks, bases.get(format), consumer, overrides);
                if (round > 0) {
                    runs.computeIfAbsent(format, f -> new ArrayList<>()).add(run);
                }
                System.out.println(run.describe(format, round));
            }
        }
        System.out.println();
        System.out.println("medians (" + rounds + " rounds):");
        runs.forEach((format, list) -> System.out.printf(Locale.ROOT,
                "  %-6s %,9.0f ticks/s (10-90%%: %,9.0f); broker %.2f CPU s = %4.1f%% of the cores; "
                        + "node JVM %4.1f%%; machine busy %4.1f%%; CPU per tick: node %.2f us, broker %.2f us; "
                        + "all rounds: %s%n",
                format, median(list, r -> r.rate), median(list, r -> r.steadyRate),
                median(list, r -> r.brokerCpuS), median(list, r -> r.brokerShare * 100),
                median(list, r -> r.nodeShare * 100), median(list, r -> r.machineShare * 100),
                median(list, r -> r.nodeUsPerTick), median(list, r -> r.brokerUsPerTick),
                list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r.rate)).toList()));
    }

    /**
     * Produces {@code count} ticks stamped from the returned base (second 1 of a minute) up to 999 ms later,
     * increasing with the offset.
     */
    private static long produce(String bootstrap, String topic, String format, int count, int symbols)
            throws Exception {
        // one second early in a minute, so that a run has most of a minute before its ticks' bar is complete
        long base = System.currentTimeMillis() / 60_000 * 60_000 + 1_000;
        SplittableRandom random = new SplittableRandom(42);
        String[] names = new String[symbols];
        byte[][] keys = new byte[symbols][];
        double[] prices = new double[symbols];
        for (int s = 0; s < symbols; s++) {
            names[s] = symbolName(s);
            keys[s] = names[s].getBytes(StandardCharsets.UTF_8);
            prices[s] = Math.round((5 + random.nextDouble() * 495) * 100) / 100.0;
        }
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "1", "linger.ms", "20",
                "batch.size", "262144", "buffer.memory", "134217728", "enable.idempotence", "false",
                "compression.type", "none");
        boolean json = format.equals("json");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                int s = random.nextInt(symbols);
                double step = prices[s] * 0.0005 * (random.nextDouble() * 2 - 1);
                prices[s] = Math.max(0.01, Math.round((prices[s] + step) * 100) / 100.0);
                long ts = base + (long) i * 1000 / count;
                int size = 1 + random.nextInt(1000);
                byte[] value;
                if (json) {
                    value = ("{\"symbol\":\"" + names[s] + "\",\"ts\":" + ts + ",\"price\":" + prices[s]
                            + ",\"size\":" + size + "}").getBytes(StandardCharsets.UTF_8);
                } else {
                    value = ByteBuffer.allocate(24).putLong(ts).putDouble(prices[s]).putDouble(size).array();
                }
                producer.send(new ProducerRecord<>(topic, keys[s], value));
            }
            producer.flush();
        }
        return base;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Four capital letters from the symbol's index: AAAA, AAAB, ... */
    private static String symbolName(int s) {
        char[] c = new char[4];
        for (int k = 3; k >= 0; k--) {
            c[k] = (char) ('A' + s % 26);
            s /= 26;
        }
        return new String(c);
    }

    private static Run consume(Path dir, KafkaBroker broker, String format, int round, int ticks, long base,
                               JsonObject consumer, JsonObject overrides) throws Exception {
        Path home = Files.createDirectories(dir.resolve(format + "-" + round));
        Path rules = home.resolve("rules.json");
        Files.writeString(rules, new JsonArray(BenchRules.mixed(100, 60)).encode());
        JsonObject conf = new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
        conf.getJsonObject("cluster").put("enabled", false);
        conf.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
        conf.getJsonObject("rules").put("file", rules.toString());
        JsonObject sources = conf.getJsonObject("sources");
        sources.getJsonObject("simulator").put("enabled", false);
        sources.getJsonObject("kafka").put("enabled", true).put("bootstrap_servers", broker.bootstrap())
                .put("topic", "ticks-" + format).put("group_id", "bench-" + format + "-" + round)
                .put("format", format).put("properties", consumer.copy());
        conf.mergeIn(overrides.copy(), true);
        NodeConfig config = TestNodes.config(home, "tickscan.json", conf);
        // the node's clock starts at the ticks' base: see the class comment
        long offset = System.currentTimeMillis() - base;
        LongSupplier clock = () -> System.currentTimeMillis() - offset;
        TickscanNode node = new TickscanNode(config, clock);
        node.start().await(300, TimeUnit.SECONDS);
        try {
            MeterRegistry registry = node.registry();
            TestNodes.await("the kafka source joins its group", 120, () -> {
                Object health = node.vertx().sharedData().getLocalMap(Addresses.HEALTH_MAP)
                        .get(KafkaSourceVerticle.HEALTH);
                return health instanceof JsonObject h && h.getBoolean("ok");
            });
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long deadline = System.nanoTime() + TIMEOUT_NS;
            double processed;
            while ((processed = count(registry, "tick_processed")) == 0) {
                check(deadline, registry, format);
                Thread.sleep(1);
            }
            long t0 = System.nanoTime();
            double n0 = processed;
            long broker0 = broker.cpuNanos();
            long node0 = os.getProcessCpuTime();
            long[] machine0 = machineTicks();
            long nodeWait0 = runQueueWait(ProcessHandle.current().pid());
            long brokerWait0 = runQueueWait(broker.pid());
            Map<String, Long> threads0 = threadCpu(threads);
            long gc0 = gcMillis();
            long t10 = 0;
            long t90 = 0;
            while ((processed = count(registry, "tick_processed")) < ticks) {
                if (t10 == 0 && processed >= ticks * 0.1) {
                    t10 = System.nanoTime();
                }
                if (t90 == 0 && processed >= ticks * 0.9) {
                    t90 = System.nanoTime();
                }
                check(deadline, registry, format);
                Thread.sleep(2);
            }
            long t1 = System.nanoTime();
            long broker1 = broker.cpuNanos();
            long node1 = os.getProcessCpuTime();
            long[] machine1 = machineTicks();
            long nodeWait1 = runQueueWait(ProcessHandle.current().pid());
            long brokerWait1 = runQueueWait(broker.pid());
            Map<String, Long> threads1 = threadCpu(threads);
            long gc1 = gcMillis();
            double elapsed = (t1 - t0) / 1e9;
            int cores = Runtime.getRuntime().availableProcessors();
            Run run = new Run();
            run.rate = (ticks - n0) / elapsed;
            run.steadyRate = t90 > t10 && t10 > 0 ? ticks * 0.8 / ((t90 - t10) / 1e9) : Double.NaN;
            run.seconds = elapsed;
            run.brokerCpuS = (broker1 - broker0) / 1e9;
            run.brokerShare = run.brokerCpuS / (elapsed * cores);
            run.nodeShare = (node1 - node0) / 1e9 / (elapsed * cores);
            long busy = machine1[0] - machine0[0];
            long total = machine1[1] - machine0[1];
            run.machineShare = total > 0 ? (double) busy / total : Double.NaN;
            run.gcMs = gc1 - gc0;
            run.nodeUsPerTick = (node1 - node0) / 1e3 / (ticks - n0);
            run.nodeWaitPerCpu = (double) (nodeWait1 - nodeWait0) / (node1 - node0);
            run.brokerWaitPerCpu = (double) (brokerWait1 - brokerWait0) / (broker1 - broker0);
            run.brokerUsPerTick = (broker1 - broker0) / 1e3 / (ticks - n0);
            run.rejected = rejected(registry);
            TreeMap<Double, String> busiest = new TreeMap<>();
            threads1.forEach((name, cpu) -> {
                double share = (cpu - threads0.getOrDefault(name, 0L)) / 1e9 / elapsed;
                if (share >= 0.03) {
                    busiest.put(-share - 1e-9 * busiest.size(), name);
                }
            });
            StringBuilder top = new StringBuilder();
            busiest.forEach((share, name) -> top.append(String.format(Locale.ROOT, "%s %.0f%%, ", name, -share * 100)));
            run.threads = top.length() > 0 ? top.substring(0, top.length() - 2) : "";
            return run;
        } finally {
            node.stop().await(60, TimeUnit.SECONDS);
        }
    }

    /** Fails the run when ticks were rejected (they would never reach tick_processed) or it takes too long. */
    private static void check(long deadline, MeterRegistry registry, String format) {
        String rejected = rejected(registry);
        if (!rejected.isEmpty()) {
            throw new IllegalStateException(format + ": ticks rejected: " + rejected);
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(format + ": not done within 300 s; tick_processed "
                    + count(registry, "tick_processed"));
        }
    }

    private static String rejected(MeterRegistry registry) {
        StringBuilder out = new StringBuilder();
        for (Counter c : registry.find("ticks_rejected").counters()) {
            if (c.count() > 0) {
                out.append(c.getId().getTags()).append('=').append((long) c.count()).append(' ');
            }
        }
        return out.toString().trim();
    }

    private static double count(MeterRegistry registry, String name) {
        Collection<Counter> counters = registry.find(name).counters();
        double sum = 0;
        for (Counter c : counters) {
            sum += c.count();
        }
        return sum;
    }

    /** CPU time of every live thread by name (threads of one name added up), ns. */
    private static Map<String, Long> threadCpu(ThreadMXBean threads) {
        Map<String, Long> out = new HashMap<>();
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (infos[i] != null && cpu > 0) {
                out.merge(infos[i].getThreadName(), cpu, Long::sum);
            }
        }
        return out;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /**
     * Time the threads of process {@code pid} spent runnable but waiting for a core, ns, added up over its threads
     * alive now ({@code /proc/<pid>/task/<tid>/schedstat}, second field); 0 where the kernel does not report it.
     */
    private static long runQueueWait(long pid) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String[] f = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
                    sum += Long.parseLong(f[1]);
                } catch (Exception e) {
                    // the thread ended meanwhile
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return sum;
    }

    /** The machine's busy and total jiffies from the first line of /proc/stat (all cores). */
    private static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (Exception e) {
            return new long[] {0, 0};
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> value) {
        double[] v = runs.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static final class Run {
        double rate;
        double steadyRate;
        double seconds;
        double brokerCpuS;
        double brokerShare;
        double nodeShare;
        double machineShare;
        long gcMs;
        double nodeUsPerTick;
        double brokerUsPerTick;
        double nodeWaitPerCpu;
        double brokerWaitPerCpu;
        String rejected;
        String threads;

        String describe(String format, int round) {
            return String.format(Locale.ROOT, "round %d %-6s %,9.0f ticks/s (10-90%%: %,9.0f) over %.1f s; broker "
                            + "%.2f CPU s = %4.1f%% of the cores; node JVM %4.1f%%; others %4.1f%% (machine busy "
                            + "%4.1f%%); CPU per tick: node %.2f us, broker %.2f us; GC pauses %d ms;%s"
                            + "%n    runnable but waiting for a core, per CPU second: node %.2f s, broker %.2f s"
                            + "%n    threads (share of one core): %s",
                    round, format, rate, steadyRate, seconds, brokerCpuS, brokerShare * 100, nodeShare * 100,
                    Math.max(0, machineShare - nodeShare - brokerShare) * 100, machineShare * 100, nodeUsPerTick,
                    brokerUsPerTick, gcMs, rejected.isEmpty() ? "" : " rejected " + rejected, nodeWaitPerCpu,
                    brokerWaitPerCpu, threads);
        }
    }
}
