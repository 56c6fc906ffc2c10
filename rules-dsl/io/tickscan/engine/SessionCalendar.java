package io.tickscan.engine;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Maps an instant to the start of the trading session holding it: the UTC day by default, or days starting at a
 * local time in a zone. Remembers the last session it computed, so consecutive instants cost a comparison. Not
 * thread-safe: one per engine.
 */
final class SessionCalendar {
    private static final long DAY_MS = 86_400_000L;

    private final ZoneId zone;
    private final LocalTime start;
    private final boolean utcMidnight;
    private long cachedStart = Long.MAX_VALUE;
    private long cachedEnd = Long.MIN_VALUE;

    SessionCalendar(ZoneId zone, LocalTime start) {
        this.zone = zone;
        this.start = start;
        this.utcMidnight = zone.normalized().equals(ZoneOffset.UTC) && start.equals(LocalTime.MIDNIGHT);
    }

    /** Epoch milliseconds at which the session holding {@code ts} started. */
    long sessionStart(long ts) {
        if (ts >= cachedStart && ts < cachedEnd) {
            return cachedStart;
        }
        if (utcMidnight) {
            cachedStart = Math.floorDiv(ts, DAY_MS) * DAY_MS;
            cachedEnd = cachedStart + DAY_MS;
            return cachedStart;
        }
        // The session holding ts starts at the latest daily start at or before ts. Starts are computed per local
        // date (a start in a skipped hour moves forward with the gap), never by comparing local clock times,
        // so a repeated autumn hour and the order of the questions cannot change the answer.
        LocalDate day = Instant.ofEpochMilli(ts).atZone(zone).toLocalDate().plusDays(2);
        long next = startOf(day);
        while (next > ts) {
            day = day.minusDays(1);
            cachedEnd = next;
            next = startOf(day);
        }
        cachedStart = next;
        return cachedStart;
    }

    /** Epoch milliseconds at which the session after the one holding {@code ts} starts. */
    long nextSessionStart(long ts) {
        sessionStart(ts);
        return cachedEnd;
    }

    private long startOf(LocalDate day) {
        return day.atTime(start).atZone(zone).toInstant().toEpochMilli();
    }
}
