package io.tickscan.config;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The JSON Schemas that ship in the jar, and their findings reduced to what a user needs to read. */
public final class JsonSchemas {

    /**
     * One leaf error.
     *
     * @param path    where, as path segments ({@code rules/2/cooldown_sec})
     * @param message what
     */
    public record Finding(List<String> path, String message) {
    }

    private JsonSchemas() {
    }

    /** A validator for a schema on the classpath. */
    public static Validator load(String resource) {
        try (InputStream in = JsonSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource + " on the classpath");
            }
            JsonObject schema = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                    .setBaseUri("https://tickscan.io/schemas/").setOutputFormat(OutputFormat.Basic));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the schema finds wrong with {@code json} (Vert.x JSON values), leaf errors only: the validator also
     * reports each enclosing object and array, and flags a declared property as "additional" whenever its
     * value is wrong; those echoes are dropped.
     */
    public static List<Finding> findings(Validator validator, Object json) {
        OutputUnit result = validator.validate(json);
        List<Finding> out = new ArrayList<>();
        if (Boolean.TRUE.equals(result.getValid()) || result.getErrors() == null) {
            return out;
        }
        List<OutputUnit> errors = result.getErrors();
        for (OutputUnit e : errors) {
            String keyword = e.getKeywordLocation();
            if (keyword.endsWith("/properties") || keyword.endsWith("/items") || keyword.endsWith("/$ref")) {
                continue;
            }
            String at = e.getInstanceLocation();
            boolean additional = keyword.endsWith("/additionalProperties");
            if (additional && errors.stream().anyMatch(o -> o != e && at.equals(o.getInstanceLocation())
                    && !o.getKeywordLocation().endsWith("/additionalProperties")
                    && !o.getKeywordLocation().endsWith("/properties"))) {
                continue;
            }
            List<String> path = new ArrayList<>(List.of(at.replaceFirst("^#/?", "").split("/")));
            path.removeIf(String::isEmpty);
            out.add(new Finding(List.copyOf(path), additional ? "unknown property" : e.getError()));
        }
        return out;
    }
}
