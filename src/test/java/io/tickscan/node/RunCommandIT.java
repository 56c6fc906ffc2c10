package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/tickscan.jar run} as a user starts it, from a directory of its own (so nothing comes
 * from the repository's {@code conf/}): defaults from the jar, environment overrides, readiness, SIGTERM, and the
 * messages of a configuration or command line that cannot be used.
 */
@DisplayName("tickscan run, from the jar")
class RunCommandIT {
    @TempDir
    Path dir;

    record Exited(int code, List<String> err) {
    }

    /** {@code tickscan run ARGS} in {@link #dir}, with {@code env} as name, value pairs; output to files. */
    private Process start(String name, List<String> args, String... env) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", Path.of("target/tickscan.jar").toAbsolutePath().toString(), "run"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        for (int i = 0; i < env.length; i += 2) {
            builder.environment().put(env[i], env[i + 1]);
        }
        return builder.start();
    }

    private Exited run(String name, List<String> args, String... env) throws Exception {
        Process process = start(name, args, env);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("tickscan run ended").isTrue();
        return new Exited(process.exitValue(), Files.readAllLines(dir.resolve(name + ".err")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    @DisplayName("with no --conf, from any directory, a node runs the jar's defaults, answers, and ends with exit "
            + "code 0 after a clean stop on SIGTERM")
    void aNodeRunsTheJarsDefaultsAndEndsWithZeroOnSigterm() throws Exception {
        int port = freePort();
        Process process = start("node", List.of(), "TICKSCAN_HTTP_PORT", String.valueOf(port),
                "TICKSCAN_HTTP_HOST", "127.0.0.1",
                "TICKSCAN_CLUSTER_NAME", "run-it-" + UUID.randomUUID(),
                "TICKSCAN_CLUSTER_PORT", String.valueOf(40_000 + ThreadLocalRandom.current().nextInt(10_000)),
                "TICKSCAN_SOURCES_SIMULATOR_SYMBOLS", "300",
                "TICKSCAN_NODE_ID", "run-it-node");
        Path log = dir.resolve("node.out");
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline && process.isAlive()) {
                try {
                    status = http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (IOException notYet) {
                    process.waitFor(200, TimeUnit.MILLISECONDS);
                }
            }
            assertThat(status).as(Files.readString(log) + Files.readString(dir.resolve("node.err"))).isEqualTo(200);
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("tick_processed_total");
            String rules = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/rules"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(rules).as("the rules bundled in the jar").contains("momentum-5m");
        } finally {
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("configuration: the jar's defaults, then the TICKSCAN_* environment",
                "[run-it-node]", "stopping", "stopped").doesNotContain("Exception");
        assertThat(output.indexOf("stopped")).isGreaterThan(output.indexOf("stopping"));
        assertThat(Files.readString(dir.resolve("node.err"))).isEmpty();
    }

    @Test
    @DisplayName("wrong settings stop the start with exit code 1 and one line each: key, expected, found, variable")
    void wrongSettingsAreOneLineEach() throws Exception {
        Exited run = run("bad", List.of(), "TICKSCAN_HTTP_PORT", "eighty", "TICKSCAN_SCANNER_THREADING", "fibers");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).containsExactly("tickscan run: invalid configuration (2 problems):",
                "  http.port must be a whole number, found \"eighty\" (from TICKSCAN_HTTP_PORT)",
                "  scanner.threading must be \"event-loop\" or \"worker\", found \"fibers\" "
                        + "(from TICKSCAN_SCANNER_THREADING)");
    }

    @Test
    @DisplayName("a --conf file of one key is enough, and the rules file it names must exist: exit code 1, the key "
            + "named")
    void aMissingRulesFileIsNamedAtLoad() throws Exception {
        Files.writeString(dir.resolve("mine.json"), "{\"rules\": {\"file\": \"my-rules.json\"}}");
        Exited run = run("rules", List.of("--conf", "mine.json"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).containsExactly("tickscan run: invalid configuration: rules.file: no such file "
                + dir.toRealPath().resolve("my-rules.json"));
    }

    @Test
    @DisplayName("a --conf file that does not exist is named: exit code 1")
    void aMissingConfFileIsNamed() throws Exception {
        Exited run = run("missing", List.of("--conf", "nope.json"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).containsExactly("tickscan run: invalid configuration: no such file nope.json");
    }

    @Test
    @DisplayName("a wrong argument prints the error and a hint to --help, not the whole usage: exit code 2")
    void aWrongArgumentGetsAHint() throws Exception {
        Exited run = run("argument", List.of("--bogus"));
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).containsExactly("tickscan run: Unknown option: '--bogus'", "Try 'tickscan run --help'.");
    }
}
