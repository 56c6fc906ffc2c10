package io.tickscan.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tickscan replay-daemon}: a {@link ReplayDaemon}, started by {@code bin/tickscan replay} when none runs
 * for its jar and JDK. It stops by itself when it has been idle for {@code --idle-minutes}, when its jar changes
 * (a new build) and when its state file no longer names it (deleted, or taken over by another daemon).
 */
@Command(name = ReplayDaemonCommand.NAME, mixinStandardHelpOptions = true,
        description = {"Runs the replays that bin/tickscan sends it in one JVM that stays warm, listening on "
                + "127.0.0.1; bin/tickscan starts it. Writes PORT TOKEN PID to the state file (owner only).",
            "Stops when idle for --idle-minutes, when its jar changes and when the state file no longer names it."})
public final class ReplayDaemonCommand implements Callable<Integer> {
    /** The command's name. */
    public static final String NAME = "replay-daemon";
    private static final long CHECK_EVERY_SECONDS = 2;

    @Option(names = "--state", required = true, paramLabel = "FILE",
            description = "Where to write PORT TOKEN PID once listening.")
    Path stateFile;

    @Option(names = "--java", paramLabel = "COMMAND",
            description = "The java command, as bin/tickscan names it, whose replays this daemon runs (default: this "
                    + "JVM's own bin/java).")
    String java;

    @Option(names = "--idle-minutes", paramLabel = "N", defaultValue = "30",
            description = "Stop after this many minutes without a replay (default: ${DEFAULT-VALUE}).")
    long idleMinutes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (idleMinutes < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--idle-minutes: at least 1");
        }
        Path jar = ownJar();
        String built = jar == null ? "" : stamp(jar);
        String javaCommand = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ReplayDaemon daemon = ReplayDaemon.start(stateFile, javaCommand,
                () -> jar == null || stamp(jar).equals(built));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                daemon.close(); // stopped by a signal: the state file must not name a port nobody listens on
            } catch (IOException e) {
                System.err.println("replay daemon: " + e);
            }
        }, "replay-daemon-stop"));
        System.err.printf("replay daemon: pid %d listening on 127.0.0.1:%d, state %s; stops after %d minutes idle%n",
                ProcessHandle.current().pid(), daemon.port(), stateFile.toAbsolutePath().normalize(), idleMinutes);
        ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "replay-daemon-checks");
            thread.setDaemon(true);
            return thread;
        });
        checks.scheduleWithFixedDelay(() -> {
            String reason = daemon.idleFor(idleMinutes) ? "idle for " + idleMinutes + " minutes"
                    : !daemon.stateFileNamesThis() ? "the state file no longer names this daemon"
                    : jar != null && !stamp(jar).equals(built) ? "its jar changed" : null;
            if (reason != null) {
                System.err.println("replay daemon: stopping: " + reason);
                checks.shutdown();
                try {
                    daemon.close();
                } catch (IOException e) {
                    System.err.println("replay daemon: " + e);
                }
            }
        }, CHECK_EVERY_SECONDS, CHECK_EVERY_SECONDS, TimeUnit.SECONDS);
        daemon.serve();
        return 0;
    }

    /** The jar these classes come from, or null when they do not come from a jar. */
    private static Path ownJar() {
        try {
            Path source = Path.of(ReplayDaemonCommand.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            return Files.isRegularFile(source) ? source : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** The file's time and size, or "gone". */
    private static String stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
        } catch (IOException e) {
            return "gone";
        }
    }
}
