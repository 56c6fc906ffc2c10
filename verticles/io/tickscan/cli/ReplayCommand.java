package io.tickscan.cli;

import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.EventTimeDriver;
import io.tickscan.replay.Replay;
import io.tickscan.replay.ReplayException;
import io.tickscan.replay.ReplaySummary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tickscan replay}: the engine over a file of historical ticks, alerts as NDJSON. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replays a CSV file of ticks through the rules in event time and writes one alert a line "
                + "(JSON), ordered by ts, rule_id, symbol.",
            "CSV layouts: ts,symbol,price,size (ts in epoch ms, epoch seconds or ISO-8601) or "
                + "timestamp,price,amount (epoch seconds, one symbol named with --symbol).",
            "A summary goes to standard error. Exit code 0 on success, 1 when a file cannot be read (or --out "
                + "written) or the rules are invalid, 2 on bad arguments."})
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--ticks", required = true, paramLabel = "FILE", description = "CSV file of ticks.")
    Path ticks;

    @Option(names = "--rules", required = true, paramLabel = "FILE", description = "Rules file (JSON).")
    Path rules;

    @Option(names = "--symbol", paramLabel = "SYM",
            description = "Symbol of a timestamp,price,amount file (required there, refused otherwise).")
    String symbol;

    @Option(names = "--out", paramLabel = "FILE", description = "Write alerts here instead of standard output.")
    Path out;

    @Option(names = "--max-gap", paramLabel = "DURATION", defaultValue = "7d", converter = GapConverter.class,
            description = "Reject a tick more than this after the newest one as a jump: 30d, 12h, 90m, 45s "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxGapMs = EventTimeDriver.DEFAULT_MAX_GAP_MS;

    @Option(names = "--history-minutes", paramLabel = "N", defaultValue = "180",
            description = "Complete 1-minute bars kept per symbol (default: ${DEFAULT-VALUE}).")
    int historyMinutes;

    @Option(names = "--session-zone", paramLabel = "ZONE", defaultValue = "UTC", converter = ZoneConverter.class,
            description = "Zone of the session that vwap and day_* cover (default: ${DEFAULT-VALUE}).")
    ZoneId sessionZone;

    @Option(names = "--session-start", paramLabel = "HH:MM", defaultValue = "00:00",
            converter = TimeOfDayConverter.class,
            description = "Local time the session starts (default: ${DEFAULT-VALUE}).")
    LocalTime sessionStart;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Caller caller;
    private final boolean rehearsal;
    private boolean replayed;

    /** A replay on the command line: the process's own directory and standard streams. */
    public ReplayCommand() {
        this(null, false);
    }

    /**
     * A replay run for another process (the {@link ReplayDaemon}'s client), or a rehearsal of one.
     *
     * @param caller    where it reads and writes, or null for this process's own directory and standard streams
     * @param rehearsal whether the alerts go to the caller's standard output even with {@code --out}: a rehearsal
     *                  writes no file
     */
    ReplayCommand(Caller caller, boolean rehearsal) {
        this.caller = caller;
        this.rehearsal = rehearsal;
    }

    /**
     * Where a replay run for another process reads and writes.
     *
     * @param directory   what relative file names are read from: the caller's working directory
     * @param stdout      where the alerts go without {@code --out}
     * @param stderr      where warnings, progress, the summary and errors go
     * @param newFileMode the permissions of an {@code --out} file the replay creates: those the caller's umask
     *                    gives, which this process's own may not
     * @param outputDone  called once the replay has written its last alert to {@code stdout}, before anything more
     *                    goes to {@code stderr} (the summary comes after the alerts, as from the jar)
     */
    record Caller(Path directory, OutputStream stdout, PrintStream stderr, Set<PosixFilePermission> newFileMode,
                  Runnable outputDone) {
    }

    /** Whether the command ran a replay to its end (not an error, not {@code --help}). */
    boolean replayed() {
        return replayed;
    }

    /**
     * Vert.x (whose JSON and JSON Schema classes read the rules) logs through {@code java.util.logging} during a
     * replay, to standard error, rather than through the node's logback set-up, whose appender writes to standard
     * output where the alerts go, and whose start-up alone (its XML configuration) took a third of a second.
     */
    private static final String VERTX_LOGGING = "vertx.logger-delegate-factory-class-name";

    /**
     * Readies a replay before its command line is read: Vert.x's logging, and the loading of what reading the
     * rules needs, started on the second core.
     */
    static void prepare() {
        if (System.getProperty(VERTX_LOGGING) == null) {
            System.setProperty(VERTX_LOGGING, "io.vertx.core.logging.JULLogDelegateFactory");
        }
        Replay.prepare();
    }

    @Override
    public Integer call() {
        EngineSettings settings;
        try {
            settings = new EngineSettings(historyMinutes, sessionZone, sessionStart);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--history-minutes: " + e.getMessage());
        }
        PrintStream stderr = caller == null ? System.err : caller.stderr();
        Replay.Options options = new Replay.Options(ticks, rules, symbol, rehearsal ? null : out, maxGapMs, settings,
                caller == null ? null : caller.directory());
        Path outFile = options.file(options.out());
        String unwritable = unwritable(outFile);
        if (unwritable != null) {
            stderr.println("tickscan replay: cannot write --out " + options.out() + ": " + unwritable);
            return 1;
        }
        boolean creates = outFile != null && caller != null && !Files.exists(outFile);
        try {
            ReplaySummary summary;
            try {
                summary = Replay.run(options, caller == null ? System.out : caller.stdout(), stderr);
            } finally {
                if (caller != null) {
                    caller.outputDone().run();
                }
            }
            stderr.println(summary.format());
            replayed = true;
            return 0;
        } catch (ReplayException e) {
            stderr.println("tickscan replay: " + e.getMessage());
            return 1;
        } finally {
            if (creates) {
                giveMode(outFile, caller.newFileMode());
            }
        }
    }

    /** Gives a file this replay created the caller's permissions (it was created with this process's umask). */
    private static void giveMode(Path file, Set<PosixFilePermission> mode) {
        try {
            Files.setPosixFilePermissions(file, mode);
        } catch (IOException | UnsupportedOperationException e) {
            // not created after all (the replay failed first), or a file system without POSIX permissions
        }
    }

    /** Why alerts cannot be written to {@code file}, or null when they can (or go to standard output). */
    private static String unwritable(Path file) {
        if (file == null) {
            return null;
        }
        if (Files.isDirectory(file)) {
            return "it is a directory";
        }
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            return "no such directory " + parent;
        }
        return Files.exists(file) ? (Files.isWritable(file) ? null : "permission denied")
                : (Files.isWritable(parent) ? null : "permission denied in " + parent);
    }

    /** Reads a zone id ({@code UTC}, {@code Europe/London}, {@code +02:00}), refusing an unknown one in plain words. */
    static final class ZoneConverter implements CommandLine.ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String value) {
            try {
                return ZoneId.of(value);
            } catch (DateTimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a time zone; use one such as "
                        + "UTC, Europe/London, America/New_York or +02:00");
            }
        }
    }

    /** Reads a time of day {@code HH:MM}. */
    static final class TimeOfDayConverter implements CommandLine.ITypeConverter<LocalTime> {
        @Override
        public LocalTime convert(String value) {
            try {
                return LocalTime.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a time of day HH:MM from "
                        + "00:00 to 23:59");
            }
        }
    }

    /** Reads {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s} as milliseconds. */
    static final class GapConverter implements CommandLine.ITypeConverter<Long> {
        private static final Pattern GAP = Pattern.compile("(\\d{1,9})([smhd])");

        @Override
        public Long convert(String value) {
            Matcher m = GAP.matcher(value);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a duration like 30d, 12h, 90m or 45s");
            }
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            };
            return n * unit;
        }
    }
}
