package io.tickscan.config;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.InvalidConfigurationException;
import io.tickscan.engine.EngineSettings;
import io.tickscan.rules.RuleLimits;
import io.vertx.core.json.JsonObject;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;

/**
 * A node's validated configuration (the jar's defaults, the {@code --conf} file, environment overrides; see
 * {@link NodeConfigLoader}), read by the composition root. Verticles get their own slice as their
 * {@code config()}.
 *
 * @param json the whole configuration, every key present, validated against {@code conf/tickscan.schema.json}
 */
public record NodeConfig(JsonObject json) {

    /** The node's id: {@code node.id}, or a random one when empty. */
    public String nodeId() {
        return json.getJsonObject("node").getString("id");
    }

    /** {@code cluster.*}. */
    public JsonObject cluster() {
        return json.getJsonObject("cluster");
    }

    /** {@code http.*}. */
    public JsonObject http() {
        return json.getJsonObject("http");
    }

    /** {@code partitions}: the cluster-wide number of partitions. */
    public int partitions() {
        return json.getInteger("partitions");
    }

    /** {@code routing.*}. */
    public JsonObject routing() {
        return json.getJsonObject("routing");
    }

    /** {@code scanner.*}. */
    public JsonObject scanner() {
        return json.getJsonObject("scanner");
    }

    /** {@code engine.*}. */
    public JsonObject engine() {
        return json.getJsonObject("engine");
    }

    /** {@code rules.file}: the rules file a node starts with; empty for the rules bundled in the jar. */
    public String rulesFile() {
        return json.getJsonObject("rules").getString("file");
    }

    /**
     * The JSON text of the rules a node starts with when the cluster runs none yet: {@code rules.file}, or the
     * rules bundled in the jar (a copy of {@code conf/rules.json}) when it is empty.
     *
     * @throws NodeConfigLoader.ConfigException naming {@code rules.file} and the reason when it cannot be read
     */
    public String rulesText() {
        if (rulesFile().isEmpty()) {
            return Bundled.text(Bundled.RULES);
        }
        Path file = Path.of(rulesFile()).toAbsolutePath().normalize();
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NodeConfigLoader.ConfigException(List.of("rules.file: " + NodeConfigLoader
                    .unreadable(file.toString(), file).orElse("cannot read " + file + " (" + e.getMessage() + ")")));
        }
    }

    /**
     * The Hazelcast configuration of {@code cluster.config}, or the one bundled in the jar (a copy of
     * {@code conf/cluster.xml}) when it is empty, with {@code cluster.name}, {@code cluster.host} and
     * {@code cluster.port} put in its {@code ${cluster.*}} placeholders.
     *
     * @throws NodeConfigLoader.ConfigException naming {@code cluster.config} when it cannot be read or is not a
     *                                          Hazelcast configuration
     */
    public Config hazelcastConfig() {
        JsonObject cluster = cluster();
        Properties properties = new Properties();
        properties.setProperty("cluster.name", cluster.getString("name"));
        properties.setProperty("cluster.host", cluster.getString("host"));
        properties.setProperty("cluster.port", String.valueOf(cluster.getInteger("port")));
        String config = cluster.getString("config");
        if (config.isEmpty()) {
            return new ClasspathXmlConfig(NodeConfig.class.getClassLoader(), Bundled.CLUSTER, properties);
        }
        Path file = Path.of(config).toAbsolutePath().normalize();
        try {
            return new FileSystemXmlConfig(file.toFile(), properties);
        } catch (FileNotFoundException e) {
            throw new NodeConfigLoader.ConfigException(List.of("cluster.config: "
                    + NodeConfigLoader.unreadable(file.toString(), file).orElse("cannot read " + file)));
        } catch (InvalidConfigurationException e) {
            throw new NodeConfigLoader.ConfigException(List.of("cluster.config: " + file + " is not a Hazelcast "
                    + "configuration: " + schemaComplaint(String.valueOf(e.getMessage()))));
        }
    }

    /**
     * The first line of Hazelcast's complaint without the XML Schema's code, namespaces and list of every element
     * it would have taken: {@code Invalid content was found starting with element 'nope'}.
     */
    private static String schemaComplaint(String message) {
        return message.lines().findFirst().orElse("").replaceFirst("^cvc-[\\w.-]+: ", "")
                .replaceAll("\\{\"[^\"]*\":([^}]*)}", "$1").replaceFirst("\\. One of '.*", "");
    }

    /**
     * The limits of a rule set: {@code engine.history_minutes}, {@code rules.max_rules},
     * {@code rules.max_conditions}.
     */
    public RuleLimits ruleLimits() {
        return ruleLimits(engine(), json.getJsonObject("rules"));
    }

    /**
     * The limits of a rule set from the {@code engine.*} and {@code rules.*} settings of a validated configuration,
     * where {@code rules.max_rules} and {@code rules.max_conditions} are always present (the jar's defaults hold
     * them).
     */
    public static RuleLimits ruleLimits(JsonObject engine, JsonObject rules) {
        return new RuleLimits(engine.getInteger("history_minutes"), rules.getInteger("max_rules"),
                rules.getInteger("max_conditions"));
    }

    /** {@code sources.<name>.*}. */
    public JsonObject source(String name) {
        return json.getJsonObject("sources").getJsonObject(name);
    }

    /** {@code sinks.<name>.*}. */
    public JsonObject sink(String name) {
        return json.getJsonObject("sinks").getJsonObject(name);
    }

    /** The engine settings of {@code engine.*} (already validated). */
    public static EngineSettings engineSettings(JsonObject engine) {
        return new EngineSettings(engine.getInteger("history_minutes"), ZoneId.of(engine.getString("session_zone")),
                LocalTime.parse(engine.getString("session_start")));
    }
}
