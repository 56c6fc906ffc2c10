package io.tickscan.replay;

import io.tickscan.rules.RuleLimits;
import io.tickscan.scanner.RulesFile;
import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;
import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.EventTimeDriver;
import io.tickscan.engine.FiringListener;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.TickOutcome;
import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.tickscan.rules.Symbols;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs the engine over a file of ticks in event time as fast as it can and writes one alert a line (JSON),
 * ordered by {@code ts}, then {@code rule_id}, then {@code symbol}. Rows that cannot be read are skipped and
 * counted by reason, the first of each reason reported with its line; nothing in the data stops a replay.
 */
public final class Replay {
    private static final Comparator<Alert> OUTPUT_ORDER = Comparator.comparingLong(Alert::ts)
            .thenComparing(Alert::ruleId).thenComparing(Alert::symbol);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;
    private static final int INITIAL_SYMBOLS = 16;
    private static final String WARM_UP_RULES = "[{\"id\": \"warm-up\", \"when\": \"last > 0\"}]";

    /**
     * What to replay.
     *
     * @param ticks    the CSV file of ticks
     * @param rules    the rules file
     * @param symbol   the symbol of a {@code timestamp,price,amount} file, else null
     * @param out      where to write alerts, or null for standard output
     * @param maxGapMs largest jump forward accepted between a tick and the newest before it
     * @param settings engine settings
     * @param directory what relative file names are read from (the caller's working directory, for a replay run
     *                  for another process), or null for this process's own; messages name the files as given
     */
    public record Options(Path ticks, Path rules, String symbol, Path out, long maxGapMs, EngineSettings settings,
                          Path directory) {
        /** The file {@code name} stands for: resolved against {@link #directory}, or as given. */
        public Path file(Path name) {
            return directory == null || name == null ? name : directory.resolve(name);
        }
    }

    private final Options options;
    private final OutputStream stdout;
    private final PrintStream log;
    private final List<Alert> pending = new ArrayList<>();
    private final Map<TickRejectReason, Long> rejected = new EnumMap<>(TickRejectReason.class);
    private final Set<TickRejectReason> reported = EnumSet.noneOf(TickRejectReason.class);
    /** The first rejected row of each reason found before {@link #showRejects}, in the order found. */
    private final List<String> heldRejects = new ArrayList<>();
    private boolean rejectsShown;
    private long alerts;

    private Replay(Options options, OutputStream stdout, PrintStream log) {
        this.options = options;
        this.stdout = stdout;
        this.log = log;
    }

    /**
     * Starts, on a thread of its own, what reading a rules file first needs (the JSON codec, the rules' JSON
     * Schema, the rules reader), so that it is under way while the command line is still being read.
     */
    public static void prepare() {
        Thread thread = new Thread(() -> {
            try {
                RulesFile.parse(WARM_UP_RULES, RuleLimits.withHistory(EngineSettings.DEFAULT_HISTORY_MINUTES));
            } catch (RuntimeException e) {
                // nothing to report: the replay's own loading of its rules meets and reports the same failure
            }
        }, "replay-prepare");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs a replay.
     *
     * @param stdout receives the alerts when {@link Options#out} is null (flushed, never closed)
     * @param log    receives warnings, progress and nothing else (standard error on the command line)
     * @throws ReplayException when a file is missing or unreadable, the rules are invalid or the arguments do not
     *                         fit the file
     */
    public static ReplaySummary run(Options options, OutputStream stdout, PrintStream log) throws ReplayException {
        return new Replay(options, stdout, log).run();
    }

    private ReplaySummary run() throws ReplayException {
        long started = System.nanoTime();
        fileSize(options.rules(), "--rules");
        boolean symbolValid = options.symbol() == null || Symbols.isValid(options.symbol());
        Path ticks = options.file(options.ticks());
        if (!symbolValid || !Files.isRegularFile(ticks) || !Files.isReadable(ticks)) {
            loadRules(); // an invalid rules file is reported first, whatever else is wrong
        }
        if (!symbolValid) {
            throw new ReplayException("--symbol '" + options.symbol() + "' is not a symbol: 1 to 32 of "
                    + "A-Z a-z 0-9 . _ - / :");
        }
        long size = fileSize(options.ticks(), "--ticks");
        InputStream in;
        try {
            in = Files.newInputStream(ticks);
        } catch (IOException e) {
            throw new ReplayException("cannot read --ticks " + options.ticks() + ": " + describe(e));
        }
        // the file is read on its own thread from here on, while the rules load and then the engine runs
        try (ParallelTickReader reader = new ParallelTickReader(in, options.symbol(), this::reject)) {
            RuleSet rules = loadRules();
            checkLayout(layout(reader));
            showRejects(); // the file's rows are worth reporting now that the arguments and rules are good
            // sized for few symbols: the engine grows with the file's, and a replay of four symbols does not
            // pay for zeroing the bar rings of a thousand
            ScanEngine engine = new ScanEngine(rules, options.settings(), INITIAL_SYMBOLS);
            FiringListener collect = (rule, symbol, t) -> pending.add(engine.alert(rule, symbol, t, Alert::new));
            EventTimeDriver driver = new EventTimeDriver(engine, options.maxGapMs(), collect);
            try (Writer out = openOutput()) {
                Rows rows = new Rows(driver, out, size, started);
                long read = rows.drain(reader);
                driver.finish();
                flush(out);
                out.flush();
                return new ReplaySummary(read, engine.appliedTicks(), rejected(), engine.lateTicks(),
                        engine.symbolCount(), engine.scans() + engine.quietScans(), engine.scans(), alerts,
                        System.nanoTime() - started);
            }
        } catch (TickCsvReader.FormatException e) {
            throw new ReplayException(options.ticks() + ": " + e.getMessage());
        } catch (IOException e) { // reading failures are turned into ReplayException where they surface
            throw new ReplayException("cannot write: " + describe(e));
        }
    }

    /** The tick file's layout, a read failure said as one. */
    private TickCsvReader.Layout layout(ParallelTickReader reader) throws ReplayException,
            TickCsvReader.FormatException {
        try {
            return reader.layout();
        } catch (IOException e) {
            throw readFailure(e);
        }
    }

    private ReplayException readFailure(IOException e) {
        return new ReplayException("cannot read --ticks " + options.ticks() + ": " + describe(e));
    }

    private RuleSet loadRules() throws ReplayException {
        fileSize(options.rules(), "--rules");
        try {
            return RulesFile.load(options.file(options.rules()),
                    RuleLimits.withHistory(options.settings().historyMinutes()));
        } catch (IOException e) {
            throw new ReplayException("cannot read --rules " + options.rules() + ": " + describe(e));
        } catch (RuleSetException e) {
            throw new ReplayException(options.rules() + ": " + e.getMessage());
        }
    }

    /** The size of the file {@code name} stands for; failures name it as given. */
    private long fileSize(Path name, String option) throws ReplayException {
        Path file = options.file(name);
        if (!Files.isRegularFile(file)) {
            throw new ReplayException("cannot read " + option + " " + name + ": "
                    + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        if (!Files.isReadable(file)) {
            throw new ReplayException("cannot read " + option + " " + name + ": permission denied");
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ReplayException("cannot read " + option + " " + name + ": " + describe(e));
        }
    }

    private void checkLayout(TickCsvReader.Layout layout) throws ReplayException {
        if (layout == TickCsvReader.Layout.TIMESTAMP_PRICE_AMOUNT && options.symbol() == null) {
            throw new ReplayException("--symbol is required: " + options.ticks() + " has the "
                    + layout.header() + " layout, which names no symbol");
        }
        if (layout == TickCsvReader.Layout.TS_SYMBOL_PRICE_SIZE && options.symbol() != null) {
            throw new ReplayException("--symbol is refused: " + options.ticks() + " has the " + layout.header()
                    + " layout, whose rows name their symbols");
        }
    }

    private Writer openOutput() throws IOException {
        OutputStream stream = options.out() == null ? new NonClosing(stdout)
                : Files.newOutputStream(options.file(options.out()));
        return new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
    }

    private void flush(Writer out) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        pending.sort(OUTPUT_ORDER);
        for (Alert alert : pending) {
            out.write(AlertJson.of(alert).encode());
            out.write('\n');
        }
        alerts += pending.size();
        pending.clear();
    }

    private static String describe(IOException e) {
        return e instanceof NoSuchFileException ? "no such file " + e.getMessage() : e.toString();
    }

    /**
     * Counts a rejected row and shows the first of its reason, or holds it until {@link #showRejects} (the file is
     * read while the rules load: a replay refused for its arguments or rules says nothing of the file's rows);
     * called by the reading thread and the engine's.
     */
    private synchronized void reject(TickRejectReason reason, long line, String detail) {
        rejected.merge(reason, 1L, Long::sum);
        if (reported.add(reason)) {
            String text = "replay: " + (line > 0 ? "line " + line : "row") + ": " + reason.label() + ": " + detail
                    + " (skipped; further " + reason.label() + " rows are counted, not shown)";
            if (rejectsShown) {
                log.println(text);
            } else {
                heldRejects.add(text);
            }
        }
    }

    private synchronized void showRejects() {
        rejectsShown = true;
        heldRejects.forEach(log::println);
        heldRejects.clear();
    }

    private synchronized Map<TickRejectReason, Long> rejected() {
        return new EnumMap<>(rejected);
    }

    /** Feeds the parsed ticks to the driver in file order, writes alerts as they come and reports progress. */
    private final class Rows {
        private final EventTimeDriver driver;
        private final Writer out;
        private final long fileSize;
        private long lastProgress;

        Rows(EventTimeDriver driver, Writer out, long fileSize, long started) {
            this.driver = driver;
            this.out = out;
            this.fileSize = fileSize;
            this.lastProgress = started;
        }

        /** Applies every chunk the reader hands over; returns the rows read. */
        long drain(ParallelTickReader reader) throws IOException, TickCsvReader.FormatException, ReplayException {
            while (true) {
                ParallelTickReader.Chunk chunk = reader.next();
                for (int i = 0, n = chunk.ticks; i < n; i++) {
                    tick(chunk.symbol[i], chunk.ts[i], chunk.price[i], chunk.size[i], chunk.line[i]);
                }
                progress(chunk);
                long rows = chunk.rows;
                boolean last = chunk.last;
                Exception failure = chunk.failure;
                reader.recycle(chunk);
                if (last) {
                    try {
                        ParallelTickReader.rethrow(failure);
                    } catch (IOException e) {
                        throw readFailure(e);
                    }
                    return rows;
                }
            }
        }

        private void tick(String symbol, long ts, double price, double size, long line) throws IOException {
            if (driver.offer(symbol, ts, price, size) == TickOutcome.JUMP) {
                reject(TickRejectReason.JUMP, line, symbol + " at " + ts + " is more than the allowed gap after "
                        + "the newest tick");
            }
            if (!pending.isEmpty()) {
                flush(out);
            }
        }

        /** A progress line every 2 s, the clock read once a chunk. */
        private void progress(ParallelTickReader.Chunk chunk) {
            long now = System.nanoTime();
            if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
                lastProgress = now;
                log.printf(Locale.ROOT, "replay: %.0f%% (%d rows, %d alerts)%n",
                        100.0 * chunk.bytesRead / Math.max(1, fileSize), chunk.rows, alerts);
            }
        }
    }

    /** The replay's standard output, which a try-with-resources flushes but never closes. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
