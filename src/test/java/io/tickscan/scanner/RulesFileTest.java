package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tickscan.rules.RuleError;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.tickscan.rules.RuleSetReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RulesFileTest {
    private static final RuleLimits HISTORY = RuleLimits.withHistory(180);

    @ParameterizedTest(name = "{0}")
    @DisplayName("a bad rules file is refused whole with exactly these errors")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            [{"when":"last > 1"}]                                                          | rules[0] at id: required field is missing
            [{"id":"a b","when":"last > 1"}]                                               | rules[0] at id: expected 1 to 64 of a-z A-Z 0-9 _ -, found "a b"
            [{"id":"x"}]                                                                   | rule 'x': needs a condition: 'when' (text) or 'conditions' (JSON)
            [{"id":"x","when":"last > 1","conditions":[]}]                                 | rule 'x': has both 'when' and 'conditions'; give exactly one
            [{"id":"x","when":"last > 1"},{"id":"x","when":"last < 1"}]                    | rule 'x' at id: duplicate id, also used by rules[0]
            [{"id":"x","when":"last > 1","cooldown_sec":-5}]                               | rule 'x' at cooldown_sec: expected a whole number of seconds from 0 to 31536000, found -5
            [{"id":"x","when":"last > 1","cooldown_sec":1.5}]                              | rule 'x' at cooldown_sec: expected a whole number of seconds from 0 to 31536000, found 1.5
            [{"id":"x","when":"last > 1","cooldown":60}]                                   | rule 'x' at cooldown: unknown field; a rule has conditions, cooldown_sec, description, enabled, id, name, universe, when
            [{"id":"x","when":"last > 1","enabled":"yes"}]                                 | rule 'x' at enabled: expected true or false, found "yes"
            [{"id":"x","when":"last > 1","universe":{"min_price":10,"max_price":5}}]       | rule 'x' at universe: min_price 10 is above max_price 5
            [{"id":"x","when":"last > 1","universe":{"symbols":["A B"]}}]                  | rule 'x' at universe.symbols[0]: expected a symbol of 1 to 32 of A-Z a-z 0-9 . _ - / :, found "A B"
            [{"id":"x","when":"change_pct(5) > 1"}]                                        | rule 'x' at when, column 12: 'change_pct' takes a window in minutes, like 5m or 1h, found '5'
            [{"id":"x","enabled":false,"when":"volume(5) > 1"}]                            | rule 'x' at when, column 8: 'volume' takes a window in minutes, like 5m or 1h, found '5'
            [{"id":"x","conditions":[{"metric":"price_change_5m_pct","op":"=","value":1}]}] | rule 'x' at conditions[0].op: expected one of >, >=, <, <=, between, crosses_above, crosses_below, found "="
            [{"id":"x","conditions":[{"metric":"foo","op":">","value":1}]}]                | rule 'x' at conditions[0].metric: unknown metric 'foo'
            [{"id":"x","conditions":[{"metric":"rsi_14","op":">"}]}]                       | rule 'x' at conditions[0]: needs 'value' (a number) or 'metric2' (a metric)
            [{"id":"x","conditions":[{"metric":"rsi_14","op":">","value":1,"metric2":"last"}]}] | rule 'x' at conditions[0]: has both 'value' and 'metric2'; give exactly one
            [{"id":"x","conditions":[{"metric":"rsi_14","op":"between","value":[70,30]}]}] | rule 'x' at conditions[0].value: between 70 and 30: the lower bound is above the upper
            [{"id":"x","conditions":[{"metric":"rsi_14","op":"between","value":[5,1.5]}]}] | rule 'x' at conditions[0].value: between 5 and 1.5: the lower bound is above the upper
            [{"id":"x","when":"last > 1 or rsi(14) between 5 and 1"}]                      | rule 'x' at when, column 21: between 5 and 1: the lower bound is above the upper
            [{"id":"x","conditions":[{"metric":"rsi_14","op":"between","value":5}]}]       | rule 'x' at conditions[0].value: 'between' takes "value": [low, high], two numbers, found 5
            [{"id":"x","conditions":[{"metric":"rsi_14","op":">","value":"5"}]}]           | rule 'x' at conditions[0].value: expected a number, found "5"
            [{"id":"x","conditions":[]}]                                                   | rule 'x' at conditions: expected a non-empty array of conditions, found an empty array
            [{"id":"x","conditions":[{"metric":"high_300m","op":">","value":1}]}]          | rule 'x' at conditions[0].metric: high(300m) needs 300 complete 1-minute bars, more than the 180 the engine keeps (engine.history_minutes)
            [1]                                                                            | rules[0]: expected a JSON object, found 1
            "x"                                                                            | rules file: expected a JSON array of rules or an object {"rules": [...]}
            {"rules": [                                                                    | rules file: not valid JSON at line 1, column 12: Unexpected end-of-input: expected close marker for Array
            """)
    void badFiles(String json, String error) {
        assertThatThrownBy(() -> RulesFile.parse(json, HISTORY))
                .isInstanceOfSatisfying(RuleSetException.class,
                        e -> assertThat(e.errors()).extracting(RuleError::toString).containsExactly(error));
    }

    @Test
    @DisplayName("long input quoted back in a message is cut")
    void longEchoesAreCut() {
        String key = "k".repeat(5000);
        String token = "m".repeat(3000);
        String json = "[{\"id\": \"x\", \"when\": \"last > 1\", \"" + key + "\": 1}, "
                + "{\"id\": \"y\", \"when\": \"" + token + " > 1\"}, {\"id\": \"z\", \"when\": \"last > 1\", "
                + "\"enabled\": \"" + token + "\"}]";
        assertThatThrownBy(() -> RulesFile.parse(json, HISTORY)).isInstanceOfSatisfying(RuleSetException.class, e -> {
            assertThat(e.errors()).hasSize(3);
            assertThat(e.errors()).allSatisfy(error -> assertThat(error.toString()).hasSizeLessThan(200)
                    .contains("..."));
        });
    }

    @Test
    void everyErrorOfTheSetIsReportedAndNothingIsApplied() {
        String json = """
                {"rules": [
                  {"id": "ok", "when": "last > 1"},
                  {"id": "bad-1", "when": "last >"},
                  {"id": "bad-2", "conditions": [{"metric": "rsi_14", "op": ">", "value": 70}, {"metric": "nope", "op": "<", "value": 1}]}
                ]}""";
        assertThatThrownBy(() -> RulesFile.parse(json, HISTORY)).isInstanceOfSatisfying(RuleSetException.class, e -> {
            assertThat(e.errors()).extracting(RuleError::toString).containsExactly(
                    "rule 'bad-1' at when, column 7: expected a metric or a number, found the end of the text",
                    "rule 'bad-2' at conditions[1].metric: unknown metric 'nope'");
            assertThat(e.getMessage()).startsWith("invalid rule set, nothing applied (2 errors):");
        });
    }

    @Test
    @DisplayName("a set with more rules than rules.max_rules is refused with that one error, its rules unread")
    void tooManyRules() {
        String invalidRules = IntStream.range(0, 5_000).mapToObj(i -> "{\"id\":\"r" + i + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
        assertThat(errorsOf(invalidRules, HISTORY))
                .containsExactly("rules file: the set holds 5000 rules, more than rules.max_rules (1000)");

        RuleLimits threeRules = new RuleLimits(180, 3, RuleLimits.DEFAULT_MAX_CONDITIONS);
        assertThat(RulesFile.parse(rules(3, "last > 1"), threeRules).rules()).hasSize(3);
        assertThat(errorsOf(rules(4, "last > 1"), threeRules))
                .containsExactly("rules file: the set holds 4 rules, more than rules.max_rules (3)");
    }

    @Test
    @DisplayName("a rule with more comparisons than rules.max_conditions is refused, in either form")
    void tooManyComparisons() {
        RuleLimits three = new RuleLimits(180, RuleLimits.DEFAULT_MAX_RULES, 3);
        String threeLeaves = "last > 1 and not (vwap between 1 and 2 or sma(5) crosses_above ema(9))";
        assertThat(RulesFile.parse(rules(1, threeLeaves), three).rules()).hasSize(1);
        assertThat(errorsOf(rules(1, threeLeaves + " and last < 9"), three))
                .containsExactly("rule 'r0' at when: 4 comparisons, more than rules.max_conditions (3)");
        assertThat(errorsOf(jsonConditions(3), three)).isEmpty();
        assertThat(errorsOf(jsonConditions(4), three))
                .containsExactly("rule 'x' at conditions: 4 comparisons, more than rules.max_conditions (3)");

        assertThat(errorsOf(rules(1, "last > 1" + " and last > 1".repeat(64)), HISTORY))
                .containsExactly("rule 'r0' at when: 65 comparisons, more than rules.max_conditions (64)");
    }

    @Test
    @DisplayName("hostile rules are refused fast with one clear error each")
    void hostileRules() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            String unknownMetrics = IntStream.range(0, 20_000)
                    .mapToObj(i -> "{\"metric\":\"nope\",\"op\":\">\",\"value\":" + i + "}")
                    .collect(Collectors.joining(",", "[{\"id\":\"x\",\"conditions\":[", "]}]"));
            assertThat(errorsOf(unknownMetrics, HISTORY))
                    .containsExactly("rule 'x' at conditions: 20000 comparisons, more than rules.max_conditions (64)");
            assertThat(errorsOf(rules(1, "last > 1" + " and last > 1".repeat(19_999)), HISTORY))
                    .containsExactly("rule 'r0' at when, column 4001: the condition is longer than 4000 characters");
            assertThat(errorsOf(rules(1, "(".repeat(10_000) + "last > 1" + ")".repeat(10_000)), HISTORY))
                    .containsExactly("rule 'r0' at when, column 4001: the condition is longer than 4000 characters");
            assertThat(errorsOf(rules(1, "(".repeat(1_000) + "last > 1" + ")".repeat(1_000)), HISTORY))
                    .containsExactly("rule 'r0' at when, column 33: conditions are nested deeper than 32 levels");
            assertThat(errorsOf(rules(1, "x".repeat(1 << 20)), HISTORY))
                    .containsExactly("rule 'r0' at when, column 4001: the condition is longer than 4000 characters");
        });
    }

    /** The errors of a rules file, as lines; none when it is valid. */
    private static List<String> errorsOf(String json, RuleLimits limits) {
        try {
            RulesFile.parse(json, limits);
            return List.of();
        } catch (RuleSetException e) {
            return e.errors().stream().map(RuleError::toString).toList();
        }
    }

    /** {@code count} rules r0, r1... with the same {@code when}. */
    private static String rules(int count, String when) {
        return IntStream.range(0, count).mapToObj(i -> "{\"id\":\"r" + i + "\",\"when\":\"" + when + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** One rule x with {@code count} conditions in the JSON form. */
    private static String jsonConditions(int count) {
        return IntStream.range(0, count).mapToObj(i -> "{\"metric\":\"rsi_14\",\"op\":\">\",\"value\":" + i + "}")
                .collect(Collectors.joining(",", "[{\"id\":\"x\",\"conditions\":[", "]}]"));
    }

    @Test
    void bothFormsAndBothFileShapesAreAccepted() {
        RuleSet set = RulesFile.parse("""
                [{"id": "t", "name": "Text", "when": "change_pct(5m) > 0.5 and rel_volume(5m) > 1.5",
                  "cooldown_sec": 0, "universe": {"symbols": ["AAPL"], "min_price": 1, "max_price": 1000}},
                 {"id": "j", "conditions": [{"metric": "price_change_5m_pct", "op": ">", "value": 0.5},
                  {"metric": "rsi_14", "op": "between", "value": [30, 70]},
                  {"metric": "ema9", "op": "crosses_above", "metric2": "ema_21"}], "enabled": false}]""", HISTORY);
        assertThat(set.rules()).hasSize(2);
        assertThat(set.rules().get(0).name()).isEqualTo("Text");
        assertThat(set.rules().get(1).name()).isEqualTo("j");
        assertThat(set.rules().get(1).cooldownSec()).isEqualTo(60);
        assertThat(set.rules().get(1).metrics()).extracting(Object::toString)
                .containsExactly("change_pct(5m)", "rsi(14)", "ema(9)", "ema(21)");
        assertThat(set.enabledRules()).hasSize(1);
        assertThat(RulesFile.parse("{\"rules\": []}", HISTORY).rules()).isEmpty();
    }

    @Test
    void theShippedDefaultRulesAreValid() throws Exception {
        assertThat(RulesFile.load(Path.of("conf/rules.json"), HISTORY).enabledRules()).isNotEmpty();
    }

    @Test
    @DisplayName("the JSON Schema refuses what is structurally wrong even where the reader is not asked")
    void theSchemaIsPartOfValidation() {
        assertThat(RulesFile.schemaFindings("[{\"id\":\"x\",\"when\":\"last > 1\",\"cooldown_sec\":-1,\"foo\":1}]"))
                .containsExactlyInAnyOrder(
                        "rule 'x' at cooldown_sec: must be a whole number from 0 "
                                + "to 31536000, found -1",
                        "rule 'x' at foo: is not a known key (known keys: id, "
                                + "name, description, when, conditions, cooldown_sec, universe, enabled)");
        assertThat(RulesFile.schemaFindings("[{\"id\":\"x\",\"when\":\"last > 1\"}]")).isEmpty();
    }

    @Test
    @DisplayName("no input makes the rules reader throw anything but its own error")
    void randomTreesOnlyEverGiveRuleSetException() {
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            Object tree = randomTree(random, 0);
            try {
                RuleSetReader.read(tree, HISTORY);
            } catch (RuleSetException e) {
                assertThat(e.errors()).isNotEmpty();
            }
            try {
                RulesFile.parse(io.vertx.core.json.Json.encode(tree), HISTORY);
            } catch (RuleSetException e) {
                assertThat(e.errors()).isNotEmpty();
            }
        }
    }

    private static Object randomTree(Random random, int depth) {
        String[] keys = {"id", "name", "when", "conditions", "cooldown_sec", "universe", "enabled", "metric", "op",
            "value", "metric2", "symbols", "min_price", "max_price", "rules", "x"};
        Object[] leaves = {"r1", "last > 1", "rsi_14", ">", "between", "AAPL", 1, -1, 1.5, 0, true, null, "",
            "crosses_above", 1e300, Double.MAX_VALUE, "change_pct(5m) > 0.5 and rel_volume(5m) > 1.5", 70, 30};
        int pick = depth > 4 ? 2 : random.nextInt(3);
        if (pick == 0) {
            Map<String, Object> map = new LinkedHashMap<>();
            int size = random.nextInt(6);
            for (int i = 0; i < size; i++) {
                map.put(keys[random.nextInt(keys.length)], randomTree(random, depth + 1));
            }
            return map;
        }
        if (pick == 1) {
            List<Object> list = new ArrayList<>();
            int size = random.nextInt(4);
            for (int i = 0; i < size; i++) {
                list.add(randomTree(random, depth + 1));
            }
            return list;
        }
        return leaves[random.nextInt(leaves.length)];
    }
}
