package io.tickscan.replay;

import io.tickscan.rules.RuleLimits;
import io.tickscan.scanner.RulesFile;
import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;
import io.tickscan.engine.CompiledRule;
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
import java.io.UncheckedIOException;
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

    /**
     * What to replay.
     *
     * @param ticks    the CSV file of ticks
     * @param rules    the rules file
     * @param symbol   the symbol of a {@code timestamp,price,amount} file, else null
     * @param out      where to write alerts, or null for standard output
     * @param maxGapMs largest jump forward accepted between a tick and the newest before it
     * @param settings engine settings
     */
    public record Options(Path ticks, Path rules, String symbol, Path out, long maxGapMs, EngineSettings settings) {
    }

    private final Options options;
    private final PrintStream log;
    private final List<Alert> pending = new ArrayList<>();
    private final Map<TickRejectReason, Long> rejected = new EnumMap<>(TickRejectReason.class);
    private final Set<TickRejectReason> reported = EnumSet.noneOf(TickRejectReason.class);
    private long alerts;

    private Replay(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /**
     * Runs a replay.
     *
     * @param log receives warnings, progress and nothing else (standard error on the command line)
     * @throws ReplayException when a file is missing or unreadable, the rules are invalid or the arguments do not
     *                         fit the file
     */
    public static ReplaySummary run(Options options, PrintStream log) throws ReplayException {
        return new Replay(options, log).run();
    }

    private ReplaySummary run() throws ReplayException {
        long started = System.nanoTime();
        RuleSet rules = loadRules();
        if (options.symbol() != null && !Symbols.isValid(options.symbol())) {
            throw new ReplayException("--symbol '" + options.symbol() + "' is not a symbol: 1 to 32 of "
                    + "A-Z a-z 0-9 . _ - / :");
        }
        long size = fileSize(options.ticks(), "--ticks");
        ScanEngine engine = new ScanEngine(rules, options.settings());
        FiringListener collect = (rule, symbol, t) -> pending.add(engine.alert(rule, symbol, t, Alert::new));
        EventTimeDriver driver = new EventTimeDriver(engine, options.maxGapMs(), collect);
        try (InputStream in = Files.newInputStream(options.ticks());
             Writer out = openOutput()) {
            Rows rows = new Rows(driver, out);
            TickCsvReader reader = new TickCsvReader(in, options.symbol(), rows);
            checkLayout(reader.readHeader());
            rows.progress(reader, size, started);
            reader.readRows();
            driver.finish();
            flush(out);
            out.flush();
            return new ReplaySummary(reader.rows(), engine.appliedTicks(), rejected, engine.lateTicks(),
                    engine.symbolCount(), engine.scans() + engine.quietScans(), engine.scans(), alerts, System.nanoTime() - started);
        } catch (TickCsvReader.FormatException e) {
            throw new ReplayException(options.ticks() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new ReplayException("cannot read or write: " + describe(e));
        } catch (UncheckedIOException e) {
            throw new ReplayException("cannot write: " + describe(e.getCause()));
        }
    }

    private RuleSet loadRules() throws ReplayException {
        fileSize(options.rules(), "--rules");
        try {
            return RulesFile.load(options.rules(), RuleLimits.withHistory(options.settings().historyMinutes()));
        } catch (IOException e) {
            throw new ReplayException("cannot read --rules " + options.rules() + ": " + describe(e));
        } catch (RuleSetException e) {
            throw new ReplayException(options.rules() + ": " + e.getMessage());
        }
    }

    private static long fileSize(Path file, String option) throws ReplayException {
        if (!Files.isRegularFile(file)) {
            throw new ReplayException("cannot read " + option + " " + file + ": "
                    + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        if (!Files.isReadable(file)) {
            throw new ReplayException("cannot read " + option + " " + file + ": permission denied");
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ReplayException("cannot read " + option + " " + file + ": " + describe(e));
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
        OutputStream stream = options.out() == null ? new NonClosing(System.out) : Files.newOutputStream(options.out());
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

    /** Feeds rows to the driver, counts rejects and reports progress. */
    private final class Rows implements TickCsvReader.Sink {
        private final EventTimeDriver driver;
        private final Writer out;
        private TickCsvReader reader;
        private long fileSize;
        private long lastProgress;
        private int sinceCheck;

        Rows(EventTimeDriver driver, Writer out) {
            this.driver = driver;
            this.out = out;
        }

        void progress(TickCsvReader reader, long size, long started) {
            this.reader = reader;
            this.fileSize = size;
            this.lastProgress = started;
        }

        @Override
        public void tick(String symbol, long ts, double price, double size) {
            progress();
            if (driver.offer(symbol, ts, price, size) == TickOutcome.JUMP) {
                reject(TickRejectReason.JUMP, reader.line(), symbol + " at " + ts + " is more than the allowed gap after the "
                        + "newest tick");
            }
            if (!pending.isEmpty()) {
                try {
                    flush(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        /** A progress line every 2 s, the clock read every 65,536 rows. */
        private void progress() {
            if (++sinceCheck < 1 << 16) {
                return;
            }
            sinceCheck = 0;
            long now = System.nanoTime();
            if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
                lastProgress = now;
                log.printf(Locale.ROOT, "replay: %.0f%% (%d rows, %d alerts)%n",
                        100.0 * reader.bytesRead() / Math.max(1, fileSize), reader.rows(), alerts);
            }
        }

        @Override
        public void reject(TickRejectReason reason, long line, String detail) {
            progress();
            rejected.merge(reason, 1L, Long::sum);
            if (reported.add(reason)) {
                log.println("replay: " + (line > 0 ? "line " + line : "row") + ": " + reason.label() + ": " + detail
                        + " (skipped; further " + reason.label() + " rows are counted, not shown)");
            }
        }
    }

    /** Standard output that a try-with-resources flushes but never closes. */
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
