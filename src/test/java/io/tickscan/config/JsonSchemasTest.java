package io.tickscan.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.Validator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Schema findings, worded from the keyword that failed")
class JsonSchemasTest {
    private static final Validator RULES = JsonSchemas.load("tickscan/rules.schema.json");

    @ParameterizedTest(name = "{0}")
    @DisplayName("a rules file: one finding per problem, through $ref, in arrays and objects")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            [{"id":"x","cooldown_sec":-1}]                                        | 0/cooldown_sec must be a whole number from 0 to 31536000, found -1
            [{"id":"x","foo":1}]                                                  | 0/foo is not a known key (known keys: id, name, description, when, conditions, cooldown_sec, universe, enabled)
            [{"id":"x","enabld":false}]                                           | 0/enabld is not a known key (did you mean enabled?)
            [{}]                                                                  | 0/id is required
            {"rules":[{"id":"x","conditions":[{"metric":"a","op":"="}]}]}         | rules/0/conditions/0/op must be one of ">", ">=", "<", "<=", "between", "crosses_above" or "crosses_below", found "="
            [{"id":"x","conditions":[{"metric":"a","op":">","value":[1,2,3]}]}]   | 0/conditions/0/value must be a number or an array of exactly 2 items, found an array of 3 items
            [{"id":"x","conditions":[{"metric":"a","op":">","value":"5"}]}]       | 0/conditions/0/value must be a number or an array, found "5"
            [{"id":"x","conditions":[]}]                                          | 0/conditions must be a non-empty array, found an empty array
            [{"id":"x","when":""}]                                                | 0/when must be a string of 1 to 4000 characters, found ""
            [{"id":"a b"}]                                                        | 0/id must be a string matching ^[a-zA-Z0-9_-]{1,64}$, found "a b"
            [{"id":"x","universe":{"symbols":["A B"]}}]                           | 0/universe/symbols/0 must be a string matching ^[A-Za-z0-9._/:-]{1,32}$, found "A B"
            [{"id":"x","universe":[]}]                                            | 0/universe must be an object, found an empty array
            5                                                                     | must be an array or an object, found 5
            {"a/b":1}                                                             | rules is required
            """)
    void oneFindingPerProblem(String json, String finding) {
        assertThat(JsonSchemas.findings(RULES, Json.decodeValue(json)))
                .extracting(f -> String.join("/", f.path()) + (f.path().isEmpty() ? "" : " ") + f.message())
                .contains(finding)
                .hasSizeLessThanOrEqualTo(2);
    }

    @Test
    @DisplayName("an unknown key with a slash keeps its name, and a valid document has no findings")
    void keysAreUnescaped() {
        assertThat(JsonSchemas.findings(RULES, new JsonObject().put("rules", List.of()).put("a/b", 1)))
                .containsExactly(new JsonSchemas.Finding(List.of("a/b"),
                        "is not a known key (known keys: rules, version)"));
        assertThat(JsonSchemas.findings(RULES, Json.decodeValue("[{\"id\":\"x\",\"when\":\"last > 1\"}]"))).isEmpty();
    }

    @Test
    @DisplayName("a long string is quoted cut, so a message stays one readable line")
    void longValuesAreCut() {
        String id = "x".repeat(100);
        assertThat(JsonSchemas.findings(RULES, Json.decodeValue("[{\"id\":\"" + id + "\"}]")))
                .extracting(JsonSchemas.Finding::message)
                .containsExactly("must be a string matching ^[a-zA-Z0-9_-]{1,64}$, found \"" + "x".repeat(57)
                        + "...\"");
    }

    @Test
    @DisplayName("findings need a validator from load, which keeps the schema to word them")
    void foreignValidatorsAreRefused() {
        Validator foreign = Validator.create(JsonSchema.of(new JsonObject()),
                new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("https://example.com/"));
        assertThatThrownBy(() -> JsonSchemas.findings(foreign, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
