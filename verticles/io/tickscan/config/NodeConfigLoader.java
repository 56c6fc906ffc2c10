package io.tickscan.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads a node's configuration with vertx-config: the JSON file, then environment variables, each
 * {@code TICKSCAN_<PATH>} overriding the key at that path ({@code TICKSCAN_HTTP_PORT} is {@code http.port},
 * {@code TICKSCAN_SOURCES_SIMULATOR_TICKS_PER_SECOND} is {@code sources.simulator.ticks_per_second}); then
 * validates the result against {@code conf/tickscan.schema.json}. Every error names the key.
 */
public final class NodeConfigLoader {
    /** Prefix of the environment variables that override settings. */
    public static final String ENV_PREFIX = "TICKSCAN_";
    private static final Validator SCHEMA = JsonSchemas.load("tickscan/tickscan.schema.json");

    /** A configuration that cannot be used, with every problem found. */
    public static final class ConfigException extends RuntimeException {
        /** @param problems one line each, naming the key */
        public ConfigException(List<String> problems) {
            super("invalid configuration:\n  " + String.join("\n  ", problems), null, false, false);
        }
    }

    private NodeConfigLoader() {
    }

    /** Reads, overrides and validates the configuration at {@code file}. */
    public static Future<NodeConfig> load(Vertx vertx, Path file) {
        if (!Files.isReadable(file)) {
            return Future.failedFuture(new ConfigException(List.of("cannot read the configuration file " + file)));
        }
        ConfigRetriever fileStore = retriever(vertx, new ConfigStoreOptions().setType("file").setFormat("json")
                .setConfig(new JsonObject().put("path", file.toString())));
        ConfigRetriever envStore = retriever(vertx, new ConfigStoreOptions().setType("env")
                .setConfig(new JsonObject().put("raw-data", true)));
        return fileStore.getConfig()
                .recover(e -> Future.failedFuture(new ConfigException(List.of(file + ": " + e.getMessage()))))
                .compose(settings -> envStore.getConfig().map(env -> withEnvironment(settings, env)))
                .map(NodeConfigLoader::validate)
                .andThen(done -> {
                    fileStore.close();
                    envStore.close();
                });
    }

    private static ConfigRetriever retriever(Vertx vertx, ConfigStoreOptions store) {
        return ConfigRetriever.create(vertx, new ConfigRetrieverOptions().setIncludeDefaultStores(false)
                .setScanPeriod(0).addStore(store));
    }

    /**
     * Applies every {@code TICKSCAN_*} variable of the environment to the key it names, converted to that key's
     * type; the rest of the environment is ignored.
     */
    static JsonObject withEnvironment(JsonObject settings, JsonObject environment) {
        JsonObject out = settings.copy();
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> keysByEnv = new HashMap<>();
        leaves(out, new ArrayList<>(), keysByEnv);
        environment.forEach(entry -> {
            String name = entry.getKey();
            if (!name.startsWith(ENV_PREFIX)) {
                return;
            }
            List<String> path = keysByEnv.get(name);
            if (path == null) {
                problems.add(name + ": no such setting (settings are " + ENV_PREFIX + "<PATH>, e.g. "
                        + ENV_PREFIX + "HTTP_PORT)");
                return;
            }
            JsonObject parent = out;
            for (int i = 0; i < path.size() - 1; i++) {
                parent = parent.getJsonObject(path.get(i));
            }
            String key = path.get(path.size() - 1);
            Object converted = convert(String.valueOf(entry.getValue()), parent.getValue(key));
            if (converted == null) {
                problems.add(name + " (" + String.join(".", path) + "): '" + entry.getValue() + "' is not a "
                        + typeOf(parent.getValue(key)));
            } else {
                parent.put(key, converted);
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return out;
    }

    private static void leaves(JsonObject node, List<String> path, Map<String, List<String>> keysByEnv) {
        node.forEach(entry -> {
            List<String> at = new ArrayList<>(path);
            at.add(entry.getKey());
            if (entry.getValue() instanceof JsonObject child) {
                leaves(child, at, keysByEnv);
            } else {
                keysByEnv.put(ENV_PREFIX + String.join("_", at).toUpperCase(Locale.ROOT), at);
            }
        });
    }

    private static Object convert(String text, Object like) {
        if (like instanceof Boolean) {
            return text.equalsIgnoreCase("true") ? Boolean.TRUE : text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
        }
        if (like instanceof Number) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return text;
    }

    private static String typeOf(Object like) {
        return like instanceof Boolean ? "boolean (true or false)" : like instanceof Number ? "whole number" : "string";
    }

    /** Validates a merged configuration against the schema and the checks the schema cannot make. */
    static NodeConfig validate(JsonObject json) {
        List<String> problems = new ArrayList<>();
        for (JsonSchemas.Finding f : JsonSchemas.findings(SCHEMA, json)) {
            problems.add((f.path().isEmpty() ? "(top level)" : String.join(".", f.path())) + ": " + f.message());
        }
        if (problems.isEmpty()) {
            String zone = json.getJsonObject("engine").getString("session_zone");
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                problems.add("engine.session_zone: unknown zone '" + zone + "'");
            }
            JsonObject file = json.getJsonObject("sources").getJsonObject("file");
            if (file.getBoolean("enabled") && file.getString("path").isEmpty()) {
                problems.add("sources.file.path: required when sources.file.enabled is true");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new NodeConfig(json);
    }
}
