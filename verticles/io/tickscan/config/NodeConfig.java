package io.tickscan.config;

import io.tickscan.engine.EngineSettings;
import io.tickscan.rules.RuleLimits;
import io.vertx.core.json.JsonObject;
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

    /** The limits of a rule set: {@code engine.history_minutes}, {@code rules.max_rules}, {@code rules.max_conditions}. */
    public RuleLimits ruleLimits() {
        JsonObject rules = json.getJsonObject("rules");
        return new RuleLimits(engine().getInteger("history_minutes"),
                rules.getInteger("max_rules", RuleLimits.DEFAULT_MAX_RULES),
                rules.getInteger("max_conditions", RuleLimits.DEFAULT_MAX_CONDITIONS));
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
