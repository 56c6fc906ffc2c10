package io.tickscan.scanner;

import io.tickscan.codec.JsonText;
import io.tickscan.config.JsonSchemas;
import io.tickscan.rules.RuleError;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.tickscan.rules.RuleSetReader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a rules file: JSON text, checked by the tickscan reader (grammar, metrics, windows, ids, with messages
 * that name the rule and the place) and by the shipped JSON Schema ({@code conf/rules.schema.json}, on the
 * classpath as {@code tickscan/rules.schema.json}). A file with any error is refused whole.
 */
public final class RulesFile {
    /** Classpath location of the rules file's JSON Schema. */
    public static final String SCHEMA_RESOURCE = "tickscan/rules.schema.json";
    private static final int ERRORS_SHOWN = 100;
    private static final Validator SCHEMA = JsonSchemas.load(SCHEMA_RESOURCE);

    private RulesFile() {
    }

    /**
     * Reads and validates a rules file.
     *
     * @throws IOException      when the file cannot be read
     * @throws RuleSetException when it is not valid, with every error
     */
    public static RuleSet load(Path file, RuleLimits limits) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), limits);
    }

    /**
     * Validates the text of a rules file.
     *
     * @throws RuleSetException when it is not valid JSON or not a valid rule set, with every error
     */
    public static RuleSet parse(String json, RuleLimits limits) {
        Object tree;
        try {
            tree = Json.decodeValue(json);
        } catch (DecodeException e) {
            throw new RuleSetException(List.of(new RuleError(-1, null, "", "not valid JSON" + JsonText.problem(e))));
        }
        RuleSet rules = RuleSetReader.read(plain(tree), limits);
        List<RuleError> schemaErrors = schemaErrors(tree);
        if (!schemaErrors.isEmpty()) {
            throw new RuleSetException(schemaErrors);
        }
        return rules;
    }

    /** The rules array of a valid rules file's JSON tree: the array itself, or the object's {@code rules}. */
    static JsonArray rulesOf(Object tree) {
        return tree instanceof JsonObject file ? file.getJsonArray("rules") : (JsonArray) tree;
    }

    /**
     * {@code {"error_count", "errors": [{"index", "rule_id", "place", "message", "text"}]}}: how a refused rule
     * set is answered everywhere (REST, preview), with the first {@value #ERRORS_SHOWN} errors.
     */
    public static JsonObject errors(RuleSetException e) {
        JsonArray errors = new JsonArray();
        e.errors().stream().limit(ERRORS_SHOWN).forEach(error -> errors.add(new JsonObject()
                .put("index", error.index()).put("rule_id", error.ruleId()).put("place", error.place())
                .put("message", error.message()).put("text", error.toString())));
        return new JsonObject().put("error_count", e.errors().size()).put("errors", errors);
    }

    /** What the schema alone says of a rules file's text, for tests. */
    static List<String> schemaFindings(String json) {
        Object tree = Json.decodeValue(json);
        return schemaErrors(tree).stream().map(RuleError::toString).toList();
    }

    /** The schema's findings, placed like the reader's. */
    private static List<RuleError> schemaErrors(Object tree) {
        return JsonSchemas.findings(SCHEMA, tree).stream()
                .map(f -> placed(f.path(), f.message(), tree)).toList();
    }

    /** Turns a schema path such as {@code rules/2/conditions/0/op} into a rule and a place. */
    private static RuleError placed(List<String> path, String message, Object tree) {
        List<String> parts = new ArrayList<>(path);
        if (!parts.isEmpty() && parts.get(0).equals("rules")) {
            parts.remove(0);
        }
        if (parts.isEmpty() || !parts.get(0).matches("\\d+")) {
            return new RuleError(-1, null, String.join(".", parts), message);
        }
        int index = Integer.parseInt(parts.remove(0));
        JsonArray rules = tree instanceof JsonObject file ? file.getJsonArray("rules") : (JsonArray) tree;
        Object rule = rules.getValue(index);
        String id = rule instanceof JsonObject r && r.getValue("id") instanceof String s ? s : null;
        StringBuilder place = new StringBuilder();
        for (String part : parts) {
            if (part.matches("\\d+")) {
                place.append('[').append(part).append(']');
            } else {
                place.append(place.length() == 0 ? "" : ".").append(part);
            }
        }
        return new RuleError(index, id, place.toString(), message);
    }

    /** Vert.x JSON values as plain maps and lists, for the reader. */
    static Object plain(Object value) {
        if (value instanceof JsonObject object) {
            Map<String, Object> map = new LinkedHashMap<>();
            object.forEach(entry -> map.put(entry.getKey(), plain(entry.getValue())));
            return map;
        }
        if (value instanceof JsonArray array) {
            List<Object> list = new ArrayList<>(array.size());
            array.forEach(item -> list.add(plain(item)));
            return list;
        }
        return value;
    }
}
