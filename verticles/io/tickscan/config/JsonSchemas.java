package io.tickscan.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON Schemas that ship in the jar, and what they find wrong, in plain words.
 *
 * <p>Each message is worded from the keyword that failed and the schema node it belongs to, and reads after the
 * name of the place it is about:
 * <ul>
 *   <li>{@code enum}: {@code must be "event-loop" or "worker", found "banana"}</li>
 *   <li>{@code type}: {@code must be a whole number, found "eighty"}</li>
 *   <li>{@code minimum}, {@code maximum} (and the exclusive ones): {@code must be a whole number from 0 to 65535,
 *       found 70000}</li>
 *   <li>{@code minLength}, {@code maxLength}, {@code minItems}, {@code maxItems}: {@code must be a non-empty
 *       string, found ""}</li>
 *   <li>{@code pattern}: {@code must be <the node's description>, found "25:00"}, so a pattern's node carries a
 *       {@code description} naming the value it expects ({@code "a time of day from 00:00 to 23:59 (HH:MM)"});
 *       without one the message quotes the pattern</li>
 *   <li>{@code required}: {@code is required}, placed at the missing key</li>
 *   <li>{@code additionalProperties}: {@code is not a known key (did you mean symbols?)}, placed at the unknown
 *       key</li>
 * </ul>
 * One problem gives one finding: the validator's echoes (every enclosing object and array, and vertx-json-schema
 * flagging a declared property as additional whenever its value is wrong) are dropped, and the keywords that fail
 * at one place are worded together.
 */
public final class JsonSchemas {
    private static final int LONGEST_QUOTE = 60;
    private static final int MOST_KEYS_LISTED = 12;
    private static final Set<String> ECHOES = Set.of("properties", "patternProperties", "items", "prefixItems",
            "$ref", "$dynamicRef", "allOf", "dependentSchemas", "unevaluatedItems", "unevaluatedProperties");
    private static final Set<String> RANGE = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final Set<String> LENGTH = Set.of("minLength", "maxLength");
    private static final Set<String> COUNT = Set.of("minItems", "maxItems");
    private static final Set<String> VALUE_KEYWORDS = Set.of("type", "enum", "const", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems",
            "maxItems", "uniqueItems");

    /**
     * One problem.
     *
     * @param path    where, as path segments ({@code rules/2/cooldown_sec}); empty for the whole document
     * @param message what, worded to follow the name of that place ({@code must be a whole number from 0 to
     *                31536000, found -5})
     */
    public record Finding(List<String> path, String message) {
    }

    /** A validator that keeps its schema, to word the findings. */
    private record Schema(Validator validator, JsonObject json) implements Validator {
        @Override
        public OutputUnit validate(Object instance) {
            return validator.validate(instance);
        }

        JsonObject node(String pointer) {
            return (JsonObject) JsonPointer.from(pointer).queryJson(json);
        }
    }

    /** The keywords that fail at one place, worded together. */
    private static final class ValueProblem {
        final List<String> path;
        final Object value;
        final JsonObject node;
        final Set<String> failed = new LinkedHashSet<>();

        ValueProblem(List<String> path, Object value, JsonObject node) {
            this.path = path;
            this.value = value;
            this.node = node;
        }

        Finding finding() {
            return new Finding(path, "must be " + expected() + ", found " + quote(value));
        }

        private String expected() {
            if (failed.contains("enum")) {
                return anyOf(node.getJsonArray("enum"));
            }
            if (failed.contains("const")) {
                return Json.encode(node.getValue("const"));
            }
            if (failed.contains("pattern") && !failed.contains("type")) {
                return node.getString("description", "a string matching " + node.getString("pattern"));
            }
            List<String> kinds = new ArrayList<>();
            for (Object type : types(node)) {
                kinds.add(kind(String.valueOf(type)));
            }
            return String.join(" or ", kinds);
        }

        private String kind(String type) {
            return switch (type) {
                case "integer" -> "a whole number" + range();
                case "number" -> "a number" + range();
                case "string" -> failed.stream().anyMatch(LENGTH::contains)
                        ? sized("a string", "character", "minLength", "maxLength") : "a string";
                case "array" -> failed.stream().anyMatch(COUNT::contains)
                        ? sized("an array", "item", "minItems", "maxItems")
                        : failed.contains("uniqueItems") ? "an array without repeated items" : "an array";
                case "boolean" -> "true or false";
                case "object" -> "an object";
                case "null" -> "null";
                default -> "a " + type;
            };
        }

        private String range() {
            String multiple = failed.contains("multipleOf") ? " that is a multiple of " + node.getValue("multipleOf")
                    : "";
            if (failed.stream().noneMatch(RANGE::contains)) {
                return multiple;
            }
            Object min = node.getValue("minimum");
            Object max = node.getValue("maximum");
            if (min != null && max != null) {
                return " from " + min + " to " + max + multiple;
            }
            List<String> bounds = new ArrayList<>();
            if (min != null) {
                bounds.add("of at least " + min);
            }
            if (node.getValue("exclusiveMinimum") != null) {
                bounds.add("greater than " + node.getValue("exclusiveMinimum"));
            }
            if (max != null) {
                bounds.add("of at most " + max);
            }
            if (node.getValue("exclusiveMaximum") != null) {
                bounds.add("less than " + node.getValue("exclusiveMaximum"));
            }
            return " " + String.join(" and ", bounds) + multiple;
        }

        private String sized(String kind, String unit, String minKey, String maxKey) {
            Integer min = node.getInteger(minKey);
            Integer max = node.getInteger(maxKey);
            if (min != null && min == 1 && max == null) {
                return kind.replaceFirst("^an? ", "a non-empty ");
            }
            if (min != null && min.equals(max)) {
                return kind + " of exactly " + count(min, unit);
            }
            if (min != null && max != null) {
                return kind + " of " + min + " to " + max + " " + unit + "s";
            }
            return min != null ? kind + " of at least " + count(min, unit) : kind + " of at most " + count(max, unit);
        }
    }

    private JsonSchemas() {
    }

    /**
     * A validator for a schema on the classpath; pass it to {@link #findings}.
     *
     * @param resource where on the classpath ({@code tickscan/tickscan.schema.json})
     */
    public static Validator load(String resource) {
        JsonObject schema = new JsonObject(Bundled.text(resource));
        return new Schema(Validator.create(JsonSchema.of(schema), new JsonSchemaOptions()
                .setDraft(Draft.DRAFT202012).setBaseUri("https://tickscan.io/schemas/")
                .setOutputFormat(OutputFormat.Basic)), schema);
    }

    /**
     * What the schema finds wrong with {@code json} (Vert.x JSON values), one finding per problem, in the order
     * of the document.
     *
     * @param validator a validator from {@link #load}
     * @throws IllegalArgumentException when the validator does not come from {@link #load}
     */
    public static List<Finding> findings(Validator validator, Object json) {
        if (!(validator instanceof Schema schema)) {
            throw new IllegalArgumentException("findings need a validator from JsonSchemas.load");
        }
        OutputUnit result = schema.validate(json);
        if (Boolean.TRUE.equals(result.getValid()) || result.getErrors() == null) {
            return List.of();
        }
        Map<String, Object> problems = new LinkedHashMap<>();
        for (OutputUnit error : result.getErrors()) {
            String at = error.getAbsoluteKeywordLocation();
            String pointer = at.substring(at.indexOf('#') + 1);
            String keyword = pointer.substring(pointer.lastIndexOf('/') + 1);
            if (ECHOES.contains(keyword)) {
                continue;
            }
            JsonObject node = schema.node(pointer.substring(0, pointer.lastIndexOf('/')));
            List<String> path = segments(error.getInstanceLocation());
            Object value = valueAt(json, path);
            switch (keyword) {
                case "additionalProperties" -> {
                    String key = path.get(path.size() - 1);
                    if (Boolean.FALSE.equals(node.getValue("additionalProperties")) && !declared(node, key)) {
                        problems.put("unknown " + path, new Finding(path, "is not a known key"
                                + knownKeys(node, key)));
                    }
                }
                case "required" -> {
                    for (Object key : node.getJsonArray("required")) {
                        if (value instanceof JsonObject object && !object.containsKey((String) key)) {
                            List<String> missing = new ArrayList<>(path);
                            missing.add((String) key);
                            problems.put("required " + missing, new Finding(List.copyOf(missing), "is required"));
                        }
                    }
                }
                default -> {
                    if (VALUE_KEYWORDS.contains(keyword)) {
                        ((ValueProblem) problems.computeIfAbsent("value " + path,
                                p -> new ValueProblem(path, value, node))).failed.add(keyword);
                    } else {
                        problems.put(keyword + " " + path, new Finding(path, "does not match the schema's '"
                                + keyword + "' at " + pointer));
                    }
                }
            }
        }
        return problems.values().stream()
                .map(p -> p instanceof ValueProblem value ? value.finding() : (Finding) p).toList();
    }

    /** An instance location ({@code #/rules/0/a~1b}) as path segments ({@code rules, 0, a/b}). */
    private static List<String> segments(String location) {
        String pointer = location.startsWith("#") ? location.substring(1) : location;
        List<String> path = new ArrayList<>();
        for (String part : pointer.split("/")) {
            if (!part.isEmpty()) {
                path.add(part.replace("~1", "/").replace("~0", "~"));
            }
        }
        return List.copyOf(path);
    }

    private static Object valueAt(Object json, List<String> path) {
        Object at = json;
        for (String part : path) {
            if (at instanceof JsonObject object) {
                at = object.getValue(part);
            } else if (at instanceof JsonArray array) {
                at = array.getValue(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return at;
    }

    private static boolean declared(JsonObject node, String key) {
        JsonObject properties = node.getJsonObject("properties", new JsonObject());
        JsonObject patterns = node.getJsonObject("patternProperties", new JsonObject());
        return properties.containsKey(key)
                || patterns.fieldNames().stream().anyMatch(p -> Pattern.compile(p).matcher(key).find());
    }

    private static String knownKeys(JsonObject node, String key) {
        Set<String> keys = node.getJsonObject("properties", new JsonObject()).fieldNames();
        return Spelling.closest(key, keys).map(k -> " (did you mean " + k + "?)")
                .orElse(keys.isEmpty() || keys.size() > MOST_KEYS_LISTED ? ""
                        : " (known keys: " + String.join(", ", keys) + ")");
    }

    private static List<?> types(JsonObject node) {
        Object type = node.getValue("type");
        if (type instanceof JsonArray several) {
            return several.getList();
        }
        return List.of(type == null ? "value" : type);
    }

    private static String anyOf(JsonArray values) {
        List<String> quoted = values.stream().map(Json::encode).toList();
        if (quoted.size() == 1) {
            return quoted.get(0);
        }
        String all = String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
        return quoted.size() == 2 ? all : "one of " + all;
    }

    private static String count(int n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /** A value as a message quotes it: strings in quotes (long ones cut), containers by their size. */
    static String quote(Object value) {
        if (value instanceof String text) {
            return Json.encode(text.length() > LONGEST_QUOTE ? text.substring(0, LONGEST_QUOTE - 3) + "..." : text);
        }
        if (value instanceof JsonObject object) {
            return object.isEmpty() ? "an empty object" : "an object";
        }
        if (value instanceof JsonArray array) {
            return array.isEmpty() ? "an empty array" : "an array of " + count(array.size(), "item");
        }
        return String.valueOf(value);
    }
}
