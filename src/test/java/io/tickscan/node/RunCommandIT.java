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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/tickscan.jar run} as a user starts it: environment overrides, readiness, SIGTERM. */
@DisplayName("tickscan run, from the jar")
class RunCommandIT {
    @TempDir
    Path dir;

    private ProcessBuilder tickscan(Path log, String... env) {
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                Path.of("target/tickscan.jar").toAbsolutePath().toString(), "run")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        for (int i = 0; i < env.length; i += 2) {
            builder.environment().put(env[i], env[i + 1]);
        }
        return builder;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aNodeStartsWithEnvironmentOverridesAnswersAndStopsCleanlyOnSigterm() throws Exception {
        int port = freePort();
        Path log = dir.resolve("node.log");
        Process process = tickscan(log, "TICKSCAN_HTTP_PORT", String.valueOf(port),
                "TICKSCAN_HTTP_HOST", "127.0.0.1",
                "TICKSCAN_CLUSTER_NAME", "run-it-" + UUID.randomUUID(),
                "TICKSCAN_CLUSTER_PORT", String.valueOf(40_000 + ThreadLocalRandom.current().nextInt(10_000)),
                "TICKSCAN_SOURCES_SIMULATOR_SYMBOLS", "300",
                "TICKSCAN_NODE_ID", "run-it-node").start();
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
                    Thread.sleep(200);
                }
            }
            assertThat(status).as(Files.readString(log)).isEqualTo(200);
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("tick_processed_total");
        } finally {
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String output = Files.readString(log);
        assertThat(output).contains("[run-it-node]", "stopping", "stopped").doesNotContain("Exception");
        assertThat(output.indexOf("stopped")).isGreaterThan(output.indexOf("stopping"));
    }

    @Test
    void aWrongSettingStopsTheStartWithTheKeyNamed() throws Exception {
        Path log = dir.resolve("bad.log");
        Process process = tickscan(log, "TICKSCAN_HTTP_PORT", "eighty", "TICKSCAN_SCANNER_THREADING", "fibers").start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        List<String> lines = Files.readAllLines(log);
        assertThat(String.join("\n", lines)).contains("TICKSCAN_HTTP_PORT (http.port): 'eighty' is not a whole number");
    }
}
