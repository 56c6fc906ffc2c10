package io.tickscan.config;

import io.tickscan.engine.EngineSettings;
import io.tickscan.rules.RuleLimits;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.vertx.core.json.JsonObject;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * A node's validated configuration ({@code conf/tickscan.json} with environment overrides), read by the
 * composition root. Verticles get their own slice as their {@code config()}.
 *
 * @param json the whole configuration, validated against {@code conf/tickscan.schema.json}
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

    /** {@code rules.file}. */
    public String rulesFile() {
        return json.getJsonObject("rules").getString("file");
    }

    /**
     * The JSON text of the rules a node starts with when the cluster runs none yet ({@code rules.file}).
     *
     * @throws NodeConfigLoader.ConfigException naming {@code rules.file} and the reason when it cannot be read
     */
    public String rulesText() {
        try {
            return Files.readString(Path.of(rulesFile()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NodeConfigLoader.ConfigException(List.of("rules.file: cannot read " + rulesFile() + " ("
                    + e.getClass().getSimpleName() + ")"));
        }
    }

    /**
     * The Hazelcast configuration of {@code cluster.config}, with {@code cluster.name}, {@code cluster.host}
     * and {@code cluster.port} put in its {@code ${cluster.*}} placeholders.
     *
     * @throws NodeConfigLoader.ConfigException naming {@code cluster.config} when it cannot be read
     */
    public Config hazelcastConfig() {
        JsonObject cluster = cluster();
        Properties properties = new Properties();
        properties.setProperty("cluster.name", cluster.getString("name"));
        properties.setProperty("cluster.host", cluster.getString("host"));
        properties.setProperty("cluster.port", String.valueOf(cluster.getInteger("port")));
        try {
            return new FileSystemXmlConfig(cluster.getString("config"), properties);
        } catch (FileNotFoundException e) {
            throw new NodeConfigLoader.ConfigException(List.of("cluster.config: no such file "
                    + cluster.getString("config")));
        }
    }

    /** The limits of a rule set: {@code engine.history_minutes}, {@code rules.max_rules}, {@code rules.max_conditions}. */
    public RuleLimits ruleLimits() {
        return ruleLimits(engine(), json.getJsonObject("rules"));
    }

    /**
     * The limits of a rule set from the {@code engine.*} and {@code rules.*} settings of a validated configuration,
     * where {@code rules.max_rules} and {@code rules.max_conditions} are always present.
     */
    public static RuleLimits ruleLimits(JsonObject engine, JsonObject rules) {
        return new RuleLimits(engine.getInteger("history_minutes"), rules.getInteger("max_rules"),
                rules.getInteger("max_conditions"));
    }

    /** {@code sources.<name>.*}. */
    public JsonObject source(String name) {
        return json.getJsonObject("sources").getJsonObject(name);
    }

    /** The engine settings of {@code engine.*} (already validated). */
    public static EngineSettings engineSettings(JsonObject engine) {
        return new EngineSettings(engine.getInteger("history_minutes"), ZoneId.of(engine.getString("session_zone")),
                LocalTime.parse(engine.getString("session_start")));
    }
}
