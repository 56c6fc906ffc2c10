package io.tickscan.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The throughput of three clustered nodes on this machine next to one node alone: the fat jar
 * ({@code target/tickscan.jar}, built beforehand with {@code mvn -B -o -DskipTests package}; nothing is built here)
 * run as child JVMs, each node with its own simulator as fast as it goes over the same 10,000 symbols, the default
 * routing batching and 100 rules of mixed shape ({@link BenchRules}, alert logging off). Rounds alternate: one node
 * alone (a Hazelcast member of a cluster of its own by default, so that the only difference is the other members),
 * then three nodes joined into one cluster on 127.0.0.1 (a random cluster name and ports), and again, so that a
 * noisy machine weighs on both alike.
 *
 * <p>After the warm-up, every node's {@code /api/status} is read once a second for the sampling window, and each
 * round reports the medians over it: ticks applied per second cluster-wide (the sum of the nodes'
 * {@code ticks_applied_per_second}) and per node, each node's simulator rate, the share of ticks that crossed the
 * event bus to another member, and the scan time. The share is estimated, not counted: a node's ticks spread evenly
 * over the partitions (10,000 symbols hashed over 256), so the ones it does not own ({@code partitions_owned}) take
 * that share of its ticks to other members. The scan time of a second is the mean of the scans that ended in it,
 * from the difference of two readings of each scanner's scan count and mean. What went wrong during the window
 * (ticks dropped or rejected, scans skipped or failed, ticks that arrived after the scan of their second or beyond
 * {@code scanner.hold_ticks}) comes from the difference of two readings of {@code /metrics}, and the WARN and ERROR
 * lines of each child are counted. A markdown table of every round ends the output. Every child is stopped at the
 * end (SIGTERM, then SIGKILL after 30 s), also on failure; their output is in
 * {@code target/cluster-throughput/<run>/}.
 *
 * <p>Usage: {@code bench/run io.tickscan.bench.ClusterThroughputBenchmark [warm-up seconds, default 20]
 * [sampling seconds, default 30] [pairs of rounds, default 2] [single node: clustered (default) | standalone]}.
 */
public final class ClusterThroughputBenchmark {
    private static final Path JAR = Path.of("target/tickscan.jar");
    private static final int SYMBOLS = 10_000;
    private static final int RULES = 100;
    /** Asked of each simulator: far more than a node takes, so each node's own limit sets the pace. */
    private static final int SIMULATOR_TICKS_PER_SECOND = 50_000_000;
    /** The default {@code partitions} of conf/tickscan.json. */
    private static final int PARTITIONS = 256;
    private static final int CLUSTER_SIZE = 3;
    private static final int START_TIMEOUT_SECONDS = 240;
    private static final int STOP_TIMEOUT_SECONDS = 30;
    /** Hazelcast's {@code port-count} in conf/cluster.xml: a member may take any of these ports from the first. */
    private static final int CLUSTER_PORT_RANGE = 20;
    /**
     * Counters of /metrics whose growth during the window is reported (none grows in a healthy run). The simulators'
     * {@code ticks_throttled_total} is left out: asked for 50 million ticks a second, they always hold most back.
     */
    private static final List<String> TROUBLE_COUNTERS = List.of("ticks_dropped_total",
            "ticks_rejected_total", "scans_skipped_total", "ticks_after_scan_total", "ticks_hold_overflow_total",
            "batch_failures_total", "scan_failures_total");
    private static final Pattern LOG_TROUBLE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) +(WARN|ERROR) ");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> children = new ArrayList<>();
    private final Path runDir;
    private final Path confFile;
    private final Path logbackFile;
    private final int warmUpSeconds;
    private final int samplingSeconds;
    private final boolean singleClustered;

    private ClusterThroughputBenchmark(Path runDir, int warmUpSeconds, int samplingSeconds, boolean singleClustered)
            throws IOException {
        this.runDir = runDir;
        this.warmUpSeconds = warmUpSeconds;
        this.samplingSeconds = samplingSeconds;
        this.singleClustered = singleClustered;
        Path rules = runDir.resolve("rules.json");
        Files.writeString(rules, new JsonArray(BenchRules.mixed(RULES)).encodePrettily());
        JsonObject conf = new JsonObject()
                .put("http", new JsonObject().put("host", "127.0.0.1"))
                .put("rules", new JsonObject().put("file", rules.toAbsolutePath().toString()))
                .put("sources", new JsonObject().put("simulator", new JsonObject().put("symbols", SYMBOLS)
                        .put("ticks_per_second", SIMULATOR_TICKS_PER_SECOND)));
        confFile = runDir.resolve("node.json");
        Files.writeString(confFile, conf.encodePrettily());
        // the jar's logging (conf/logback.xml) with alerts at WARN: thousands of alert lines a second would be
        // measured too
        String alertsAtInfo = "<logger name=\"tickscan.alerts\" level=\"INFO\"/>";
        String logging = Files.readString(Path.of("conf/logback.xml"));
        if (!logging.contains(alertsAtInfo)) {
            throw new IllegalStateException("conf/logback.xml no longer has " + alertsAtInfo
                    + ": alerts would be logged");
        }
        logbackFile = runDir.resolve("logback.xml");
        Files.writeString(logbackFile, logging.replace(alertsAtInfo, alertsAtInfo.replace("INFO", "WARN")));
    }

    public static void main(String[] args) throws Exception {
        int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int sampling = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String single = args.length > 3 ? args[3] : "clustered";
        if (!single.equals("clustered") && !single.equals("standalone")) {
            throw new IllegalArgumentException("the single node is clustered or standalone, found " + single);
        }
        if (!Files.isRegularFile(JAR)) {
            System.err.println(JAR + " is missing: build it first with mvn -B -o -DskipTests package");
            System.exit(2);
        }
        Path runDir = Path.of("target/cluster-throughput",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
        ClusterThroughputBenchmark bench = new ClusterThroughputBenchmark(runDir, warmUp, sampling,
                single.equals("clustered"));
        Runtime.getRuntime().addShutdownHook(new Thread(bench::killChildren));
        System.out.printf(Locale.ROOT, "%d pairs of rounds, %d s warm-up, %d s sampled; child output in %s%n",
                pairs, warmUp, sampling, runDir);
        List<Round> rounds = new ArrayList<>();
        try {
            for (int pair = 1; pair <= pairs; pair++) {
                rounds.add(bench.run(rounds.size() + 1, 1));
                rounds.add(bench.run(rounds.size() + 1, CLUSTER_SIZE));
            }
        } finally {
            bench.stopChildren();
            System.out.println();
            System.out.println(table(rounds, single));
        }
    }

    /** One round: {@code nodes} children started, warmed up, sampled, stopped. */
    private Round run(int number, int nodes) throws Exception {
        String clusterName = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        int clusterPort = freePortRange(CLUSTER_PORT_RANGE);
        boolean clustered = nodes > 1 || singleClustered;
        List<Node> round = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            round.add(start(String.format(Locale.ROOT, "r%d-n%d", number, i), clusterName, clusterPort, clustered));
        }
        System.out.printf(Locale.ROOT, "round %d: %d node(s)%s, starting%n", number, nodes,
                clustered ? " in cluster " + clusterName : ", not clustered");
        try {
            awaitOwnership(round, clustered);
            System.out.printf(Locale.ROOT, "round %d: ready, warming up %d s%n", number, warmUpSeconds);
            Thread.sleep(warmUpSeconds * 1000L);
            LocalTime windowStart = LocalTime.now();
            List<Map<String, Double>> countersBefore = readCounters(round);
            List<List<JsonObject>> samples = sample(round);
            List<Map<String, Double>> countersAfter = readCounters(round);
            LocalTime windowEnd = LocalTime.now();
            Round result = Round.of(number, nodes, samples, countersBefore, countersAfter);
            System.out.println(result.summary());
            for (Node node : round) {
                reportLogTrouble(node, windowStart, windowEnd);
            }
            return result;
        } finally {
            for (Node node : round) {
                stop(node.process());
            }
        }
    }

    private Node start(String id, String clusterName, int clusterPort, boolean clustered) throws IOException {
        int httpPort = freePortRange(1);
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Dlogback.configurationFile=" + logbackFile.toAbsolutePath(), "-jar",
                JAR.toAbsolutePath().toString(), "run", "--conf", confFile.toAbsolutePath().toString())
                .redirectOutput(runDir.resolve(id + ".out").toFile())
                .redirectError(runDir.resolve(id + ".err").toFile());
        Map<String, String> env = builder.environment();
        env.put("TICKSCAN_NODE_ID", id);
        env.put("TICKSCAN_HTTP_PORT", String.valueOf(httpPort));
        env.put("TICKSCAN_CLUSTER_ENABLED", String.valueOf(clustered));
        env.put("TICKSCAN_CLUSTER_NAME", clusterName);
        env.put("TICKSCAN_CLUSTER_PORT", String.valueOf(clusterPort));
        Process process = builder.start();
        synchronized (children) {
            children.add(process);
        }
        return new Node(id, httpPort, process);
    }

    /**
     * Waits until every node is ready and, clustered, sees every member and owns a share of the partitions, all of
     * them owned in all.
     */
    private void awaitOwnership(List<Node> nodes, boolean clustered) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (true) {
            boolean settled = true;
            int owned = 0;
            for (Node node : nodes) {
                if (!node.process().isAlive()) {
                    throw new IllegalStateException(node.id() + " ended with exit code "
                            + node.process().exitValue() + "; see " + runDir.resolve(node.id() + ".out"));
                }
                JsonObject status = status(node);
                if (status == null || !status.getBoolean("ready", false)) {
                    settled = false;
                    continue;
                }
                if (clustered) {
                    int own = status.getInteger("partitions_owned", 0);
                    settled &= status.getJsonArray("members").size() == nodes.size() && own > 0;
                    owned += own;
                }
            }
            if (settled && (!clustered || owned == PARTITIONS)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the nodes did not settle within " + START_TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(500);
        }
    }

    /** Every node's status once a second for the sampling window, in step; a status not answered is null. */
    private List<List<JsonObject>> sample(List<Node> nodes) throws InterruptedException {
        List<List<JsonObject>> samples = new ArrayList<>();
        long start = System.nanoTime();
        for (int second = 0; second <= samplingSeconds; second++) {
            long due = start + TimeUnit.SECONDS.toNanos(second);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            List<CompletableFuture<JsonObject>> replies = nodes.stream().map(this::statusAsync).toList();
            samples.add(replies.stream().map(CompletableFuture::join).toList());
        }
        return samples;
    }

    private JsonObject status(Node node) {
        return statusAsync(node).join();
    }

    private CompletableFuture<JsonObject> statusAsync(Node node) {
        return http.sendAsync(HttpRequest.newBuilder(node.uri("/api/status")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(reply -> reply.statusCode() == 200 ? new JsonObject(reply.body()) : null)
                .exceptionally(failure -> null);
    }

    /** Each node's {@link #TROUBLE_COUNTERS} by sample name and labels, from /metrics. */
    private List<Map<String, Double>> readCounters(List<Node> nodes) throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (Node node : nodes) {
            String text = http.send(HttpRequest.newBuilder(node.uri("/metrics")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> counters = new TreeMap<>();
            Matcher sample = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*\\})? (\\S+)$").matcher(text);
            while (sample.find()) {
                if (TROUBLE_COUNTERS.contains(sample.group(1))) {
                    String labels = sample.group(2) == null ? "" : sample.group(2);
                    counters.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)));
                }
            }
            all.add(counters);
        }
        return all;
    }

    /**
     * Prints how many WARN and ERROR lines a child has written so far, how many of them during the sampling window,
     * and the first of those (or the first of all).
     */
    private void reportLogTrouble(Node node, LocalTime windowStart, LocalTime windowEnd) throws IOException {
        List<String> trouble = new ArrayList<>();
        List<String> inWindow = new ArrayList<>();
        for (String suffix : List.of(".out", ".err")) {
            for (String line : Files.readAllLines(runDir.resolve(node.id() + suffix))) {
                Matcher matcher = LOG_TROUBLE.matcher(line);
                if (matcher.find()) {
                    trouble.add(line);
                    LocalTime at = LocalTime.parse(matcher.group(1));
                    if (!at.isBefore(windowStart) && !at.isAfter(windowEnd)) {
                        inWindow.add(line);
                    }
                }
            }
        }
        if (!trouble.isEmpty()) {
            System.out.printf(Locale.ROOT, "  %s: %d WARN/ERROR lines, %d of them while sampled; the first%s: %s%n",
                    node.id(), trouble.size(), inWindow.size(), inWindow.isEmpty() ? "" : " sampled",
                    inWindow.isEmpty() ? trouble.get(0) : inWindow.get(0));
        }
    }

    /** SIGTERM, then SIGKILL if the node has not stopped within {@link #STOP_TIMEOUT_SECONDS}. */
    private void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            System.out.println("  a node did not stop within " + STOP_TIMEOUT_SECONDS + " s: killed");
            process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void stopChildren() throws InterruptedException {
        List<Process> live;
        synchronized (children) {
            live = children.stream().filter(Process::isAlive).toList();
        }
        for (Process process : live) {
            stop(process);
        }
    }

    /** On the way out of the JVM (Ctrl-C included): no child outlives the benchmark. */
    private void killChildren() {
        synchronized (children) {
            children.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
        }
    }

    /** The first of {@code count} consecutive ports free on 127.0.0.1, from a random place above 20000. */
    private static int freePortRange(int count) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = 20_000 + ThreadLocalRandom.current().nextInt(40_000);
            boolean free = true;
            for (int port = first; port < first + count && free; port++) {
                try (ServerSocket probe = new ServerSocket(port, 1, loopback)) {
                    probe.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports found");
    }

    private static String table(List<Round> rounds, String single) {
        StringBuilder out = new StringBuilder();
        out.append("| round | nodes | ticks applied/s, all nodes | per node | simulator ticks/s per node "
                + "| crossed the bus (est.) | scan ms, median (max) | counters that grew while sampled |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        for (Round round : rounds) {
            out.append(round.row(round.nodes() == 1 ? "1 (" + single + ")" : String.valueOf(round.nodes())))
                    .append('\n');
        }
        double singles = median(rounds.stream().filter(r -> r.nodes() == 1).mapToDouble(Round::applied).toArray());
        double clusters = median(rounds.stream().filter(r -> r.nodes() > 1).mapToDouble(Round::applied).toArray());
        out.append(String.format(Locale.ROOT, "%nmedian of the rounds: one node %,.0f ticks/s, %d nodes %,.0f "
                + "ticks/s cluster-wide (%.2f times)", singles, CLUSTER_SIZE, clusters, clusters / singles));
        return out.toString();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private record Node(String id, int httpPort, Process process) {
        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + httpPort + path);
        }
    }

    /**
     * A round's medians over its sampling window.
     *
     * @param applied      ticks applied per second, all nodes together
     * @param eachSecond   ticks applied in each second of the window, all nodes together (seconds when a node did
     *                     not answer are left out)
     * @param appliedEach  ticks applied per second, each node
     * @param sourceEach   ticks per second routed by each node's sources
     * @param crossedShare estimated share of the routed ticks sent to a partition of another member
     * @param scanMedianMs median over the window of each scanner instance's mean scan time in a second
     * @param scanMaxMs    the largest of those
     * @param trouble      the growth of every counter of {@link #TROUBLE_COUNTERS} that grew during the window,
     *                     all nodes together
     * @param missed       statuses that did not answer within 2 s
     */
    private record Round(int number, int nodes, double applied, List<Double> eachSecond, double[] appliedEach, double[] sourceEach,
                         double crossedShare, double scanMedianMs, double scanMaxMs,
                         Map<String, Double> trouble, int missed) {

        static Round of(int number, int nodes, List<List<JsonObject>> samples, List<Map<String, Double>> before,
                        List<Map<String, Double>> after) {
            List<Double> total = new ArrayList<>();
            List<List<Double>> appliedEach = new ArrayList<>();
            List<List<Double>> sourceEach = new ArrayList<>();
            List<Double> crossed = new ArrayList<>();
            List<Double> scanMs = new ArrayList<>();
            int missed = 0;
            for (int n = 0; n < nodes; n++) {
                appliedEach.add(new ArrayList<>());
                sourceEach.add(new ArrayList<>());
            }
            for (int s = 1; s < samples.size(); s++) {
                double sum = 0;
                double routed = 0;
                double routedAway = 0;
                boolean whole = true;
                for (int n = 0; n < nodes; n++) {
                    JsonObject status = samples.get(s).get(n);
                    if (status == null) {
                        missed++;
                        whole = false;
                        continue;
                    }
                    double applied = status.getDouble("ticks_applied_per_second");
                    double source = status.getJsonObject("sources").stream()
                            .mapToDouble(e -> ((JsonObject) e.getValue()).getDouble("ticks_per_second")).sum();
                    sum += applied;
                    routed += source;
                    routedAway += source * (1 - status.getInteger("partitions_owned", PARTITIONS)
                            / (double) PARTITIONS);
                    appliedEach.get(n).add(applied);
                    sourceEach.get(n).add(source);
                    scanMs.addAll(scanTimes(samples.get(s - 1).get(n), status));
                }
                if (whole) {
                    total.add(sum);
                    crossed.add(routed == 0 ? 0 : routedAway / routed);
                }
            }
            Map<String, Double> trouble = new TreeMap<>();
            for (int n = 0; n < nodes; n++) {
                Map<String, Double> earlier = before.get(n);
                for (var counter : after.get(n).entrySet()) {
                    double grew = counter.getValue() - earlier.getOrDefault(counter.getKey(), 0.0);
                    if (grew > 0) {
                        trouble.merge(counter.getKey(), grew, Double::sum);
                    }
                }
            }
            return new Round(number, nodes, medianOf(total), total,
                    appliedEach.stream().mapToDouble(Round::medianOf).toArray(),
                    sourceEach.stream().mapToDouble(Round::medianOf).toArray(),
                    medianOf(crossed), medianOf(scanMs),
                    scanMs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), trouble,
                    missed);
        }

        private static double medianOf(List<Double> values) {
            return ClusterThroughputBenchmark.median(values.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /**
         * The mean time of the scans each scanner instance ran between two statuses of a node: the growth of its
         * total scan time (scans times mean) over the growth of its scans.
         */
        private static List<Double> scanTimes(JsonObject earlier, JsonObject later) {
            List<Double> times = new ArrayList<>();
            if (earlier == null) {
                return times;
            }
            Map<String, JsonObject> earlierByInstance = new HashMap<>();
            earlier.getJsonArray("scan").forEach(s -> earlierByInstance.put(((JsonObject) s).getString("instance"),
                    (JsonObject) s));
            for (Object entry : later.getJsonArray("scan")) {
                JsonObject now = (JsonObject) entry;
                JsonObject then = earlierByInstance.get(now.getString("instance"));
                if (then != null && now.getLong("scans") > then.getLong("scans")) {
                    double totalMs = now.getLong("scans") * now.getDouble("mean_ms")
                            - then.getLong("scans") * then.getDouble("mean_ms");
                    times.add(totalMs / (now.getLong("scans") - then.getLong("scans")));
                }
            }
            return times;
        }

        String summary() {
            return String.format(Locale.ROOT, "round %d: %d node(s): %,.0f ticks applied/s in all; per node %s; "
                            + "simulators %s; crossed the bus (est.) %.0f %%; scan %.1f ms median, %.1f max%s%s%n"
                            + "  ticks applied each second, all nodes: %s",
                    number, nodes, applied, rates(appliedEach), rates(sourceEach), 100 * crossedShare, scanMedianMs,
                    scanMaxMs, trouble.isEmpty() ? "" : "; " + troubleText(),
                    missed == 0 ? "" : "; " + missed + " statuses unanswered",
                    rates(eachSecond.stream().mapToDouble(Double::doubleValue).toArray()));
        }

        String row(String nodesLabel) {
            return String.format(Locale.ROOT, "| %d | %s | %,.0f | %s | %s | %.0f %% | %.1f (%.1f) | %s |",
                    number, nodesLabel, applied, rates(appliedEach), rates(sourceEach), 100 * crossedShare,
                    scanMedianMs, scanMaxMs, trouble.isEmpty() && missed == 0 ? "none"
                            : troubleText() + (missed == 0 ? "" : (trouble.isEmpty() ? "" : "; ") + missed
                            + " statuses unanswered"));
        }

        private String troubleText() {
            return trouble.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %,.0f", e.getKey(),
                    e.getValue())).collect(Collectors.joining(", "));
        }

        private static String rates(double[] perNode) {
            return Arrays.stream(perNode).mapToObj(r -> String.format(Locale.ROOT, "%,.0f", r))
                    .collect(Collectors.joining(" / "));
        }
    }
}
