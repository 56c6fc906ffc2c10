package io.tickscan.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a node's configuration in layers with vertx-config: the complete defaults inside the jar (a copy of
 * {@code conf/tickscan.json}), then the file named by {@code --conf} if any (it may hold only the keys it changes),
 * then the environment, each {@code TICKSCAN_<PATH>} variable overriding the key at that path
 * ({@code TICKSCAN_HTTP_PORT} is {@code http.port}, {@code TICKSCAN_SOURCES_SIMULATOR_TICKS_PER_SECOND} is
 * {@code sources.simulator.ticks_per_second}). The result is validated against {@code conf/tickscan.schema.json},
 * and the files it names ({@code rules.file}, {@code sources.file.path}, {@code cluster.config}) must be readable.
 *
 * <p>Every problem is one line that names the key, what it must be and what was found
 * ({@code http.port must be a whole number from 0 to 65535, found 70000}), and the variable when the value came
 * from the environment; all problems are reported at once.
 */
public final class NodeConfigLoader {
    /** Prefix of the environment variables that override settings. */
    public static final String ENV_PREFIX = "TICKSCAN_";
    private static final Logger LOG = LoggerFactory.getLogger(NodeConfigLoader.class);
    private static final Validator SCHEMA = JsonSchemas.load(Bundled.SCHEMA);
    private static final JsonObject DEFAULTS = new JsonObject(Bundled.text(Bundled.DEFAULTS));
    private static final Map<String, List<String>> KEYS_BY_VARIABLE = variables(DEFAULTS, List.of(), new HashMap<>());

    /** A configuration that cannot be used, with every problem found. */
    public static final class ConfigException extends RuntimeException {
        private final List<String> problems;

        /** @param problems one line each, naming the key */
        public ConfigException(List<String> problems) {
            super(problems.size() == 1 ? "invalid configuration: " + problems.get(0)
                    : "invalid configuration (" + problems.size() + " problems):\n  " + String.join("\n  ", problems),
                    null, false, false);
            this.problems = List.copyOf(problems);
        }

        /** The problems, one line each. */
        public List<String> problems() {
            return problems;
        }
    }

    private NodeConfigLoader() {
    }

    /**
     * Reads the layers, validates the result and checks the files it names.
     *
     * @param file the {@code --conf} file, or {@code null} for the jar's defaults and the environment alone
     * @return the configuration, or a failed future with a {@link ConfigException}
     */
    public static Future<NodeConfig> load(Vertx vertx, Path file) {
        return load(vertx, file, new ConfigStoreOptions().setType("env")
                .setConfig(new JsonObject().put("raw-data", true)));
    }

    /** {@link #load(Vertx, Path)} with the variables of another store than the process environment, for tests. */
    static Future<NodeConfig> load(Vertx vertx, Path file, ConfigStoreOptions environmentStore) {
        ConfigRetrieverOptions layers = new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(0)
                .addStore(new ConfigStoreOptions().setType("json").setConfig(DEFAULTS));
        if (file != null) {
            Optional<String> unreadable = unreadable(file.toString(), file);
            if (unreadable.isPresent()) {
                return Future.failedFuture(new ConfigException(List.of(unreadable.get())));
            }
            layers.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
                    .setConfig(new JsonObject().put("path", file.toString())));
        }
        ConfigRetriever settings = ConfigRetriever.create(vertx, layers);
        ConfigRetriever environment = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
                .setIncludeDefaultStores(false).setScanPeriod(0).addStore(environmentStore));
        return settings.getConfig()
                .recover(e -> Future.failedFuture(new ConfigException(List.of(notSettings(file, e)))))
                .compose(json -> environment.getConfig().map(env -> {
                    NodeConfig config = resolve(json, env);
                    LOG.info("configuration: the jar's defaults{}{}", file == null ? "" : ", then " + file,
                            env.fieldNames().stream().anyMatch(name -> name.startsWith(ENV_PREFIX))
                                    ? ", then the " + ENV_PREFIX + "* environment" : "");
                    return config;
                }))
                .andThen(done -> {
                    settings.close();
                    environment.close();
                });
    }

    /**
     * Applies the {@code TICKSCAN_*} variables of {@code environment} to {@code settings} (the defaults with the
     * file over them), validates the result and checks the files it names.
     *
     * @throws ConfigException with every problem found
     */
    static NodeConfig resolve(JsonObject settings, JsonObject environment) {
        JsonObject json = settings.copy();
        List<String> problems = new ArrayList<>();
        Map<String, String> setBy = new HashMap<>();
        environment.fieldNames().stream().filter(name -> name.startsWith(ENV_PREFIX)).sorted().forEach(name -> {
            List<String> path = KEYS_BY_VARIABLE.get(name);
            if (path == null) {
                problems.add(name + " is not a known setting" + Spelling
                        .closest(name.substring(ENV_PREFIX.length()), KEYS_BY_VARIABLE.keySet().stream()
                                .map(v -> v.substring(ENV_PREFIX.length())).toList())
                        .map(v -> " (did you mean " + ENV_PREFIX + v + "?)")
                        .orElse(" (a setting's variable is " + ENV_PREFIX + " and its key in capitals with _ for ., "
                                + "such as " + ENV_PREFIX + "HTTP_PORT for http.port)"));
            } else if (put(json, path, typed(String.valueOf(environment.getValue(name)), valueAt(DEFAULTS, path)))) {
                setBy.put(String.join(".", path), name);
            }
        });
        for (JsonSchemas.Finding f : JsonSchemas.findings(SCHEMA, json)) {
            String key = String.join(".", f.path());
            problems.add((key.isEmpty() ? "the configuration" : key) + " " + f.message() + from(setBy, key));
        }
        if (problems.isEmpty()) {
            checkBeyondTheSchema(json, setBy, problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new NodeConfig(json);
    }

    /** What the schema cannot say: a real time zone, and files that can be read. */
    private static void checkBeyondTheSchema(JsonObject json, Map<String, String> setBy, List<String> problems) {
        String zone = json.getJsonObject("engine").getString("session_zone");
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            problems.add("engine.session_zone must be a time zone such as UTC, Europe/London or America/New_York, "
                    + "found " + JsonSchemas.quote(zone) + from(setBy, "engine.session_zone"));
        }
        String rules = json.getJsonObject("rules").getString("file");
        if (!rules.isEmpty()) {
            fileKey("rules.file", rules, setBy).ifPresent(problems::add);
        }
        JsonObject file = json.getJsonObject("sources").getJsonObject("file");
        if (file.getBoolean("enabled")) {
            if (file.getString("path").isEmpty()) {
                problems.add("sources.file.path must name a CSV file of ticks when sources.file.enabled is true"
                        + from(setBy, "sources.file.enabled"));
            } else {
                fileKey("sources.file.path", file.getString("path"), setBy).ifPresent(problems::add);
            }
        }
        JsonObject cluster = json.getJsonObject("cluster");
        if (cluster.getBoolean("enabled") && !cluster.getString("config").isEmpty()) {
            fileKey("cluster.config", cluster.getString("config"), setBy).ifPresent(problems::add);
        }
    }

    private static Optional<String> fileKey(String key, String file, Map<String, String> setBy) {
        Path path;
        try {
            path = Path.of(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return Optional.of(key + ": not a file name, found " + JsonSchemas.quote(file) + from(setBy, key));
        }
        return unreadable(path.toString(), path).map(problem -> key + ": " + problem + from(setBy, key));
    }

    /**
     * Why a file named in the configuration cannot be read, or empty when it can.
     *
     * @param shown how to name it in the message
     */
    static Optional<String> unreadable(String shown, Path file) {
        if (!Files.exists(file)) {
            return Optional.of("no such file " + shown);
        }
        if (Files.isDirectory(file)) {
            return Optional.of(shown + " is a directory, not a file");
        }
        return Files.isReadable(file) ? Optional.empty() : Optional.of("cannot read " + shown + " (permission denied)");
    }

    /** Why the {@code --conf} file gave no settings: not JSON (where and why), or not one object. */
    private static String notSettings(Path file, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // with jackson-databind on the classpath, JSON of the wrong type fails as a mismatched input: not a syntax error
            if (cause instanceof JsonProcessingException json
                    && !json.getClass().getSimpleName().equals("MismatchedInputException")) {
                return file + ": not valid JSON at line " + json.getLocation().getLineNr() + ", column "
                        + json.getLocation().getColumnNr() + ": " + json.getOriginalMessage()
                        .replaceAll("\\[Source: REDACTED[^;]*; line: (\\d+), column: (\\d+)]", "line $1, column $2")
                        .replaceAll(" \\(code \\d+\\)", "");
            }
        }
        return failure instanceof DecodeException
                ? file + ": must hold one JSON object of settings, such as {\"http\": {\"port\": 9090}}"
                : file + ": cannot be read (" + failure.getMessage() + ")";
    }

    /** " (from TICKSCAN_X)" when the environment set that key. */
    private static String from(Map<String, String> setBy, String key) {
        String variable = setBy.get(key);
        return variable == null ? "" : " (from " + variable + ")";
    }

    /** The variable of every leaf of the defaults: {@code TICKSCAN_HTTP_PORT} for {@code http.port}. */
    private static Map<String, List<String>> variables(JsonObject node, List<String> path,
                                                       Map<String, List<String>> into) {
        node.forEach(entry -> {
            List<String> at = new ArrayList<>(path);
            at.add(entry.getKey());
            if (entry.getValue() instanceof JsonObject child) {
                variables(child, at, into);
            } else {
                into.put(ENV_PREFIX + String.join("_", at).toUpperCase(Locale.ROOT), List.copyOf(at));
            }
        });
        return into;
    }

    /**
     * The text of a variable as the type of the key's default: {@code true}/{@code false} for a boolean, a number
     * for a number; anything else stays text, for the schema to refuse with the key named.
     */
    private static Object typed(String text, Object like) {
        String value = text.strip();
        if (like instanceof Boolean) {
            return value.equalsIgnoreCase("true") ? Boolean.TRUE
                    : value.equalsIgnoreCase("false") ? Boolean.FALSE : text;
        }
        if (like instanceof Number) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException notWhole) {
                try {
                    return Double.parseDouble(value);
                } catch (NumberFormatException notANumber) {
                    return text;
                }
            }
        }
        return text;
    }

    private static Object valueAt(JsonObject json, List<String> path) {
        Object at = json;
        for (String key : path) {
            at = at instanceof JsonObject object ? object.getValue(key) : null;
        }
        return at;
    }

    /** Sets the key at {@code path}; false when a value on the way is not an object (the schema says so). */
    private static boolean put(JsonObject json, List<String> path, Object value) {
        JsonObject parent = json;
        for (String key : path.subList(0, path.size() - 1)) {
            if (!(parent.getValue(key) instanceof JsonObject child)) {
                return false;
            }
            parent = child;
        }
        parent.put(path.get(path.size() - 1), value);
        return true;
    }
}
