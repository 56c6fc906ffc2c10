package io.tickscan.testdata;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A one-node KRaft broker (broker and controller combined) run as a child JVM from the test classpath
 * ({@code kafka.Kafka}), its storage formatted first with {@code kafka.tools.StorageTool}, on free loopback ports
 * that it keeps across restarts. Being a separate process, it can be killed, paused or have its CPU time read apart
 * from the JVM that started it ({@link #cpuNanos()}).
 *
 * <p>{@code KafkaOutageIT} kills it and starts it again mid-run ({@link #kill()}, {@link #startAgain()});
 * {@code KafkaBenchmark} reads its CPU time.
 */
public final class KafkaBroker implements AutoCloseable {
    /** JVM options that start a broker fast and small, for tests. */
    public static final List<String> TEST_JVM = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    /** The JVM options of Kafka's own {@code kafka-server-start.sh}, for measurements. */
    public static final List<String> SERVER_JVM = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true");

    private final Path dir;
    private final List<String> jvm;
    private final int brokerPort;
    private final int controllerPort;
    private final Path serverProperties;
    private final Admin admin;
    private Process process;

    private KafkaBroker(Path dir, List<String> jvm, Map<String, String> overrides) throws IOException {
        this.dir = dir;
        this.jvm = jvm;
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        Path logs = Files.createDirectories(dir.resolve("kafka-logs"));
        this.serverProperties = dir.resolve("server.properties");
        Map<String, String> props = new java.util.LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logs.toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.putAll(overrides);
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(serverProperties, text);
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap(), "request.timeout.ms", "3000",
                "default.api.timeout.ms", "5000"));
    }

    /**
     * Formats a new log directory under {@code dir}, starts the broker and waits (up to 120 s) until it answers.
     *
     * @param jvm       the child JVM's options ({@link #TEST_JVM}, {@link #SERVER_JVM})
     * @param overrides server properties over this class's (such as {@code num.io.threads})
     */
    public static KafkaBroker start(Path dir, List<String> jvm, Map<String, String> overrides) throws Exception {
        KafkaBroker broker = new KafkaBroker(dir, jvm, overrides);
        try {
            broker.format();
            broker.startAgain();
            return broker;
        } catch (Exception | AssertionError e) {
            broker.close();
            throw e;
        }
    }

    private void format() throws Exception {
        Path log = dir.resolve("format.log");
        Process format = java("kafka.tools.StorageTool", "format", "-t",
                UUID.randomUUID().toString().replace("-", "").substring(0, 22), "-c", serverProperties.toString(),
                "--standalone").redirectOutput(log.toFile()).redirectErrorStream(true).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("StorageTool failed: " + Files.readString(log));
        }
    }

    /** Starts the broker JVM (again, after {@link #kill()}) on the same ports and log dir; waits until it answers. */
    public void startAgain() throws Exception {
        File log = dir.resolve("broker.log").toFile();
        process = java("kafka.Kafka", serverProperties.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited; log tail:\n" + tail(log.toPath()));
            }
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not answer within 120 s; log tail:\n"
                        + tail(log.toPath()));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private ProcessBuilder java(String main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrap() {
        return "127.0.0.1:" + brokerPort;
    }

    /** An admin client of this broker (closed with it). */
    public Admin admin() {
        return admin;
    }

    /** Creates {@code topic} with {@code partitions} partitions, replication 1. */
    public void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    /** The broker JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** CPU time (user and system) the broker JVM has used so far, in ns, as the OS counts it. */
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
    }

    /** Kills the broker JVM (SIGKILL) and waits until it is gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        admin.close(Duration.ofSeconds(2));
        kill();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
