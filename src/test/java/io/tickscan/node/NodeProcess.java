package io.tickscan.node;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of the fat jar ({@code java -jar target/tickscan.jar run --conf <file>}) as a child process, its
 * standard output and error kept in {@code <name>.out} and {@code <name>.err} of its directory, that a test can
 * kill ({@code SIGKILL}), freeze ({@code SIGSTOP}) and wake ({@code SIGCONT}), and whose HTTP API it can read.
 */
final class NodeProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int httpPort;
    private final Path dir;
    private final Process process;

    private NodeProcess(String name, int httpPort, Path dir, Process process) {
        this.name = name;
        this.httpPort = httpPort;
        this.dir = dir;
        this.process = process;
    }

    /** Starts a node with the configuration {@code conf} (written to {@code <name>.json} in {@code dir}). */
    static NodeProcess start(String name, Path dir, JsonObject conf, List<String> jvmOptions) throws IOException {
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, conf.encodePrettily());
        List<String> command = new java.util.ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Path.of("target/tickscan.jar").toAbsolutePath().toString(), "run", "--conf",
                file.toString()));
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
        return new NodeProcess(name, conf.getJsonObject("http").getInteger("port"), dir, process);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9}: no goodbye to the cluster, no last checkpoint. Waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** {@code kill -STOP}: the process keeps its sockets open and answers nothing until {@link #wake()}. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** {@code kill -CONT}. */
    void wake() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** Wakes the process if frozen and kills it; for clean-up, whatever state it is in. */
    void destroy() throws InterruptedException {
        if (process.isAlive()) {
            try {
                wake();
            } catch (IOException | RuntimeException e) {
                // killed below all the same
            }
            kill();
        }
    }

    /** True when {@code /health/ready} answers 200; fails when the process has ended. */
    boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("node " + name + " ended with " + process.exitValue() + ": " + outputTail());
        }
        try {
            return HTTP.send(request("/health/ready"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET /api/status}, or an empty object when the node does not answer within 2 s. */
    JsonObject status() {
        try {
            HttpResponse<String> answer = HTTP.send(request("/api/status"), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? new JsonObject(answer.body()) : new JsonObject();
        } catch (IOException e) {
            return new JsonObject();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the node's Prometheus samples whose name starts with {@code name}, or -1 when it does not answer. */
    double metric(String name) {
        try {
            String text = HTTP.send(request("/metrics"), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(line -> line.startsWith(name) && !line.startsWith("#"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(2)).build();
    }

    /** The last 40 lines of the node's output and error, for a failure's message. */
    String outputTail() {
        StringBuilder tail = new StringBuilder();
        for (String stream : List.of(".out", ".err")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(name + stream));
                tail.append("\n--- ").append(name).append(stream).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            } catch (IOException e) {
                tail.append(e);
            }
        }
        return tail.toString();
    }
}
