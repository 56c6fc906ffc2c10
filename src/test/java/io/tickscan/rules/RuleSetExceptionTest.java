package io.tickscan.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RuleSetExceptionTest {

    @Test
    @DisplayName("a set refused with thousands of errors is summed up in one line with the count and the first few")
    void summaryOfManyErrors() {
        List<Object> rules = IntStream.range(0, 5_000).<Object>mapToObj(i -> Map.of("id", "r" + i)).toList();
        RuleSetException e = catchThrowableOfType(
                () -> RuleSetReader.read(rules, new RuleLimits(180, 5_000, 64)), RuleSetException.class);

        assertThat(e.errors()).hasSize(5_000);
        assertThat(e.summary(3)).isEqualTo("5000 errors; the first 3: "
                + "rule 'r0': needs a condition: 'when' (text) or 'conditions' (JSON); "
                + "rule 'r1': needs a condition: 'when' (text) or 'conditions' (JSON); "
                + "rule 'r2': needs a condition: 'when' (text) or 'conditions' (JSON)");
    }

    @Test
    @DisplayName("a summary spells out every error when there are no more than it shows")
    void summaryOfFewErrors() {
        RuleError a = new RuleError(0, "a", "when, column 7", "expected a metric or a number");
        RuleError b = new RuleError(1, null, "id", "required field is missing");

        assertThat(new RuleSetException(List.of(a)).summary(3))
                .isEqualTo("1 error: rule 'a' at when, column 7: expected a metric or a number");
        assertThat(new RuleSetException(List.of(a, b)).summary(2)).isEqualTo("2 errors: rule 'a' at when, column 7: "
                + "expected a metric or a number; rules[1] at id: required field is missing");
    }

    @Test
    @DisplayName("a summary stays on one line when an error echoes a line break from the input")
    void summaryIsOneLine() {
        RuleError echo = new RuleError(0, "a", "name", "expected a string, found \"x\ny\r\nz\"");

        assertThat(new RuleSetException(List.of(echo)).summary(1))
                .isEqualTo("1 error: rule 'a' at name: expected a string, found \"x y  z\"");
    }
}
