package io.tickscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.testdata.BitstampTrades;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tickscan replay} as a user runs it, through its replay daemon: the same bytes, messages and exit codes
 * as {@code java -jar tickscan.jar replay}, on the real Bitstamp trades. The jar is copied into a directory of the
 * test's own, so that the daemons' state files lie there and no daemon of the user's is touched.
 */
@DisplayName("bin/tickscan replay through its replay daemon")
class ReplayDaemonIT {
    private static final String STARTED = "tickscan: started a replay daemon";

    @TempDir
    static Path dir;
    static Path jar;
    static Path ticks;
    static Path rules;
    /** What {@code java -jar} writes for the Bitstamp replay: standard output, and its summary without times. */
    static Run expected;

    record Run(int exit, String out, String err) {
        /** The summary line without its times, which differ from run to run. */
        String summary() {
            return err.lines().filter(line -> line.startsWith("replay: ")).map(line -> line.replaceAll(" in [0-9.]+ s.*", ""))
                    .reduce((a, b) -> b).orElse("(none)");
        }
    }

    @BeforeAll
    static void copyJarAndData() throws Exception {
        jar = Files.copy(Path.of("target/tickscan.jar"), dir.resolve("tickscan.jar"));
        ticks = BitstampTrades.copyTo(dir);
        rules = dir.resolve("rules.json");
        Files.copy(ReplayDaemonIT.class.getResourceAsStream("/replay/hand-checked-rules.json"), rules);
        expected = direct(bitstamp());
        assertThat(expected.exit()).as(expected.err()).isZero();
        assertThat(expected.out()).isNotEmpty();
    }

    /** Stops the daemons of the test's jar; the tests that need none running say so, the others share one. */
    @AfterAll
    static void stopDaemons() throws Exception {
        for (long pid : daemonPids()) {
            ProcessHandle.of(pid).ifPresent(process -> {
                process.destroy();
                process.onExit().orTimeout(20, TimeUnit.SECONDS).join();
            });
        }
    }

    @Test
    void theFirstReplayStartsTheDaemonAndEveryReplayGivesTheBytesAndSummaryOfTheJar() throws Exception {
        stopDaemons();
        Run first = launcher(dir, bitstamp());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains(STARTED);
        assertThat(first.out()).isEqualTo(expected.out());
        assertThat(first.summary()).isEqualTo(expected.summary());
        List<Long> pids = daemonPids();
        assertThat(pids).hasSize(1);

        Run second = launcher(dir, bitstamp());
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.err()).doesNotContain(STARTED);
        assertThat(second.out()).isEqualTo(expected.out());
        assertThat(second.summary()).isEqualTo(expected.summary());
        assertThat(daemonPids()).as("the same daemon answered").isEqualTo(pids);
    }

    @Test
    void relativeFileNamesAreReadAndWrittenFromTheCallersDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.copy(ticks, elsewhere.resolve("trades.csv"));
        Files.copy(rules, elsewhere.resolve("rules.json"));
        Run run = launcher(elsewhere, "replay", "--ticks", "trades.csv", "--rules", "rules.json", "--symbol", "BTCUSD",
                "--out", "alerts.ndjson");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(Files.readString(elsewhere.resolve("alerts.ndjson"))).isEqualTo(expected.out());
    }

    @Test
    void whatTheShellWritesAfterTheReplayIntoTheSameFileComesAfterItsAlerts() throws Exception {
        Path file = dir.resolve("then-done.txt");
        String script = "{ \"$0\" " + String.join(" ", bitstamp()) + "; echo done; } > " + file;
        assertThat(shell(script, launcherPath().toString()).exit()).isZero();
        assertThat(Files.readString(file)).isEqualTo(expected.out() + "done\n");
    }

    @Test
    void errorsAndExitCodesAreThoseOfTheJar() throws Exception {
        String[] missing = {"replay", "--ticks", "nope.csv", "--rules", rules.toString()};
        Run daemonMissing = launcher(dir, missing);
        Run directMissing = direct(missing);
        assertThat(daemonMissing.exit()).isEqualTo(directMissing.exit()).isEqualTo(1);
        assertThat(withoutStart(daemonMissing.err())).isEqualTo(directMissing.err())
                .isEqualTo("tickscan replay: cannot read --ticks nope.csv: no such file\n");

        String[] noTicks = {"replay", "--rules", rules.toString()};
        Run daemonNoTicks = launcher(dir, noTicks);
        Run directNoTicks = direct(noTicks);
        assertThat(daemonNoTicks.exit()).isEqualTo(directNoTicks.exit()).isEqualTo(2);
        assertThat(withoutStart(daemonNoTicks.err())).isEqualTo(directNoTicks.err())
                .contains("Missing required option: '--ticks=FILE'");
    }

    @Test
    void aDaemonKilledWithoutNoticeIsReplacedByTheNextReplay() throws Exception {
        assertThat(launcher(dir, bitstamp()).exit()).isZero();
        long killed = daemonPids().get(0);
        ProcessHandle process = ProcessHandle.of(killed).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(20, TimeUnit.SECONDS);

        Run run = launcher(dir, bitstamp());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains(STARTED);
        assertThat(run.out()).isEqualTo(expected.out());
        assertThat(daemonPids()).hasSize(1).doesNotContain(killed);
    }

    @Test
    void aNewBuildOfTheJarGetsANewDaemonAndTheOldOneStops() throws Exception {
        assertThat(launcher(dir, bitstamp()).exit()).isZero();
        long old = daemonPids().get(0);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));

        Run run = launcher(dir, bitstamp());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains(STARTED);
        assertThat(run.out()).isEqualTo(expected.out());
        ProcessHandle.of(old).ifPresent(process -> process.onExit().orTimeout(20, TimeUnit.SECONDS).join());
        assertThat(daemonPids()).hasSize(1).doesNotContain(old);
    }

    @Test
    void replaysSentAtTheSameTimeRunAtTheSameTime() throws Exception {
        assertThat(launcher(dir, bitstamp()).exit()).isZero();
        List<Process> processes = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path out = dir.resolve("together-" + i + ".ndjson");
            outs.add(out);
            ProcessBuilder builder = new ProcessBuilder(command(launcherPath(), bitstamp()))
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
            environment(builder.environment());
            processes.add(builder.start());
        }
        for (int i = 0; i < processes.size(); i++) {
            assertThat(processes.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(processes.get(i).exitValue()).isZero();
            assertThat(Files.readString(outs.get(i))).isEqualTo(expected.out());
        }
    }

    @Test
    void theStateFileIsTheOwnersAloneAndAConnectionWithoutItsTokenIsClosedUnanswered() throws Exception {
        assertThat(launcher(dir, bitstamp()).exit()).isZero();
        Path state = stateFiles().get(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rw-------");
        String[] fields = Files.readString(state).strip().split(" ");
        int port = Integer.parseInt(fields[0]);
        String token = fields[1];
        String answer = fields[3];
        assertThat(firstAnswer(port, token)).as("with the token").isEqualTo("p " + answer);
        String wrong = (token.charAt(0) == '0' ? "1" : "0") + token.substring(1);
        assertThat(firstAnswer(port, wrong)).as("with another token").isNull();
    }

    @Test
    void aClosedStandardOutputEndsTheReplayAsItEndsOneRunByTheJar() throws Exception {
        String pipeline = "set -o pipefail; \"$0\" " + String.join(" ", bitstamp()) + " | head -1";
        Run daemon = shell(pipeline, launcherPath().toString());
        Run direct = shell(pipeline.replace("\"$0\"", "\"$0\" -jar \"$1\""),
                ProcessHandle.current().info().command().orElse("java"), jar.toString());
        assertThat(daemon.exit()).isEqualTo(direct.exit()).isZero();
        assertThat(daemon.out()).isEqualTo(direct.out()).isEqualTo(expected.out().lines().findFirst().orElseThrow()
                + "\n");
        assertThat(withoutStart(daemon.err()).replaceAll(" in [0-9.]+ s.*", ""))
                .isEqualTo(direct.err().replaceAll(" in [0-9.]+ s.*", ""));
    }

    @Test
    void aClosedStandardErrorDoesNotCutTheReplayShort() throws Exception {
        Path out = dir.resolve("stderr-closed.ndjson");
        String pipeline = "set -o pipefail; \"$0\" " + String.join(" ", bitstamp()) + " --out " + out
                + " 2>&1 | head -c 1 >/dev/null";
        assertThat(shell(pipeline, launcherPath().toString()).exit()).isZero();
        assertThat(Files.readString(out)).isEqualTo(expected.out());
    }

    @Test
    void withBothStreamsInOneFileTheSummaryComesAfterEveryAlert() throws Exception {
        for (int i = 0; i < 5; i++) {
            Path both = dir.resolve("both-" + i + ".txt");
            String script = "\"$0\" " + String.join(" ", bitstamp()) + " > " + both + " 2>&1";
            assertThat(shell(script, launcherPath().toString()).exit()).isZero();
            String text = withoutStart(Files.readString(both));
            assertThat(text).startsWith(expected.out());
            assertThat(text.substring(expected.out().length()).replaceAll(" in [0-9.]+ s.*", "").strip())
                    .isEqualTo(expected.summary());
        }
    }

    @Test
    void theDaemonKeepsNoneOfTheCallersOpenFilesButItsStandardOnes() throws Exception {
        stopDaemons();
        // the caller reads fd 3 to its end: a daemon that kept it open would hold the caller for 30 minutes
        String script = "x=$(\"$0\" " + String.join(" ", bitstamp()) + " 3>&1 >/dev/null 2>&1); echo read";
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script, launcherPath().toString())
                .directory(dir.toFile());
        environment(builder.environment());
        Path out = Files.createTempFile(dir, "fd", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the caller's read of fd 3 ended").isTrue();
        assertThat(Files.readString(out)).isEqualTo("read\n");
        assertThat(daemonPids()).hasSize(1);
    }

    @Test
    void aRequestTheDaemonDoesNotServeRunsHereAndLeavesTheDaemonRunning() throws Exception {
        assertThat(launcher(dir, bitstamp()).exit()).isZero();
        List<Long> pids = daemonPids();
        List<String> many = new ArrayList<>(List.of(bitstamp()));
        for (int i = 0; i < 600; i++) {
            many.addAll(List.of("--symbol", "BTCUSD"));
        }
        String[] args = many.toArray(String[]::new);
        Run daemon = launcher(dir, args);
        Run direct = direct(args);
        assertThat(daemon.exit()).isEqualTo(direct.exit());
        assertThat(daemon.err()).isEqualTo(direct.err());
        assertThat(daemonPids()).as("the same daemon").isEqualTo(pids);
    }

    @Test
    void aFileOfTheCallersOwnProcessIsReadOrWrittenByTheCaller() throws Exception {
        String[] toStdout = {"replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--symbol", "BTCUSD",
            "--out", "/dev/stdout"};
        Run run = launcher(dir, toStdout);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(expected.out());
    }

    @Test
    void anOutFileTheReplayCreatesHasThePermissionsOfTheCallersUmask() throws Exception {
        for (String umask : List.of("077", "022")) {
            Path out = dir.resolve("umask-" + umask + ".ndjson");
            String script = "umask " + umask + " && \"$0\" " + String.join(" ", bitstamp()) + " --out " + out;
            assertThat(shell(script, launcherPath().toString()).exit()).isZero();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
                    .isEqualTo(umask.equals("077") ? "rw-------" : "rw-r--r--");
            assertThat(Files.readString(out)).isEqualTo(expected.out());
        }
    }

    /** The daemon's first line to a request with {@code token}, or null when it closes the connection instead. */
    private static String firstAnswer(int port, String token) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String request = String.join("\0", ReplayDaemon.MAGIC, token, "run", ReplayDaemon.LINES, "0022", java,
                    dir.toString(), "2", "replay", "--version") + "\0";
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                line.append((char) b);
            }
            return line.length() == 0 ? null : line.toString();
        }
    }

    /** {@code bash -c script} with {@code $0}, {@code $1}... set to {@code args}, the launcher's environment. */
    private static Run shell(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        environment(builder.environment());
        return run(builder);
    }

    private static String[] bitstamp() {
        return new String[] {"replay", "--ticks", ticks.toString(), "--rules", rules.toString(), "--symbol", "BTCUSD"};
    }

    /** Standard error without the launcher's line about a daemon it started. */
    private static String withoutStart(String err) {
        return err.lines().filter(line -> !line.startsWith(STARTED)).map(line -> line + "\n")
                .reduce("", String::concat);
    }

    private static Path launcherPath() {
        return Path.of("bin/tickscan").toAbsolutePath();
    }

    private static Run launcher(Path workingDirectory, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(launcherPath(), args)).directory(workingDirectory.toFile());
        environment(builder.environment());
        return run(builder);
    }

    private static Run direct(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command).directory(dir.toFile()));
    }

    private static List<String> command(Path program, String... args) {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** The launcher runs the test's jar with the test's JDK, through a daemon. */
    private static void environment(Map<String, String> env) {
        env.put("TICKSCAN_JAR", jar.toString());
        env.put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        env.remove("JAVA_OPTS");
        env.remove("TICKSCAN_NO_DAEMON");
    }

    private static Run run(ProcessBuilder builder) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("replay finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The state files of the daemons started for the test's jar. */
    private static List<Path> stateFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().startsWith("tickscan-daemon-for")
                    && !file.getFileName().toString().endsWith(".log")).toList();
        }
    }

    /** The pids of the daemons that are alive and named in a state file. */
    private static List<Long> daemonPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (Path state : stateFiles()) {
            String[] fields = Files.readString(state).trim().split(" ");
            long pid = Long.parseLong(fields[2]);
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                pids.add(pid);
            }
        }
        return pids;
    }
}
