package io.tickscan.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import io.tickscan.config.ConfigLoading;
import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The files of {@code docker/}, checked by reading them: no Docker engine runs where this project is built, so
 * neither the image nor the compose file is ever started by the tests. The compose file is parsed as YAML (anchors
 * and merge keys resolved, as compose does), and each node's configuration, its file and its {@code TICKSCAN_*}
 * variables, goes through the node's own loader and schema, so that a wrong key fails here as it would at start.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The Docker image and the compose file")
class DockerFilesTest {
    private static final Path DOCKER = Path.of("docker");
    private static final List<String> NODES = List.of("tickscan-1", "tickscan-2", "tickscan-3");
    private static final Pattern INTERPOLATION = Pattern.compile("(?<!\\$)\\$(?!\\$)");

    private static Map<String, Object> compose;
    private static Map<String, Object> services;
    private static List<String> dockerfile;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() throws IOException {
        compose = yaml(Files.readString(DOCKER.resolve("compose.yaml")));
        services = map(compose.get("services"));
        dockerfile = instructions(Files.readString(DOCKER.resolve("Dockerfile")));
    }

    @Test
    @DisplayName("runs Kafka, its topic set-up, Redis, three tickscan nodes and Prometheus")
    void hasTheServices() {
        assertThat(services).containsOnlyKeys("kafka", "kafka-init", "redis", "tickscan-1", "tickscan-2",
                "tickscan-3", "prometheus");
        assertThat(string(service("kafka").get("image"))).startsWith("apache/kafka:");
        assertThat(string(service("kafka-init").get("image"))).isEqualTo(string(service("kafka").get("image")));
        assertThat(string(service("redis").get("image"))).isEqualTo("redis:7");
        assertThat(string(service("prometheus").get("image"))).startsWith("prom/prometheus:");
        for (String node : NODES) {
            Map<String, Object> build = map(service(node).get("build"));
            assertThat(DOCKER.resolve(string(build.get("context"))).resolve(string(build.get("dockerfile")))
                    .normalize()).as(node + "'s Dockerfile").isEqualTo(DOCKER.resolve("Dockerfile"));
            assertThat(list(service(node).get("command"))).as(node)
                    .containsExactly("run", "--conf", "/app/conf/node.json");
            assertThat(string(service(node).get("hostname"))).isEqualTo(node);
            // the image's JAVA_OPTS size and pre-touch the heap from the container's memory limit
            assertThat(string(service(node).get("mem_limit"))).as(node + "'s memory limit").matches("\\d+[mg]");
        }
    }

    @Test
    @DisplayName("publishes each node's HTTP port on 8081..8083, and Kafka, Redis and Prometheus on their own")
    void publishesThePorts() {
        for (int i = 0; i < NODES.size(); i++) {
            assertThat(list(service(NODES.get(i)).get("ports"))).as(NODES.get(i))
                    .containsExactly("808" + (i + 1) + ":8080");
        }
        assertThat(list(service("kafka").get("ports"))).containsExactly("9092:9092");
        assertThat(list(service("redis").get("ports"))).containsExactly("6379:6379");
        assertThat(list(service("prometheus").get("ports"))).containsExactly("9090:9090");
    }

    @Test
    @DisplayName("gives Kafka, Redis, Prometheus and every node a health check, the nodes' on /health/ready")
    void hasHealthChecks() {
        for (String name : List.of("kafka", "redis", "prometheus", "tickscan-1", "tickscan-2", "tickscan-3")) {
            assertThat(list(map(service(name).get("healthcheck")).get("test"))).as(name).isNotEmpty();
        }
        assertThat(String.join(" ", list(map(service("kafka").get("healthcheck")).get("test"))))
                .contains("kafka-broker-api-versions.sh --bootstrap-server localhost:9092");
        assertThat(list(map(service("redis").get("healthcheck")).get("test"))).containsExactly("CMD", "redis-cli",
                "ping");
        for (String node : NODES) {
            List<String> test = list(map(service(node).get("healthcheck")).get("test"));
            assertThat(test.get(0)).isEqualTo("CMD");
            // the image's own check, at the port the node listens on in its container; $$ is compose's $
            assertThat(test.subList(1, test.size())).as(node).containsExactlyElementsOf(imageHealthCheck().stream()
                    .map(s -> s.replace("${TICKSCAN_HTTP_PORT:-8080}", "8080").replace("$", "$$")).toList());
        }
    }

    @Test
    @DisplayName("starts the nodes once Kafka and Redis are healthy and the topics exist")
    void startsInOrder() {
        for (String node : NODES) {
            Map<String, Object> dependsOn = map(service(node).get("depends_on"));
            assertThat(condition(dependsOn, "kafka")).as(node).isEqualTo("service_healthy");
            assertThat(condition(dependsOn, "redis")).as(node).isEqualTo("service_healthy");
            assertThat(condition(dependsOn, "kafka-init")).as(node).isEqualTo("service_completed_successfully");
        }
        assertThat(condition(map(service("kafka-init").get("depends_on")), "kafka")).isEqualTo("service_healthy");
        assertThat(map(service("prometheus").get("depends_on"))).containsOnlyKeys(NODES);
    }

    @Test
    @DisplayName("interpolates nothing from the host: every $ in the compose file's values is written $$")
    void interpolatesNothing() {
        List<String> values = new ArrayList<>();
        strings(compose, values);
        assertThat(values).as("values of compose.yaml with a single $ (compose would put a host variable there)")
                .noneMatch(value -> INTERPOLATION.matcher(value.replace("$$", "")).find());
    }

    @Test
    @DisplayName("runs Kafka as one KRaft broker reachable as kafka:19092 inside and localhost:9092 outside, "
            + "with the nodes' topics created")
    void runsKafkaWithTheTopics() {
        Map<String, Object> env = map(service("kafka").get("environment"));
        assertThat(string(env.get("KAFKA_PROCESS_ROLES"))).isEqualTo("broker,controller");
        assertThat(string(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))).isEqualTo("1@kafka:29093");
        assertThat(string(env.get("KAFKA_ADVERTISED_LISTENERS")).split(","))
                .contains("PLAINTEXT://kafka:19092", "PLAINTEXT_HOST://localhost:9092");
        assertThat(Uuid.fromString(string(env.get("CLUSTER_ID")))).as("a KRaft cluster id").isNotNull();

        String script = String.join("\n", list(service("kafka-init").get("command")));
        Matcher topics = Pattern.compile("for topic in ([^;]+);").matcher(script);
        assertThat(topics.find()).as(script).isTrue();
        Map<String, Integer> partitions = new LinkedHashMap<>();
        for (String topic : topics.group(1).trim().split("\\s+")) {
            partitions.put(topic.substring(0, topic.indexOf(':')), Integer.parseInt(topic.substring(topic.indexOf(':') + 1)));
        }
        assertThat(partitions).containsOnlyKeys("ticks", "alerts", "ticks.dead");
        assertThat(partitions.get("ticks")).as("ticks partitions, one at least for each node of the group")
                .isGreaterThanOrEqualTo(NODES.size());
        assertThat(script).contains("--create --if-not-exists").contains("--bootstrap-server kafka:19092");
    }

    @Test
    @DisplayName("gives every node the cluster, Kafka in and out, and Redis, through the node's own configuration "
            + "loader")
    void configuresEveryNode(Vertx vertx) throws IOException {
        Set<String> ids = new HashSet<>();
        int simulators = 0;
        for (String node : NODES) {
            NodeConfig config = nodeConfig(vertx, node, Map.of());
            JsonObject cluster = config.cluster();
            assertThat(cluster.getBoolean("enabled")).as(node).isTrue();
            assertThat(cluster.getString("host")).as(node + "'s cluster.host").isEqualTo(node);
            assertThat(ids.add(config.nodeId())).as(node + "'s node.id " + config.nodeId() + " is its own").isTrue();
            assertThat(config.nodeId()).isEqualTo(node);

            JsonObject kafkaIn = config.source("kafka");
            assertThat(kafkaIn.getBoolean("enabled")).as(node + " reads ticks from Kafka").isTrue();
            assertThat(kafkaIn.getString("bootstrap_servers")).isEqualTo(kafkaInside());
            assertThat(kafkaIn.getString("topic")).isEqualTo("ticks");
            assertThat(kafkaIn.getString("dead_letter_topic")).isEqualTo("ticks.dead");
            JsonObject kafkaOut = config.sink("kafka");
            assertThat(kafkaOut.getBoolean("enabled")).as(node + " writes alerts to Kafka").isTrue();
            assertThat(kafkaOut.getString("bootstrap_servers")).isEqualTo(kafkaInside());
            assertThat(kafkaOut.getString("topic")).isEqualTo("alerts");

            URI redis = URI.create(config.json().getJsonObject("redis").getString("url"));
            assertThat(redis.getScheme()).isEqualTo("redis");
            assertThat(redis.getHost()).as(node + "'s redis.url names the redis service").isEqualTo("redis");
            assertThat(services).containsKey(redis.getHost());
            assertThat(redis.getPort()).isEqualTo(6379);

            // cluster.config is the mounted docker/conf/cluster.xml: Hazelcast reads it as the node would
            Config hazelcast = config.hazelcastConfig();
            TcpIpConfig tcpIp = hazelcast.getNetworkConfig().getJoin().getTcpIpConfig();
            assertThat(tcpIp.isEnabled()).isTrue();
            assertThat(hazelcast.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
            assertThat(tcpIp.getMembers()).as(node + "'s member list")
                    .containsExactlyInAnyOrderElementsOf(NODES.stream().map(n -> n + ":5801").toList());
            assertThat(hazelcast.getNetworkConfig().getPort()).isEqualTo(cluster.getInteger("port")).isEqualTo(5801);
            assertThat(hazelcast.getProperty("hazelcast.local.localAddress")).isEqualTo(node);
            assertThat(hazelcast.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
            assertThat(hazelcast.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
            assertThat(hazelcast.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("5");
            assertThat(hazelcast.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("5");
            assertThat(hazelcast.getMultiMapConfigs()).containsKey("__vertx.subs");
            assertThat(hazelcast.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");

            if (config.source("simulator").getBoolean("enabled")) {
                simulators++;
            }
        }
        assertThat(simulators).as("nodes running the simulated feed (one, so that symbols are not fed twice)")
                .isEqualTo(1);
    }

    @Test
    @DisplayName("a wrong key in a node's configuration fails the check, as it would fail the node's start")
    void aWrongKeyFails(Vertx vertx) {
        assertThatThrownBy(() -> nodeConfig(vertx, "tickscan-1", Map.of("TICKSCAN_REDIS_URI", "redis://redis:6379")))
                .isInstanceOf(NodeConfigLoader.ConfigException.class)
                .hasMessageContaining("TICKSCAN_REDIS_URI is not a known setting (did you mean TICKSCAN_REDIS_URL?)");
        assertThatThrownBy(() -> nodeConfig(vertx, "tickscan-1", Map.of("TICKSCAN_CLUSTER_PORT", "five")))
                .isInstanceOf(NodeConfigLoader.ConfigException.class)
                .hasMessageContaining("cluster.port must be a whole number");
    }

    @Test
    @DisplayName("has Prometheus scrape the three nodes' /metrics")
    void prometheusScrapesTheNodes() throws IOException {
        Map<String, Object> prometheus = yaml(Files.readString(DOCKER.resolve("prometheus.yml")));
        List<Object> jobs = list(prometheus.get("scrape_configs"));
        assertThat(jobs).hasSize(1);
        Map<String, Object> job = map(jobs.get(0));
        assertThat(string(job.get("metrics_path"))).isEqualTo("/metrics");
        List<String> targets = new ArrayList<>();
        for (Object staticConfig : list(job.get("static_configs"))) {
            targets.addAll(list(map(staticConfig).get("targets")));
        }
        assertThat(targets).containsExactlyInAnyOrderElementsOf(NODES.stream().map(n -> n + ":8080").toList());
        assertThat(mounts("prometheus")).containsEntry("/etc/prometheus/prometheus.yml",
                DOCKER.resolve("prometheus.yml"));
        assertThat(list(service("prometheus").get("command")))
                .contains("--config.file=/etc/prometheus/prometheus.yml");
    }

    @Test
    @DisplayName("builds an image on a Java 25 JRE that runs the jar as a non-root user, with a health check on "
            + "/health/ready")
    void theImage() throws IOException {
        List<String> froms = instructionsNamed("FROM");
        String base = froms.get(froms.size() - 1).split("\\s+")[0];
        assertThat(base).as("the final stage's base image").isEqualTo("eclipse-temurin:25-jre");

        List<String> finalStage = dockerfile.subList(dockerfile.lastIndexOf("FROM " + froms.get(froms.size() - 1)),
                dockerfile.size());
        List<String> users = finalStage.stream().filter(i -> i.startsWith("USER ")).map(i -> i.substring(5).trim())
                .toList();
        assertThat(users).as("USER in the final stage").isNotEmpty();
        String user = users.get(users.size() - 1).split(":")[0];
        assertThat(user).as("the user the node runs as").isNotIn("root", "0");

        assertThat(String.join(" ", imageHealthCheck())).contains("/health/ready").contains("127.0.0.1")
                .contains("${TICKSCAN_HTTP_PORT:-8080}").contains("= 200");
        assertThat(imageHealthCheck().get(0)).as("a program the Ubuntu-based JRE image has").isEqualTo("bash");

        assertThat(instructionsNamed("EXPOSE").get(0).split("\\s+")).contains("8080", "5801");
        String javaOpts = instructionsNamed("ENV").stream().filter(e -> e.startsWith("JAVA_OPTS=")).findFirst()
                .orElseThrow();
        assertThat(javaOpts).contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10", "-XX:MaxRAMPercentage=75",
                "-XX:+AlwaysPreTouch").doesNotContain("ZGC");
        assertThat(finalStage).anyMatch(i -> i.startsWith("COPY --from=build ") && i.endsWith(" /app/tickscan.jar"));
        assertThat(new JsonArray(instructionsNamed("ENTRYPOINT").get(0)).getString(2))
                .isEqualTo("exec java $JAVA_OPTS -jar /app/tickscan.jar \"$@\"");
        assertThat(new JsonArray(instructionsNamed("CMD").get(0)).getList()).containsExactly("run");
    }

    @Test
    @DisplayName("builds the jar from every source root the pom names")
    void theBuildStageHasTheSources() throws IOException {
        Matcher source = Pattern.compile("<source>([^<]+)</source>").matcher(Files.readString(Path.of("pom.xml")));
        List<String> roots = new ArrayList<>(List.of("conf"));
        while (source.find()) {
            roots.add(source.group(1));
        }
        assertThat(roots).contains("codecs", "verticles");
        for (String root : roots) {
            assertThat(dockerfile).as("the build stage copies " + root).contains("COPY " + root + " " + root);
        }
        assertThat(dockerfile).contains("COPY pom.xml ./");
        assertThat(Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore"))).contains("target", ".git");
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * A node's configuration as it would load in its container: {@code --conf /app/conf/node.json} and its
     * environment, the container paths of its mounts put back to the files in {@code docker/}.
     */
    private NodeConfig nodeConfig(Vertx vertx, String node, Map<String, String> extra) throws IOException {
        Map<String, Path> mounts = mounts(node);
        List<String> command = list(service(node).get("command"));
        String conf = command.get(command.indexOf("--conf") + 1);
        Path file = hostPath(mounts, conf);
        assertThat(file).as(node + "'s --conf " + conf).isRegularFile();
        Path copy = Files.createTempFile(dir, node, ".json");
        Files.writeString(copy, hostPaths(mounts, new JsonObject(Files.readString(file))).encodePrettily());
        Map<String, String> environment = new LinkedHashMap<>();
        map(service(node).get("environment")).forEach((k, v) -> environment.put(k, hostPathText(mounts, string(v))));
        environment.putAll(extra);
        return ConfigLoading.load(vertx, copy, environment);
    }

    /** The service's bind mounts: container path to the file or folder of {@code docker/}. */
    private static Map<String, Path> mounts(String name) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (String volume : DockerFilesTest.<String>list(service(name).get("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith(".")) {
                mounts.put(parts[1], DOCKER.resolve(parts[0]).normalize());
            }
        }
        return mounts;
    }

    private static Path hostPath(Map<String, Path> mounts, String containerPath) {
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            if (containerPath.equals(mount.getKey())) {
                return mount.getValue();
            }
            if (containerPath.startsWith(mount.getKey() + "/")) {
                return mount.getValue().resolve(containerPath.substring(mount.getKey().length() + 1));
            }
        }
        return null;
    }

    private static String hostPathText(Map<String, Path> mounts, String value) {
        Path host = value.startsWith("/") ? hostPath(mounts, value) : null;
        return host == null ? value : host.toAbsolutePath().toString();
    }

    private static JsonObject hostPaths(Map<String, Path> mounts, JsonObject json) {
        JsonObject out = new JsonObject();
        json.forEach(e -> out.put(e.getKey(), e.getValue() instanceof JsonObject child ? hostPaths(mounts, child)
                : e.getValue() instanceof String text ? hostPathText(mounts, text) : e.getValue()));
        return out;
    }

    /** The address the nodes reach Kafka at: the broker's listener advertised under its service name. */
    private static String kafkaInside() {
        String advertised = string(map(service("kafka").get("environment")).get("KAFKA_ADVERTISED_LISTENERS"));
        for (String listener : advertised.split(",")) {
            if (listener.startsWith("PLAINTEXT://")) {
                String address = listener.substring("PLAINTEXT://".length());
                assertThat(address).startsWith("kafka:");
                return address;
            }
        }
        throw new AssertionError("no PLAINTEXT listener in " + advertised);
    }

    /** The exec-form command of the image's HEALTHCHECK. */
    private static List<String> imageHealthCheck() {
        String check = instructionsNamed("HEALTHCHECK").get(0);
        return new JsonArray(check.substring(check.indexOf("CMD ") + 4).trim()).getList().stream()
                .map(String::valueOf).toList();
    }

    /** The Dockerfile's instructions, one a line: comments dropped, continued lines joined. */
    private static List<String> instructions(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                out.add(current.append(trimmed).toString().replaceAll("\\s{2,}", " ").strip());
                current.setLength(0);
            }
        }
        return out;
    }

    /** The arguments of every instruction with that name, in order. */
    private static List<String> instructionsNamed(String name) {
        return dockerfile.stream().filter(i -> i.startsWith(name + " ")).map(i -> i.substring(name.length() + 1))
                .toList();
    }

    /** Every string of a parsed YAML document, keys and values. */
    private static void strings(Object node, List<String> into) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                strings(k, into);
                strings(v, into);
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> strings(item, into));
        } else if (node instanceof String text) {
            into.add(text);
        }
    }

    private static String condition(Map<String, Object> dependsOn, String service) {
        assertThat(dependsOn).containsKey(service);
        return string(map(dependsOn.get(service)).get("condition"));
    }

    private static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return map(services.get(name));
    }

    private static Map<String, Object> yaml(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<T>) value;
    }

    private static String string(Object value) {
        assertThat(value).isInstanceOf(String.class);
        return (String) value;
    }
}
