package io.tickscan.rules;

import io.tickscan.rules.Condition.And;
import io.tickscan.rules.Condition.Between;
import io.tickscan.rules.Condition.Comparison;
import io.tickscan.rules.Condition.Cross;
import io.tickscan.rules.Condition.Not;
import io.tickscan.rules.Condition.Op;
import io.tickscan.rules.Condition.Operand;
import io.tickscan.rules.Condition.Or;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses the text form of a condition ({@code when}) and single metric names.
 *
 * <p>Grammar, tightest first: comparison, {@code not}, {@code and}, {@code or}; parentheses group conditions.
 * <pre>
 * condition  := and ( "or" and )*
 * and        := unary ( "and" unary )*
 * unary      := "not" unary | "(" condition ")" | comparison
 * comparison := operand ( (">" | ">=" | "<" | "<=" | "crosses_above" | "crosses_below") operand
 *                       | "between" operand "and" operand )
 * operand    := number | metric
 * metric     := name [ "(" window ")" ]          window: 5m, 1h (minutes) or 14 (bars)
 * </pre>
 * Keywords are case-insensitive, metric names lower case. The constant bounds of {@code between} come low
 * first ({@code between 5 and 1} is refused); bounds that are metrics are not checked.
 *
 * <p>Every error is a {@link WhenSyntaxException} with the 1-based column of the offending text; nothing else is
 * thrown, whatever the input. A text longer than {@link #MAX_LENGTH} is refused before it is read, and parsing
 * stops at the first parenthesis or {@code not} that nests deeper than {@link #MAX_DEPTH} levels, so no input
 * takes long or overflows the stack. How many comparisons a rule may hold is the reader's business
 * ({@link RuleLimits#maxConditions()}).
 */
public final class WhenParser {

    /** Longest {@code when} text accepted, in characters. */
    public static final int MAX_LENGTH = 4000;
    /** Deepest nesting of parentheses and {@code not} accepted. */
    public static final int MAX_DEPTH = 32;
    /** Largest window accepted, in minutes or bars (a year of minutes). */
    public static final int MAX_WINDOW = 525_600;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private enum Type { NAME, NUMBER, LPAREN, RPAREN, OP, END }

    private record Token(Type type, String text, int start) {
        String describe() {
            return type == Type.END ? "the end of the text" : "'" + RuleError.cut(text) + "'";
        }

        boolean isKeyword(String keyword) {
            return type == Type.NAME && text.equalsIgnoreCase(keyword);
        }
    }

    private final String text;
    private final List<Token> tokens;
    private int next;
    private int depth;

    private final int historyLimit;

    private WhenParser(String text, int historyLimit) {
        this.text = text;
        this.historyLimit = historyLimit;
        this.tokens = tokenize(text);
    }

    /**
     * Parses a whole condition.
     *
     * @param text         the {@code when} text
     * @param historyLimit complete 1-minute bars the engine keeps; a metric that needs more is refused
     * @throws WhenSyntaxException when the text does not parse, names an unknown metric or has a bad window
     */
    public static Condition parse(String text, int historyLimit) {
        if (text.length() > MAX_LENGTH) {
            throw new WhenSyntaxException(MAX_LENGTH + 1, "the condition is longer than " + MAX_LENGTH + " characters");
        }
        WhenParser parser = new WhenParser(text, historyLimit);
        if (parser.peek().type == Type.END) {
            throw new WhenSyntaxException(1, "the condition is empty");
        }
        Condition condition = parser.orExpression();
        Token rest = parser.peek();
        if (rest.type != Type.END) {
            throw parser.error(rest, "expected 'and', 'or' or the end of the condition, found " + rest.describe());
        }
        return condition;
    }

    /**
     * Parses one metric as the JSON form names it: an alias ({@code rsi_14}) or the text form ({@code rsi(14)}).
     *
     * @param text         the metric name
     * @param historyLimit complete 1-minute bars the engine keeps; a metric that needs more is refused
     * @throws WhenSyntaxException when it is not exactly one known metric
     */
    public static MetricRef parseMetric(String text, int historyLimit) {
        if (text.length() > MAX_LENGTH) {
            throw new WhenSyntaxException(1, "the metric name is longer than " + MAX_LENGTH + " characters");
        }
        WhenParser parser = new WhenParser(text, historyLimit);
        Token first = parser.peek();
        if (first.type != Type.NAME || isKeyword(first.text)) {
            throw parser.error(first, "expected a metric name, found " + first.describe());
        }
        MetricRef metric = parser.metric();
        Token rest = parser.peek();
        if (rest.type != Type.END) {
            throw parser.error(rest, "expected the end of the metric name, found " + rest.describe());
        }
        return metric;
    }

    private Condition orExpression() {
        List<Condition> parts = new ArrayList<>();
        parts.add(andExpression());
        while (peek().isKeyword("or")) {
            next++;
            parts.add(andExpression());
        }
        return parts.size() == 1 ? parts.get(0) : new Or(List.copyOf(parts));
    }

    private Condition andExpression() {
        List<Condition> parts = new ArrayList<>();
        parts.add(unary());
        while (peek().isKeyword("and")) {
            next++;
            parts.add(unary());
        }
        return parts.size() == 1 ? parts.get(0) : new And(List.copyOf(parts));
    }

    private Condition unary() {
        Token token = peek();
        if (token.isKeyword("not") || token.type == Type.LPAREN) {
            if (++depth > MAX_DEPTH) {
                throw error(token, "conditions are nested deeper than " + MAX_DEPTH + " levels");
            }
            next++;
            Condition inner;
            if (token.type == Type.LPAREN) {
                inner = orExpression();
                expect(Type.RPAREN, "expected ')' to close the '(' at column " + (token.start + 1));
            } else {
                inner = new Not(unary());
            }
            depth--;
            return inner;
        }
        return comparison();
    }

    private Condition comparison() {
        Token first = peek();
        Operand lhs = operand();
        Token op = peek();
        Condition result;
        if (op.type == Type.OP) {
            next++;
            result = new Comparison(lhs, Op.of(op.text), operand());
        } else if (op.isKeyword("between")) {
            next++;
            Operand lo = operand();
            Token and = peek();
            if (!and.isKeyword("and")) {
                throw error(and, "expected 'and' between the bounds of 'between', found " + and.describe());
            }
            next++;
            Operand hi = operand();
            String order = boundsOutOfOrder(lo, hi);
            if (order != null) {
                throw error(op, order);
            }
            result = new Between(lhs, lo, hi);
        } else if (op.isKeyword("crosses_above") || op.isKeyword("crosses_below")) {
            next++;
            result = new Cross(lhs, op.isKeyword("crosses_above"), operand());
        } else {
            throw error(op, "expected a comparison (>, >=, <, <=, between, crosses_above, crosses_below) after '"
                    + text.substring(first.start, op.type == Type.END ? text.length() : op.start).strip()
                    + "', found " + op.describe());
        }
        if (result.operands().noneMatch(Operand::isMetric)) {
            throw error(first, "a comparison needs a metric on at least one side");
        }
        return result;
    }

    /**
     * What is wrong with the bounds of a {@code between} when both are numbers and the lower one is above the
     * upper one ({@code between 5 and 1: the lower bound is above the upper}), else null.
     */
    static String boundsOutOfOrder(Operand lo, Operand hi) {
        if (lo.isMetric() || hi.isMetric() || lo.number() <= hi.number()) {
            return null;
        }
        return "between " + lo + " and " + hi + ": the lower bound is above the upper";
    }

    private Operand operand() {
        Token token = peek();
        switch (token.type) {
            case NUMBER -> {
                next++;
                return Operand.of(number(token));
            }
            case NAME -> {
                if (!isKeyword(token.text)) {
                    return Operand.of(metric());
                }
            }
            default -> {
            }
        }
        throw error(token, "expected a metric or a number, found " + token.describe());
    }

    private double number(Token token) {
        int split = unitStart(token.text);
        if (split < token.text.length() && NUMBER.matcher(token.text.substring(0, split)).matches()) {
            throw error(token, "'" + token.text + "' is not a number; a window such as 5m goes inside a metric's "
                    + "parentheses, like change_pct(5m)");
        }
        if (!NUMBER.matcher(token.text).matches()) {
            throw error(token, "'" + token.text + "' is not a number");
        }
        double value = Double.parseDouble(token.text);
        if (Double.isInfinite(value)) {
            throw error(token, "the number '" + token.text + "' is out of range");
        }
        return value;
    }

    private MetricRef metric() {
        Token name = peek();
        MetricRef metric = resolveMetric();
        if (metric.historyBars() > historyLimit) {
            throw error(name, metric.canonical() + " needs " + metric.historyBars() + " complete 1-minute bars, more "
                    + "than the " + historyLimit + " the engine keeps (engine.history_minutes)");
        }
        return metric;
    }

    private MetricRef resolveMetric() {
        Token name = tokens.get(next++);
        MetricKind kind = MetricKind.byText(name.text);
        if (kind == null) {
            MetricRef alias = MetricRef.fromAlias(name.text);
            if (alias == null) {
                throw error(name, unknownMetric(name.text));
            }
            if (peek().type == Type.LPAREN) {
                throw error(peek(), "'" + name.text + "' takes no window: its window is in its name");
            }
            return alias;
        }
        if (kind.window() == MetricKind.Window.NONE) {
            if (peek().type == Type.LPAREN) {
                throw error(peek(), "'" + name.text + "' takes no window");
            }
            return new MetricRef(kind, 0);
        }
        if (peek().type != Type.LPAREN) {
            throw error(peek(), "'" + name.text + "' needs a window, like " + example(kind));
        }
        next++;
        Token window = peek();
        if (window.type != Type.NUMBER) {
            throw error(window, "expected the window of '" + name.text + "', like " + example(kind)
                    + ", found " + window.describe());
        }
        next++;
        int n = window(kind, window);
        expect(Type.RPAREN, "expected ')' after the window of '" + name.text + "'");
        return new MetricRef(kind, n);
    }

    private int window(MetricKind kind, Token token) {
        String t = token.text;
        int split = unitStart(t);
        String digits = t.substring(0, split);
        String unit = t.substring(split);
        boolean minutes = kind.window() == MetricKind.Window.MINUTES;
        if (minutes && !unit.equals("m") && !unit.equals("h")) {
            throw error(token, "'" + kind.text() + "' takes a window in minutes, like 5m or 1h, found '"
                    + RuleError.cut(t) + "'");
        }
        if (!minutes && !unit.isEmpty()) {
            throw error(token, "'" + kind.text() + "' takes a whole number of bars, like " + example(kind)
                    + ", found '" + RuleError.cut(t) + "'");
        }
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw error(token, "a window is a whole number of at least 1, found '" + RuleError.cut(t) + "'");
        }
        long n = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits) * (unit.equals("h") ? 60 : 1);
        if (n < 1 || n > MAX_WINDOW) {
            throw error(token, "a window is a whole number from 1 to " + MAX_WINDOW + ", found '"
                    + RuleError.cut(t) + "'");
        }
        return (int) n;
    }

    private static String example(MetricKind kind) {
        return kind.window() == MetricKind.Window.MINUTES ? kind.text() + "(5m)" : kind.text() + "(14)";
    }

    private static String unknownMetric(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.equals(name) && (MetricKind.byText(lower) != null || MetricRef.fromAlias(lower) != null)) {
            return "unknown metric '" + name + "': metric names are lower case, like '" + lower + "'";
        }
        return "unknown metric '" + RuleError.cut(name) + "'";
    }

    private static boolean isKeyword(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "and", "or", "not", "between", "crosses_above", "crosses_below" -> true;
            default -> false;
        };
    }

    private void expect(Type type, String message) {
        Token token = peek();
        if (token.type != type) {
            throw error(token, message + ", found " + token.describe());
        }
        next++;
    }

    private Token peek() {
        return tokens.get(next);
    }

    private WhenSyntaxException error(Token token, String message) {
        return new WhenSyntaxException(token.start + 1, message);
    }

    /** Index where a number token's unit suffix (m, h, or anything not numeric) starts. */
    private static int unitStart(String number) {
        int i = 0;
        int n = number.length();
        if (i < n && (number.charAt(i) == '+' || number.charAt(i) == '-')) {
            i++;
        }
        while (i < n && (isDigit(number.charAt(i)) || number.charAt(i) == '.')) {
            i++;
        }
        if (i < n && (number.charAt(i) == 'e' || number.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (number.charAt(j) == '+' || number.charAt(j) == '-')) {
                j++;
            }
            int digits = j;
            while (j < n && number.charAt(j) >= '0' && number.charAt(j) <= '9') {
                j++;
            }
            if (j > digits) {
                i = j;
            }
        }
        return i;
    }

    private static List<Token> tokenize(String text) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int start = i;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
                continue;
            }
            if (c == '(') {
                out.add(new Token(Type.LPAREN, "(", i++));
            } else if (c == ')') {
                out.add(new Token(Type.RPAREN, ")", i++));
            } else if (c == '>' || c == '<') {
                i += (i + 1 < n && text.charAt(i + 1) == '=') ? 2 : 1;
                out.add(new Token(Type.OP, text.substring(start, i), start));
            } else if (isDigit(c) || c == '.' || ((c == '-' || c == '+') && i + 1 < n
                    && (isDigit(text.charAt(i + 1)) || text.charAt(i + 1) == '.'))) {
                i = scanNumber(text, i);
                out.add(new Token(Type.NUMBER, text.substring(start, i), start));
            } else if (isNameStart(c)) {
                while (i < n && isNamePart(text.charAt(i))) {
                    i++;
                }
                out.add(new Token(Type.NAME, text.substring(start, i), start));
            } else {
                String shown = c == '=' && i + 1 < n && text.charAt(i + 1) == '=' ? "==" : String.valueOf(c);
                String hint = c == '=' || c == '!' ? " (operators are >, >=, <, <=, between, crosses_above, "
                        + "crosses_below)" : "";
                throw new WhenSyntaxException(start + 1, "unexpected character '" + shown + "'" + hint);
            }
        }
        out.add(new Token(Type.END, "", n));
        return out;
    }

    /** A number: sign, digits and dots, an exponent, then any letters or digits as a unit suffix. */
    private static int scanNumber(String text, int i) {
        int n = text.length();
        i++;
        while (i < n && (isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
            i++;
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (text.charAt(j) == '+' || text.charAt(j) == '-')) {
                j++;
            }
            if (j < n && isDigit(text.charAt(j))) {
                i = j;
                while (i < n && isDigit(text.charAt(i))) {
                    i++;
                }
            }
        }
        while (i < n && isNamePart(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c);
    }
}
