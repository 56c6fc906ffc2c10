package io.tickscan.rules;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One metric with its window, such as {@code change_pct(5m)} or {@code rsi(14)}; {@code window} is 0 for the
 * metrics that take none.
 *
 * @param kind   the metric
 * @param window minutes for {@link MetricKind.Window#MINUTES}, bars for {@link MetricKind.Window#BARS}, else 0
 */
public record MetricRef(MetricKind kind, int window) {

    private static final List<Alias> ALIASES = List.of(
            new Alias(Pattern.compile("price_change_(\\d+)m_pct"), MetricKind.CHANGE_PCT),
            new Alias(Pattern.compile("rel_volume_(\\d+)m"), MetricKind.REL_VOLUME),
            new Alias(Pattern.compile("volume_(\\d+)m"), MetricKind.VOLUME),
            new Alias(Pattern.compile("rsi_(\\d+)"), MetricKind.RSI),
            new Alias(Pattern.compile("ema_?(\\d+)"), MetricKind.EMA),
            new Alias(Pattern.compile("sma_(\\d+)"), MetricKind.SMA),
            new Alias(Pattern.compile("high_(\\d+)m"), MetricKind.HIGH),
            new Alias(Pattern.compile("low_(\\d+)m"), MetricKind.LOW));

    private record Alias(Pattern pattern, MetricKind kind) {
    }

    /** The canonical text form: {@code last}, {@code change_pct(5m)}, {@code sma(10)}. */
    public String canonical() {
        return switch (kind.window()) {
            case NONE -> kind.text();
            case MINUTES -> kind.text() + "(" + window + "m)";
            case BARS -> kind.text() + "(" + window + ")";
        };
    }

    /** Complete 1-minute bars the engine must keep to compute this metric. */
    public int historyBars() {
        return kind.historyBars(window);
    }

    @Override
    public String toString() {
        return canonical();
    }

    /**
     * Resolves one of the seeds' alias names ({@code price_change_5m_pct}, {@code rsi_14}, {@code ema9}...).
     *
     * @return the metric, or null when {@code name} is not an alias; a window that does not fit an int or
     *         is 0 also gives null, so the caller reports the name as unknown
     */
    public static MetricRef fromAlias(String name) {
        for (Alias alias : ALIASES) {
            Matcher m = alias.pattern().matcher(name);
            if (m.matches()) {
                String digits = m.group(1);
                if (digits.length() > 6) {
                    return null;
                }
                int n = Integer.parseInt(digits);
                return n >= 1 ? new MetricRef(alias.kind(), n) : null;
            }
        }
        return null;
    }
}
