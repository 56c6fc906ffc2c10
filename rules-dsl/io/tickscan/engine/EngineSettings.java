package io.tickscan.engine;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * What an engine is configured with.
 *
 * @param historyMinutes complete 1-minute bars kept per symbol; a rule needing more is refused
 * @param sessionZone    zone of the trading session that {@code vwap} and {@code day_*} cover
 * @param sessionStart   local time the session starts each day in {@code sessionZone}
 */
public record EngineSettings(int historyMinutes, ZoneId sessionZone, LocalTime sessionStart) {

    /** Default history: three hours of 1-minute bars, enough for {@code rel_volume(2h)}. */
    public static final int DEFAULT_HISTORY_MINUTES = 180;

    /** Three hours of history and the UTC day as the session. */
    public static final EngineSettings DEFAULTS =
            new EngineSettings(DEFAULT_HISTORY_MINUTES, ZoneOffset.UTC, LocalTime.MIDNIGHT);

    /** Checks the values. */
    public EngineSettings {
        if (historyMinutes < 1 || historyMinutes > 100_000) {
            throw new IllegalArgumentException("history_minutes must be from 1 to 100000, not " + historyMinutes);
        }
    }
}
