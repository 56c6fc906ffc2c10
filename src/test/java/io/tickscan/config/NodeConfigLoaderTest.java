package io.tickscan.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hazelcast.config.Config;
import io.tickscan.rules.RuleLimits;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(VertxExtension.class)
@DisplayName("The configuration of a node")
class NodeConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static ConfigStoreOptions environment(String... variables) {
        JsonObject env = new JsonObject().put("PATH", "/usr/bin").put("http_proxy", "x");
        for (int i = 0; i < variables.length; i += 2) {
            env.put(variables[i], variables[i + 1]);
        }
        return new ConfigStoreOptions().setType("json").setConfig(env);
    }

    private static NodeConfig load(Vertx vertx, Path conf, String... variables) {
        return NodeConfigLoader.load(vertx, conf, environment(variables)).await();
    }

    private static List<String> problems(Vertx vertx, Path conf, String... variables) {
        return catchThrowableOfType(NodeConfigLoader.ConfigException.class, () -> load(vertx, conf, variables))
                .problems();
    }

    @Test
    @DisplayName("runs with no file at all: the defaults in the jar, which are conf/tickscan.json")
    void runsWithNoFileAtAll(Vertx vertx) throws Exception {
        NodeConfig config = load(vertx, null);
        assertThat(config.json()).isEqualTo(new JsonObject(Files.readString(Path.of("conf/tickscan.json"))));
        assertThat(config.rulesFile()).isEmpty();
        assertThat(config.rulesText()).isEqualTo(Files.readString(Path.of("conf/rules.json")));
        assertThat(config.ruleLimits()).isEqualTo(new RuleLimits(180, 1000, 64));
        Config hazelcast = config.hazelcastConfig();
        assertThat(hazelcast.getClusterName()).isEqualTo("tickscan");
        assertThat(hazelcast.getNetworkConfig().getPort()).isEqualTo(5801);
        assertThat(hazelcast.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
        assertThat(hazelcast.getMultiMapConfigs()).containsKey("__vertx.subs");
    }

    @Test
    @DisplayName("a --conf file holds only the keys it changes; the others keep their defaults")
    void aPartialFileChangesOnlyItsKeys(Vertx vertx) throws Exception {
        NodeConfig config = load(vertx, file("conf.json", """
                {"http": {"port": 9090}, "rules": {"max_rules": 10}, "cluster": {"name": "mine"}}"""));
        assertThat(config.http().getInteger("port")).isEqualTo(9090);
        assertThat(config.http().getString("host")).isEqualTo("0.0.0.0");
        assertThat(config.http().getInteger("max_body_bytes")).isEqualTo(4_194_304);
        assertThat(config.ruleLimits()).isEqualTo(new RuleLimits(180, 10, 64));
        assertThat(config.hazelcastConfig().getClusterName()).isEqualTo("mine");
        assertThat(config.partitions()).isEqualTo(256);
    }

    @Test
    @DisplayName("TICKSCAN_* variables override the file, each with its key's type; the rest of the environment is "
            + "ignored")
    void environmentOverridesAPartialFile(Vertx vertx) throws Exception {
        NodeConfig config = load(vertx, file("conf.json", """
                {"http": {"port": 9090, "host": "127.0.0.1"}, "scanner": {"instances": 2}}"""),
                "TICKSCAN_HTTP_PORT", "9191", "TICKSCAN_CLUSTER_ENABLED", "false",
                "TICKSCAN_SOURCES_SIMULATOR_TICKS_PER_SECOND", "100000");
        assertThat(config.http().getInteger("port")).isEqualTo(9191);
        assertThat(config.http().getString("host")).isEqualTo("127.0.0.1");
        assertThat(config.scanner().getInteger("instances")).isEqualTo(2);
        assertThat(config.cluster().getBoolean("enabled")).isFalse();
        assertThat(config.source("simulator").getInteger("ticks_per_second")).isEqualTo(100_000);
        assertThat(config.json().fieldNames()).doesNotContain("PATH", "http_proxy");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("a wrong setting in the file gets exactly one line naming the key, what it must be and what was found")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"scanner": {"threading": "banana"}}         | scanner.threading must be "event-loop" or "worker", found "banana"
            {"http": {"port": 70000}}                    | http.port must be a whole number from 0 to 65535, found 70000
            {"http": {"port": "eighty"}}                 | http.port must be a whole number, found "eighty"
            {"http": {"port": 80.5}}                     | http.port must be a whole number, found 80.5
            {"http": {"port": -1.5}}                     | http.port must be a whole number from 0 to 65535, found -1.5
            {"routing": {"buffer_ticks": 0}}             | routing.buffer_ticks must be a whole number of at least 1, found 0
            {"cluster": {"enabled": "yes"}}              | cluster.enabled must be true or false, found "yes"
            {"cluster": {"name": ""}}                    | cluster.name must be a non-empty string, found ""
            {"cluster": {"bus_port": 70000}}             | cluster.bus_port must be a whole number from 0 to 65535, found 70000
            {"node": {"id": null}}                       | node.id must be a string, found null
            {"node": {"id": "a b"}}                      | node.id must be empty, or up to 64 of A-Z a-z 0-9 . _ -, found "a b"
            {"engine": {"session_start": "25:00"}}       | engine.session_start must be a time of day from 00:00 to 23:59 (HH:MM), found "25:00"
            {"engine": {"session_zone": "Mars/Olympus"}} | engine.session_zone must be a time zone such as UTC, Europe/London or America/New_York, found "Mars/Olympus"
            {"sources": {"file": {"speed": "fast"}}}     | sources.file.speed must be a speed such as 1x, 2.5x or max, found "fast"
            {"rules": {"max_conditions": 0}}             | rules.max_conditions must be a whole number from 1 to 10000, found 0
            {"http": 5}                                  | http must be an object, found 5
            {"sources": {"simulator": {"symbls": 5}}}    | sources.simulator.symbls is not a known key (did you mean symbols?)
            {"http": {"prot": 80}}                       | http.prot is not a known key (did you mean port?)
            {"extra": true}                              | extra is not a known key (known keys: node, cluster, http, engine, partitions, routing, scanner, rules, sources, sinks, redis)
            {"sources": {"file": {"enabled": true}}}     | sources.file.path must name a CSV file of ticks when sources.file.enabled is true
            """)
    void aWrongSettingIsOneLine(String conf, String problem, Vertx vertx) throws Exception {
        assertThat(problems(vertx, file("conf.json", conf))).containsExactly(problem);
    }

    @Test
    @DisplayName("a wrong value from the environment names its variable too, and every problem is reported at once")
    void environmentProblemsNameTheVariable(Vertx vertx) throws Exception {
        assertThat(problems(vertx, file("conf.json", "{\"scanner\": {\"threading\": \"fibers\"}}"),
                "TICKSCAN_HTTP_PORT", "eighty", "TICKSCAN_HTTP_PROT", "80", "TICKSCAN_NOPE", "1"))
                .containsExactly(
                        "TICKSCAN_HTTP_PROT is not a known setting (did you mean TICKSCAN_HTTP_PORT?)",
                        "TICKSCAN_NOPE is not a known setting (a setting's variable is TICKSCAN_ and its key in "
                                + "capitals with _ for ., such as TICKSCAN_HTTP_PORT for http.port)",
                        "http.port must be a whole number, found \"eighty\" (from TICKSCAN_HTTP_PORT)",
                        "scanner.threading must be \"event-loop\" or \"worker\", found \"fibers\"");
    }

    @Test
    @DisplayName("a --conf file that is not JSON says where and why, in plain words")
    void aFileThatIsNotJson(Vertx vertx) throws Exception {
        Path conf = file("conf.json", "{\n  \"http\": {\n    \"port\" 80\n  }\n}\n");
        assertThat(problems(vertx, conf)).containsExactly(conf + ": not valid JSON at line 3, column 12: "
                + "Unexpected character ('8'): was expecting a colon to separate field name and value");
        Path open = file("open.json", "{\"http\": {\"port\": 80}\n");
        assertThat(problems(vertx, open)).containsExactly(open + ": not valid JSON at line 2, column 1: "
                + "Unexpected end-of-input: expected close marker for Object (start marker at line 1, column 1)");
        Path array = file("array.json", "[1, 2]");
        assertThat(problems(vertx, array)).containsExactly(array
                + ": must hold one JSON object of settings, such as {\"http\": {\"port\": 9090}}");
    }

    @Test
    @DisplayName("a --conf file that is missing or a directory is named")
    void aMissingConfFileIsNamed(Vertx vertx) {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> load(vertx, missing))
                .hasMessage("invalid configuration: no such file " + missing);
        assertThat(problems(vertx, dir)).containsExactly(dir + " is a directory, not a file");
    }

    @Test
    @DisplayName("a rules file, file-source file or cluster config that cannot be read is refused at load with its key")
    void filesNamedByTheConfigurationMustBeReadable(Vertx vertx) throws Exception {
        Path ticks = dir.resolve("ticks.csv");
        Path rules = dir.resolve("rules.json");
        Path cluster = dir.resolve("cluster.xml");
        Path conf = file("conf.json", new JsonObject()
                .put("rules", new JsonObject().put("file", rules.toString()))
                .put("cluster", new JsonObject().put("config", cluster.toString()))
                .put("sources", new JsonObject().put("file", new JsonObject().put("enabled", true)
                        .put("path", ticks.toString()))).encode());
        assertThat(problems(vertx, conf)).containsExactly(
                "rules.file: no such file " + rules,
                "sources.file.path: no such file " + ticks,
                "cluster.config: no such file " + cluster);
        assertThat(problems(vertx, null, "TICKSCAN_SOURCES_FILE_ENABLED", "true",
                "TICKSCAN_SOURCES_FILE_PATH", dir.toString()))
                .containsExactly("sources.file.path: " + dir + " is a directory, not a file "
                        + "(from TICKSCAN_SOURCES_FILE_PATH)");
    }

    @Test
    @DisplayName("a rules file or cluster config that goes away after the load is still named with its key")
    void rulesAndClusterFilesReadLaterNameTheirKey(Vertx vertx) throws Exception {
        Path rules = file("rules.json", "[]");
        Path cluster = file("cluster.xml", Files.readString(Path.of("conf/cluster.xml")));
        NodeConfig config = load(vertx, null, "TICKSCAN_RULES_FILE", rules.toString(),
                "TICKSCAN_CLUSTER_CONFIG", cluster.toString());
        assertThat(config.rulesText()).isEqualTo("[]");
        assertThat(config.hazelcastConfig().getClusterName()).isEqualTo("tickscan");
        Files.delete(rules);
        Files.writeString(cluster, "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\"><nope/></hazelcast>");
        assertThatThrownBy(config::rulesText).hasMessage("invalid configuration: rules.file: no such file " + rules);
        assertThatThrownBy(config::hazelcastConfig).hasMessage("invalid configuration: cluster.config: " + cluster
                + " is not a Hazelcast configuration: Invalid content was found starting with element 'nope'");
    }
}
