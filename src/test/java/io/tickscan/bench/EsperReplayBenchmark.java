package io.tickscan.bench;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.DeploymentOptions;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Esper 9 side by side with tickscan's {@code replay}: the same tick file, the same three rules (tickscan's
 * {@code bench/esper-rules.json}, written by hand in EPL in {@code bench/esper-rules.epl} with tickscan's semantics),
 * the alert ids of both compared.
 *
 * <p>What is measured, in alternating rounds after one warm-up round of each side that is not counted:
 * <ul>
 *   <li><b>Esper</b>: the send loop only. The CSV is read once into arrays and the EPL compiled once before the
 *       rounds; each round makes a fresh runtime (internal timer off) and deploys the compiled module, untimed. The
 *       timed loop sends every tick as a {@code Tick} event in the file's order and, before the first tick with
 *       {@code ts >= t}, for every whole second {@code t} from the second after the first tick to the second after
 *       the last, calls {@code advanceTime(t)} and sends {@code Scan(t)} (tickscan's {@code EventTimeDriver}
 *       schedule). Ticks/s = ticks / loop time.</li>
 *   <li><b>tickscan</b>: the whole {@code replay} child process, start to exit (reading and parsing the CSV and
 *       writing the alerts included), run as {@code TICKSCAN-COMMAND replay --ticks TICKS --rules RULES --out TMP};
 *       its standard error summary line is shown. Ticks/s = ticks / process wall time. With {@code java -jar} that
 *       is a JVM's start to its exit; with {@code bin/tickscan} it is the launcher's, which sends the replay to its
 *       replay daemon, a JVM kept warm between replays and started by the warm-up round (with
 *       {@code TICKSCAN_NO_DAEMON=1}, the launcher's own JVM, its start-up cache written by the warm-up round).</li>
 * </ul>
 * Then the medians of both and their ratio (tickscan's ticks/s over Esper's): the comparison favours Esper, whose
 * figure excludes JVM start, file reading, compilation and deployment. Esper's send loop is also shown as thread CPU
 * time: when other processes share the cores, its wall time grows well past that (tickscan's child process has no
 * such figure here), so note the load averages printed before and after.
 *
 * <p>The alert ids ({@code rule_id:symbol:ts}) of Esper's {@code alert} statement are compared with the
 * {@code alert_id} of every line tickscan writes: counts per rule, matched, only-Esper, only-tickscan, with up to
 * ten examples each.
 *
 * <p>Run it (never in CI), after {@code mvn -B -o -q -DskipTests package} and
 * {@code bench/run io.tickscan.bench.ReplayBenchData target/bench/ticks-1w.csv 1}:
 * <pre>
 * bench/run io.tickscan.bench.EsperReplayBenchmark target/bench/ticks-1w.csv bench/esper-rules.json - 5
 * bench/run io.tickscan.bench.EsperReplayBenchmark target/bench/ticks-1w.csv bench/esper-rules.json \
 *     bench/esper-rules.epl 5 /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:SharedArchiveFile=app.jsa -jar target/tickscan.jar
 * </pre>
 * Arguments: {@code TICKS.csv RULES.json EPL|- ROUNDS [TICKSCAN-COMMAND [-- TICKSCAN-COMMAND]...]}; {@code -} is
 * {@code bench/esper-rules.epl}; the command defaults to {@code java -jar target/tickscan.jar}; several commands,
 * separated by {@code --}, each run once a round after Esper, taking turns at going first, and each gets its median
 * and ratio. The tick file must
 * have the {@code ts,symbol,price,size} layout with {@code ts} in epoch milliseconds; like {@code replay}, the
 * harness sends the rows in the file's order (the benchmark file steps back up to 3 ms across symbols within a
 * second, never within a symbol).
 */
public final class EsperReplayBenchmark {
    private static final String USAGE = """
            usage: EsperReplayBenchmark TICKS.csv RULES.json EPL|- ROUNDS [TICKSCAN-COMMAND [-- TICKSCAN-COMMAND]...]
              TICKS.csv         ts,symbol,price,size with ts in epoch milliseconds
              RULES.json        the rules tickscan replays (bench/esper-rules.json); the EPL must say the same
              EPL|-             the EPL module (- = bench/esper-rules.epl)
              ROUNDS            counted rounds, each Esper then tickscan, after one warm-up round of each
              TICKSCAN-COMMAND  runs tickscan (default: java -jar target/tickscan.jar); gets
                                replay --ticks TICKS.csv --rules RULES.json --out TMP appended;
                                several, separated by --, take turns after Esper in every round
            """;

    private EsperReplayBenchmark() {
    }

    /** The ticks of the file, column by column. */
    private record Ticks(long[] ts, String[] symbol, double[] price, double[] size) {
        int count() {
            return ts.length;
        }
    }

    /** One Esper round: the alert ids in the order fired, the scans sent, the times in nanoseconds. */
    private record EsperRun(List<String> ids, long scans, long deployNanos, long loopNanos, long loopCpuNanos) {
    }

    /** One tickscan round: the alert ids of its output, its summary line, the process time in nanoseconds. */
    private record TickscanRun(List<String> ids, String summary, int exit, long nanos) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.print(USAGE);
            System.exit(2);
        }
        Path ticksFile = Path.of(args[0]);
        Path rulesFile = Path.of(args[1]);
        Path eplFile = Path.of(args[2].equals("-") ? "bench/esper-rules.epl" : args[2]);
        int rounds;
        try {
            rounds = Integer.parseInt(args[3]);
        } catch (NumberFormatException e) {
            rounds = -1;
        }
        if (rounds < 1) {
            System.err.print("ROUNDS must be a whole number >= 1\n" + USAGE);
            System.exit(2);
            return;
        }
        List<List<String>> commands = commands(Arrays.copyOfRange(args, 4, args.length));

        long t0 = System.nanoTime();
        Ticks ticks = readTicks(ticksFile);
        System.out.printf(Locale.ROOT, "ticks: %,d from %s (read in %.2f s, not timed)%n", ticks.count(), ticksFile,
                seconds(System.nanoTime() - t0));
        Set<String> ruleIds = ruleIds(rulesFile);
        System.out.println("rules: " + ruleIds + " from " + rulesFile + "; EPL " + eplFile);

        Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        String epl = Files.readString(eplFile);
        long c0 = System.nanoTime();
        EPCompiled compiled;
        try {
            compiled = EPCompilerProvider.getCompiler().compile(epl, new CompilerArguments(configuration));
        } catch (EPCompileException e) {
            System.err.println(eplFile + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf(Locale.ROOT, "EPL compiled in %.2f s (once, not timed)%n", seconds(System.nanoTime() - c0));
        System.out.printf(Locale.ROOT, "load average before the rounds: %.2f (%d cores); java %s%n", loadAverage(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        for (int c = 0; c < commands.size(); c++) {
            System.out.println("tickscan command " + (char) ('A' + c) + ": " + String.join(" ", commands.get(c))
                    + " replay --ticks " + ticksFile + " --rules " + rulesFile + " --out TMP");
        }
        System.out.println();

        int k = commands.size();
        for (int c = 0; c < k; c++) {
            TickscanRun first = runTickscan(commands.get(c), ticksFile, rulesFile);
            System.out.printf(Locale.ROOT, "warm-up  tickscan %c whole process %.3f s, exit %d  (not counted: the "
                    + "first replay of bin/tickscan starts its daemon or writes its start-up cache)%n",
                    (char) ('A' + c), seconds(first.nanos()), first.exit());
        }
        EsperRun warmUp = runEsper(configuration, compiled, ticks, 0);
        System.out.printf(Locale.ROOT, "warm-up  esper    %s  (not counted)%n", describe(warmUp, ticks));
        waitForQuietCores();

        double[] esperRates = new double[rounds];
        double[][] tickscanRates = new double[k][rounds];
        double[] esperCpuSeconds = new double[rounds];
        EsperRun esper = null;
        TickscanRun[] tickscan = new TickscanRun[k];
        List<String> firstEsper = warmUp.ids();
        List<List<String>> firstTickscan = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            esper = runEsper(configuration, compiled, ticks, r);
            esperRates[r - 1] = ticks.count() / seconds(esper.loopNanos());
            esperCpuSeconds[r - 1] = seconds(esper.loopCpuNanos());
            System.out.printf(Locale.ROOT, "round %d  esper    %s%n", r, describe(esper, ticks));
            if (!esper.ids().equals(firstEsper)) {
                System.out.printf("round %d  esper    alert ids differ from the warm-up round's%n", r);
            }
            for (int j = 0; j < k; j++) {
                int c = (j + r - 1) % k; // the commands take turns at going first after Esper
                tickscan[c] = runTickscan(commands.get(c), ticksFile, rulesFile);
                tickscanRates[c][r - 1] = ticks.count() / seconds(tickscan[c].nanos());
                System.out.printf(Locale.ROOT, "round %d  tickscan %c whole process %.3f s = %,.0f ticks/s, %d alerts, "
                                + "exit %d; its summary: %s%n", r, (char) ('A' + c), seconds(tickscan[c].nanos()),
                        tickscanRates[c][r - 1], tickscan[c].ids().size(), tickscan[c].exit(), tickscan[c].summary());
                if (firstTickscan.size() <= c) {
                    firstTickscan.add(tickscan[c].ids());
                } else if (!tickscan[c].ids().equals(firstTickscan.get(c))) {
                    System.out.printf("round %d  tickscan %c alert ids differ from round 1's%n", r, (char) ('A' + c));
                }
            }
        }

        for (int c = 0; c < k; c++) {
            System.out.println();
            System.out.println("esper against tickscan " + (char) ('A' + c) + ":");
            compare(esper.ids(), tickscan[c].ids(), ruleIds);
        }

        double esperMedian = median(esperRates);
        System.out.println();
        System.out.printf(Locale.ROOT, "median esper send loop          %,12.0f ticks/s = %.3f s (%d rounds; excludes JVM "
                + "start, CSV reading, EPL compile and deploy); its thread CPU %.3f s%n", esperMedian,
                ticks.count() / esperMedian, rounds, median(esperCpuSeconds));
        for (int c = 0; c < k; c++) {
            double tickscanMedian = median(tickscanRates[c]);
            System.out.printf(Locale.ROOT, "median tickscan %c whole process %,12.0f ticks/s = %.3f s (%d rounds; start "
                    + "to exit, CSV parsing and alert writing included): ratio %.1fx%n", (char) ('A' + c),
                    tickscanMedian, ticks.count() / tickscanMedian, rounds, tickscanMedian / esperMedian);
        }
        System.out.printf(Locale.ROOT, "load average at the end: %.2f (%d cores)%n", loadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** The tickscan commands, separated by {@code --}; {@code java -jar target/tickscan.jar} when none. */
    private static List<List<String>> commands(String[] args) {
        List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--")) {
                if (!current.isEmpty()) {
                    commands.add(List.copyOf(current));
                }
                current.clear();
            } else {
                current.add(arg);
            }
        }
        if (!current.isEmpty()) {
            commands.add(List.copyOf(current));
        }
        if (commands.isEmpty()) {
            commands.add(List.of("java", "-jar", "target/tickscan.jar"));
        }
        return commands;
    }

    private static String describe(EsperRun run, Ticks ticks) {
        return String.format(Locale.ROOT, "send loop %.3f s = %,.0f ticks/s (%,d ticks, %,d scans; thread CPU %.3f s), "
                        + "%d alerts; fresh runtime + deploy %.0f ms (not timed)", seconds(run.loopNanos()),
                ticks.count() / seconds(run.loopNanos()), ticks.count(), run.scans(), seconds(run.loopCpuNanos()),
                run.ids().size(), run.deployNanos() / 1e6);
    }

    /** A fresh runtime, the module deployed, then the timed send loop in event time. */
    private static EsperRun runEsper(Configuration configuration, EPCompiled compiled, Ticks ticks, int round)
            throws EPDeployException {
        System.gc();
        long d0 = System.nanoTime();
        EPRuntime runtime = EPRuntimeProvider.getRuntime("esper-replay-" + round, configuration);
        EPEventService events = runtime.getEventService();
        long[] ts = ticks.ts();
        // The clock starts at the first tick, so the first timer:at minute is the one after it.
        events.advanceTime(ts[0]);
        EPDeployment deployment = runtime.getDeploymentService().deploy(compiled, new DeploymentOptions());
        List<String> ids = new ArrayList<>();
        EPStatement alert = runtime.getDeploymentService().getStatement(deployment.getDeploymentId(), "alert");
        alert.addListener((newEvents, oldEvents, statement, rt) -> {
            for (EventBean event : newEvents) {
                ids.add((String) event.get("alertId"));
            }
        });
        long deployNanos = System.nanoTime() - d0;

        String[] symbol = ticks.symbol();
        double[] price = ticks.price();
        double[] size = ticks.size();
        int n = ticks.count();
        long scans = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long nextScan = secondAfter(ts[0]);
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long t = ts[i];
            while (nextScan <= t) {
                events.advanceTime(nextScan);
                events.sendEventObjectArray(new Object[] {nextScan}, "Scan");
                nextScan += 1000;
                scans++;
            }
            newest = Math.max(newest, t);
            events.sendEventObjectArray(new Object[] {symbol[i], t, price[i], size[i]}, "Tick");
        }
        for (long end = secondAfter(newest); nextScan <= end; nextScan += 1000) {
            events.advanceTime(nextScan);
            events.sendEventObjectArray(new Object[] {nextScan}, "Scan");
            scans++;
        }
        long loopNanos = System.nanoTime() - start;
        long loopCpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
        runtime.destroy();
        return new EsperRun(ids, scans, deployNanos, loopNanos, loopCpuNanos);
    }

    /** The whole replay process, start to exit. */
    private static TickscanRun runTickscan(List<String> command, Path ticksFile, Path rulesFile)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("esper-bench-tickscan", ".ndjson");
        Path err = Files.createTempFile("esper-bench-tickscan", ".stderr");
        try {
            List<String> full = new ArrayList<>(command);
            full.addAll(List.of("replay", "--ticks", ticksFile.toString(), "--rules", rulesFile.toString(),
                    "--out", out.toString()));
            ProcessBuilder builder = new ProcessBuilder(full)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            long start = System.nanoTime();
            Process process = builder.start();
            int exit = process.waitFor();
            long nanos = System.nanoTime() - start;
            List<String> errLines = Files.readAllLines(err, StandardCharsets.UTF_8);
            String summary = errLines.stream().filter(l -> l.contains(" rows read")).reduce((a, b) -> b)
                    .orElse(errLines.isEmpty() ? "(no summary)" : errLines.get(errLines.size() - 1));
            if (exit != 0) {
                System.err.println("tickscan exited with " + exit + ":");
                errLines.forEach(System.err::println);
            }
            List<String> ids = new ArrayList<>();
            try (BufferedReader reader = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (!line.isBlank()) {
                        ids.add(new JsonObject(line).getString("alert_id"));
                    }
                }
            }
            return new TickscanRun(ids, summary, exit, nanos);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void compare(List<String> esperIds, List<String> tickscanIds, Set<String> ruleIds) {
        Set<String> esper = new LinkedHashSet<>(esperIds);
        Set<String> tickscan = new LinkedHashSet<>(tickscanIds);
        if (esper.size() != esperIds.size()) {
            System.out.println("esper: " + (esperIds.size() - esper.size()) + " duplicate alert ids");
        }
        if (tickscan.size() != tickscanIds.size()) {
            System.out.println("tickscan: " + (tickscanIds.size() - tickscan.size()) + " duplicate alert ids");
        }
        Map<String, int[]> perRule = new TreeMap<>();
        for (String id : ruleIds) {
            perRule.put(id, new int[2]);
        }
        esper.forEach(id -> perRule.computeIfAbsent(ruleOf(id), k -> new int[2])[0]++);
        tickscan.forEach(id -> perRule.computeIfAbsent(ruleOf(id), k -> new int[2])[1]++);
        System.out.println("alerts per rule (esper / tickscan), last round:");
        perRule.forEach((rule, c) -> System.out.printf(Locale.ROOT, "  %-14s %6d / %6d%n", rule, c[0], c[1]));
        System.out.printf(Locale.ROOT, "  %-14s %6d / %6d%n", "total", esper.size(), tickscan.size());
        Set<String> onlyEsper = new TreeSet<>(esper);
        onlyEsper.removeAll(tickscan);
        Set<String> onlyTickscan = new TreeSet<>(tickscan);
        onlyTickscan.removeAll(esper);
        System.out.printf(Locale.ROOT, "alert ids: %d matched, %d only in esper, %d only in tickscan%s%n",
                esper.size() - onlyEsper.size(), onlyEsper.size(), onlyTickscan.size(),
                onlyEsper.isEmpty() && onlyTickscan.isEmpty() ? " (identical)" : "");
        examples("only in esper", onlyEsper);
        examples("only in tickscan", onlyTickscan);
    }

    private static void examples(String what, Set<String> ids) {
        if (!ids.isEmpty()) {
            System.out.println("  " + what + " (up to 10): " + ids.stream().limit(10).toList());
        }
    }

    private static String ruleOf(String alertId) {
        int colon = alertId.indexOf(':');
        return colon < 0 ? alertId : alertId.substring(0, colon);
    }

    private static Set<String> ruleIds(Path rulesFile) throws IOException {
        JsonArray rules = new JsonObject(Files.readString(rulesFile)).getJsonArray("rules");
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            ids.add(rules.getJsonObject(i).getString("id"));
        }
        return ids;
    }

    /** Reads {@code ts,symbol,price,size} (epoch milliseconds) into arrays; the symbols are shared instances. */
    private static Ticks readTicks(Path file) throws IOException {
        long[] ts = new long[1 << 16];
        String[] symbol = new String[ts.length];
        double[] price = new double[ts.length];
        double[] size = new double[ts.length];
        Map<String, String> symbols = new HashMap<>();
        int n = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            if (header == null || !header.strip().equals("ts,symbol,price,size")) {
                throw new IOException(file + ": the header must be ts,symbol,price,size, not " + header);
            }
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 4) {
                    throw new IOException(file + ": not 4 fields: " + line);
                }
                if (n == ts.length) {
                    ts = Arrays.copyOf(ts, n * 2);
                    symbol = Arrays.copyOf(symbol, n * 2);
                    price = Arrays.copyOf(price, n * 2);
                    size = Arrays.copyOf(size, n * 2);
                }
                ts[n] = Long.parseLong(f[0].strip());
                if (ts[n] < 100_000_000_000L) {
                    throw new IOException(file + ": ts must be epoch milliseconds: " + line);
                }
                symbol[n] = symbols.computeIfAbsent(f[1].strip(), s -> s);
                price[n] = Double.parseDouble(f[2].strip());
                size[n] = Double.parseDouble(f[3].strip());
                n++;
            }
        }
        if (n == 0) {
            throw new IOException(file + ": no ticks");
        }
        return new Ticks(Arrays.copyOf(ts, n), Arrays.copyOf(symbol, n), Arrays.copyOf(price, n),
                Arrays.copyOf(size, n));
    }

    private static long secondAfter(long ts) {
        return Math.floorDiv(ts, 1000L) * 1000 + 1000;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /**
     * Waits, up to 20 s, until the cores are quiet: less than a fifth of their time busy over half a second. Work
     * left over from the warm-up rounds (bin/tickscan's replay daemon rehearses its first replay in the background
     * up to 30 times) must not slow the first counted round of either side.
     */
    private static void waitForQuietCores() throws IOException, InterruptedException {
        long started = System.nanoTime();
        double busy = 1;
        while (busy >= 0.2 && System.nanoTime() - started < 20_000_000_000L) {
            long[] before = cpuTimes();
            Thread.sleep(500);
            long[] after = cpuTimes();
            busy = 1 - (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
        }
        System.out.printf(Locale.ROOT, "waited %.1f s for quiet cores (busy %.0f%% over the last half second)%n",
                seconds(System.nanoTime() - started), 100 * busy);
    }

    /** All the cores' time and their idle time (with I/O wait), in clock ticks, from {@code /proc/stat}. */
    private static long[] cpuTimes() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
