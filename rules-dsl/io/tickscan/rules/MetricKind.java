package io.tickscan.rules;

/**
 * The catalog of metrics a rule can read, with the kind of window each takes.
 *
 * <p>The meaning of each metric is defined in {@code rules-and-metrics.md}; this enum only carries what the
 * parser, validator and compiler need to know about it: its canonical name, its window kind and how many
 * complete 1-minute bars of history it reads.
 */
public enum MetricKind {
    /** Price of the latest tick. */
    LAST("last", Window.NONE),
    /** Session volume-weighted average price. */
    VWAP("vwap", Window.NONE),
    /** Session's first price. */
    DAY_OPEN("day_open", Window.NONE),
    /** Session's highest price. */
    DAY_HIGH("day_high", Window.NONE),
    /** Session's lowest price. */
    DAY_LOW("day_low", Window.NONE),
    /** Session's total size. */
    DAY_VOLUME("day_volume", Window.NONE),
    /** Percent change of {@code last} from the session open. */
    CHANGE_PCT_DAY("change_pct_day", Window.NONE),
    /** Percent change of {@code last} from the close N minutes ago. */
    CHANGE_PCT("change_pct", Window.MINUTES),
    /** Volume of the last N complete bars. */
    VOLUME("volume", Window.MINUTES),
    /** Volume per minute of the last N bars over that of the 60 bars before them. */
    REL_VOLUME("rel_volume", Window.MINUTES),
    /** Highest high of the last N complete bars. */
    HIGH("high", Window.MINUTES),
    /** Lowest low of the last N complete bars. */
    LOW("low", Window.MINUTES),
    /** Simple moving average of the last N complete closes. */
    SMA("sma", Window.BARS),
    /** Exponential moving average of complete closes. */
    EMA("ema", Window.BARS),
    /** Wilder's relative strength index of complete closes. */
    RSI("rsi", Window.BARS);

    /** How a metric's window is written in the text form. */
    public enum Window {
        /** No window: {@code last}. */
        NONE,
        /** Whole minutes: {@code 5m} or {@code 1h}. */
        MINUTES,
        /** A plain whole number of bars: {@code rsi(14)}. */
        BARS
    }

    /** Minutes of bars {@code rel_volume} compares its window with. */
    public static final int REL_VOLUME_BASELINE_MINUTES = 60;

    private final String text;
    private final Window window;

    MetricKind(String text, Window window) {
        this.text = text;
        this.window = window;
    }

    /** The canonical lower-case name used in the text form and in alert metrics. */
    public String text() {
        return text;
    }

    /** The kind of window this metric takes. */
    public Window window() {
        return window;
    }

    /**
     * How many complete 1-minute bars the engine must keep for this metric with window {@code n}; 0 for the
     * metrics that are updated incrementally or read the session.
     */
    public int historyBars(int n) {
        return switch (this) {
            case CHANGE_PCT, VOLUME, HIGH, LOW, SMA -> n;
            case REL_VOLUME -> n + REL_VOLUME_BASELINE_MINUTES;
            default -> 0;
        };
    }

    /** True when the value depends only on complete bars, so it changes at most once a minute. */
    public boolean readsCompleteBarsOnly() {
        return switch (this) {
            case VOLUME, REL_VOLUME, HIGH, LOW, SMA, EMA, RSI -> true;
            default -> false;
        };
    }

    /** The metric with this canonical name, or null. */
    public static MetricKind byText(String text) {
        for (MetricKind kind : values()) {
            if (kind.text.equals(text)) {
                return kind;
            }
        }
        return null;
    }
}
